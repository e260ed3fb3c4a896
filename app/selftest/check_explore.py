"""Self-test checks of the Explore tab's core: ``embedding``, ``robustness``, ``adversarial``,
``ablation`` and ``dream``.

Each draws a 7 with the mouse on the Draw tab's canvas and runs the Explore computations on
the live answer, as the Explore thread does (on 1,000 MNIST test digits for the map, where
the tab maps 10,000, so the self-test stays short).
"""

from __future__ import annotations

import functools

import numpy as np

from digitlab.app.selftest.support import Check, Context, draw_digit

MAP_DIGITS = 1000


def _drawn_seven(ctx: Context):
    """Draw a 7 and wait for both models' answer (None on timeout)."""
    window = ctx.window
    window.tabs.setCurrentWidget(window.draw_tab)
    canvas = window.draw_tab.canvas
    canvas.clear()
    draw_digit(canvas, 7)
    result = ctx.wait_for_answer()
    return None if result is None or result.empty else result


@functools.lru_cache(maxsize=1)
def _core():
    from digitlab.model.nets.light_inference import LightCore

    return LightCore()


@functools.lru_cache(maxsize=1)
def _keras():
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.explore.adversarial import Fooler

    return Fooler({n: bundled_model_path(n) for n in ("cnn", "dense")})


def _embedding(ctx: Context) -> tuple[bool, str]:
    """The drawn 7 lands nearer the 7s' centre than any other class's on the CNN dense map,
    and the Explore tab is in the window."""
    from digitlab.model.data.mnist import load_mnist, mnist_test_inputs
    from digitlab.model.explore.embedding import build_map

    result = _drawn_seven(ctx)
    if result is None:
        return False, "no answer for the drawn 7"
    model = _core().model("cnn")
    emap = build_map(
        "cnn",
        "selftest",
        lambda batch: model.run(batch).activations,
        mnist_test_inputs()[:MAP_DIGITS],
        load_mnist().y_test[:MAP_DIGITS],
    )
    lm = emap.layers["dense"]
    xy = lm.place(result.activations["cnn"]["dense"])
    coords = lm.coords["lda"]
    centres = np.stack([coords[emap.labels == k].mean(axis=0) for k in range(10)])
    nearest = int(np.linalg.norm(centres - xy, axis=1).argmin())
    has_tab = ctx.window.tabs.indexOf(ctx.window.explore_tab) >= 0
    return nearest == 7 and has_tab, f"the 7 lands nearest the {nearest}s; tab {has_tab}"


def _robustness(ctx: Context) -> tuple[bool, str]:
    """The 7 is read at the neutral sliders; enough noise makes the CNN's answer flip."""
    from digitlab.model.explore.push import PushSettings, push_curves

    result = _drawn_seven(ctx)
    if result is None:
        return False, "no answer for the drawn 7"
    pushed = push_curves(_core(), result.preprocessed.cropped, PushSettings())
    noise = pushed.curves["noise"]
    ok = pushed.answer == 7 and bool(noise.flips["cnn"])
    return ok, f"answer {pushed.answer}; CNN flips with noise at {noise.flips['cnn'][:1]}"


def _adversarial(ctx: Context) -> tuple[bool, str]:
    """A change within 0..1 makes the CNN read the drawn 7 as a 3."""
    result = _drawn_seven(ctx)
    if result is None:
        return False, "no answer for the drawn 7"
    fooled = _keras().fool(result.preprocessed.image, 3)
    a = fooled.attacks["cnn"]
    ok = a.fooled["cnn"] and a.image.min() >= 0 and a.image.max() <= 1
    return ok, f"CNN reads 3: {a.fooled['cnn']}; L2 {a.l2:.2f}, max {a.linf:.2f}"


def _ablation(ctx: Context) -> tuple[bool, str]:
    """Switching off every unit of the CNN's dense layer changes its answer to the 7."""
    from digitlab.model.explore.ablation import Breakage, broken_run

    result = _drawn_seven(ctx)
    if result is None:
        return False, "no answer for the drawn 7"
    batch = result.preprocessed.image.reshape(1, 28, 28, 1)
    off = Breakage({("cnn", "dense"): np.zeros(128, np.float32)})
    p = broken_run(_core().model("cnn"), "cnn", batch, off).probabilities[0]
    ok = int(p.argmax()) != 7 or p.max() < 0.5
    return ok, f"broken CNN reads {int(p.argmax())} ({p.max():.0%})"


def _dream(ctx: Context) -> tuple[bool, str]:
    """The input that the CNN's class 3 wants most is read as a 3, within 0..1."""
    from digitlab.model.explore.dream import dream

    image = dream(_keras().model("cnn"), "output", 3, steps=80)
    read = int(_keras().probabilities(image)["cnn"].argmax())
    ok = read == 3 and image.min() >= 0 and image.max() <= 1
    return ok, f"the class-3 dream is read as {read}"


CHECKS: dict[str, Check] = {
    "embedding": _embedding,
    "robustness": _robustness,
    "adversarial": _adversarial,
    "ablation": _ablation,
    "dream": _dream,
}
