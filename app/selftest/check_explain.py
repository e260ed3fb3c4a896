"""Self-test checks of the Explain tab: ``saliency``, ``filters`` and ``steps``.

Each opens the Explain tab of the real window, draws with the mouse on the Draw tab's canvas
and checks what a user would see.
"""

from __future__ import annotations

import numpy as np

from digitlab.app.selftest.support import (
    ANSWER_TIMEOUT_S,
    MODELS_TIMEOUT_S,
    Check,
    Context,
    draw_digit,
)


def _explained(ctx: Context, digit: int = 7):
    """Draw ``digit``, show the Explain tab and wait for its explanation (None on timeout)."""
    window = ctx.window
    tab = window.explain_tab
    canvas = window.draw_tab.canvas
    window.tabs.setCurrentWidget(window.draw_tab)
    canvas.clear()
    draw_digit(canvas, digit)
    if ctx.wait_for_answer() is None:
        return None
    window.tabs.setCurrentWidget(tab)
    ok = ctx.wait_until(
        lambda: tab.latest is not None and tab.latest.revision == canvas.revision, MODELS_TIMEOUT_S
    )
    return tab.latest if ok else None


def _saliency(ctx: Context) -> tuple[bool, str]:
    """Both models read the drawn 7; the occlusion maps are brighter on the ink than off it and
    Grad-CAM is an 11x11 map in 0..1."""
    ex = _explained(ctx, 7)
    if ex is None:
        return False, "no explanation for the drawn 7"
    ink = ex.preprocessed.image > 0.3
    parts, ok = [], True
    for name, occ in ex.occlusion.items():
        on, off = float(occ[ink].mean()), float(occ[~ink].mean())
        ok = ok and ex.targets[name] == 7 and on > off
        parts.append(f"{name} occlusion on ink {on:.3f} vs off {off:.3f}")
    cam = ex.gradcam.get("cnn")
    ok = (
        ok
        and cam is not None
        and cam.layer_map.shape == (11, 11)
        and cam.layer_map.min() >= 0
        and cam.layer_map.max() <= 1
    )
    parts.append(f"{ex.seconds['saliency'] * 1000:.0f} ms")
    return ok, "; ".join(parts)


def _steps(ctx: Context) -> tuple[bool, str]:
    """The step view shows the one path's stages and they add up to the model input."""
    ex = _explained(ctx, 1)
    if ex is None:
        return False, "no explanation for the drawn 1"
    tab = ctx.window.explain_tab
    pre = ex.preprocessed
    top, left = pre.placed_at
    h, w = pre.fitted.shape
    same = np.array_equal(pre.image[top : top + h, left : left + w], pre.fitted)
    shown = tab.steps.shown
    ok = (
        same
        and max(h, w) == 20
        and shown.get("fitted") == (h, w)
        and shown.get("input") == (28, 28)
        and ex.raw is not None
    )
    return ok, f"cropped {pre.cropped.shape}, fitted {pre.fitted.shape} at {pre.placed_at}"


def _filters(ctx: Context) -> tuple[bool, str]:
    """Kernels and templates are shown; hovering a conv1 kernel shows its top MNIST digits."""
    window = ctx.window
    tab = window.explain_tab
    window.tabs.setCurrentWidget(tab)
    tab.pages.setCurrentIndex(0)
    if not ctx.wait_until(
        lambda: "cnn" in tab.top and tab.digits is not None, MODELS_TIMEOUT_S + ANSWER_TIMEOUT_S
    ):
        return False, "the top digits were not found"
    cells = tab.filters.cells
    sizes = {layer: cells[(m, layer)][2].count for m, layer in cells if cells[(m, layer)][2]}
    tab.filters.hover("cnn", "conv1", 0)
    shown = [int(i) for i in tab.digit_strip.indices]
    ok = sizes == {"conv1": 32, "conv2": 2048, "hidden": 128} and shown == list(
        tab.top["cnn"]["conv1"][0]
    )
    return ok, f"mosaic cells {sizes}; conv1 kernel 0's top digits {shown[:3]}..."


CHECKS: dict[str, Check] = {"saliency": _saliency, "steps": _steps, "filters": _filters}
