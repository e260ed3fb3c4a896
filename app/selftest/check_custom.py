"""Self-test check ``custom_dataset``: your own image classes, end to end, in the real window.

In a temporary folder: synthetic binaries of four families are rendered as pictures
(:mod:`digitlab.model.binaries.bytes_image`), one unreadable picture is added, the folder is
read (:func:`digitlab.model.data.custom_dataset.load_folder`: the bad picture skipped and
counted), the seed CNN is trained briefly in a
:class:`~digitlab.app.training.worker.TrainingWorker` thread, evaluated on the held-out
split, saved with its class names and loaded back, then shown live in the Draw tab (the bars
carry the family names) and the digit models restored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from digitlab.app.selftest.support import Check, Context, draw_digit

PER_FAMILY = 24
MIN_ACCURACY = 0.6
"""Four classes: chance is 0.25; a few epochs on these families reach ~0.9-1.0."""


def _train(data, timeout_s: float = 180.0):
    from digitlab.app.selftest.worker_support import run_to_end
    from digitlab.app.training.worker import TrainingWorker
    from digitlab.model.nets.training import Recipe

    recipe = Recipe(epochs=15, batch_size=16, learning_rate=2e-3, augment=False, seed=0)
    worker = TrainingWorker(
        "cnn", recipe, data=data, validate=False, evaluate_after=True, throttle_s=0.2
    )
    watcher = run_to_end(worker, timeout_s)
    return watcher.outcome, watcher.error


def _custom_dataset(ctx: Context) -> tuple[bool, str]:
    """Render, read, train, evaluate, save/load and show live a model of four families."""
    from digitlab.model.binaries.synthetic import build_image_dataset, write_families
    from digitlab.model.data.custom_dataset import load_folder
    from digitlab.model.data.mnist import to_model_input
    from digitlab.model.nets.model_files import load_model, read_class_names, save_model

    window = ctx.window
    with tempfile.TemporaryDirectory(prefix="digitlab-selftest-") as tmp:
        root = Path(tmp)
        write_families(root / "binaries", PER_FAMILY, seed=1)
        build_image_dataset(root / "binaries", root / "images")
        (root / "images" / "packed" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
        data = load_folder(root / "images", seed=0)
        if len(data.skipped) != 1:
            return False, f"expected 1 unreadable picture skipped, got {len(data.skipped)}"
        outcome, error = _train(data)
        if error or outcome is None or outcome.model is None or outcome.evaluation is None:
            return False, f"training failed: {error or 'no model'}"
        accuracy = outcome.evaluation.accuracy
        names = data.class_names
        path = root / "families.keras"
        save_model(outcome.model, path, class_names=names)
        loaded = load_model(path, num_classes=len(names), input_shape=None)
        probe = to_model_input(data.x_test[:8])
        same = np.allclose(np.asarray(outcome.model(probe)), np.asarray(loaded(probe)), atol=1e-5)
        if read_class_names(path) != names or not same:
            return False, "the saved model lost its class names or answers differently"

    live = window.live
    live.show_models({"custom": loaded}, {"custom": names})
    if not ctx.wait_until(lambda: live.model_names == ("custom",), 60):
        return False, "the custom model did not become live"
    window.tabs.setCurrentWidget(window.draw_tab)  # the bars are drawn where they are seen
    canvas = window.draw_tab.canvas
    canvas.clear()
    draw_digit(canvas, 0)
    ok_live = ctx.wait_until(
        lambda: (
            live.latest is not None
            and live.latest.revision == canvas.revision
            and "custom" in live.latest.probabilities
        ),
        30,
    )
    header = window.draw_tab.probabilities.headers.get("custom")
    shown = header.text() if header is not None else ""
    live_named = ok_live and any(n in shown for n in names)
    live.restore_digit_models()
    restored = ctx.wait_until(lambda: set(live.model_names) == {"cnn", "dense"}, 60)
    canvas.clear()
    ok = accuracy >= MIN_ACCURACY and live_named and restored
    return ok, (
        f"{len(names)} families, {len(data.x_train)} training pictures, 1 unreadable "
        f"skipped; test accuracy {accuracy:.0%}; live bars: {shown!r}; digit models "
        f"{'restored' if restored else 'NOT restored'}"
    )


CHECKS: dict[str, Check] = {"custom_dataset": _custom_dataset}
