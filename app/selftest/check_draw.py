"""Self-test checks of the Draw tab: ``draw_predict``, ``views_painted`` and
``empty_asks_no_model``: what a user sees first, drawn with the mouse in the real window."""

from __future__ import annotations

import numpy as np

from digitlab.app.selftest.support import ANSWER_TIMEOUT_S, Check, Context, draw_digit


def _draw_predict(ctx: Context) -> tuple[bool, str]:
    """Draw a 1 and a 7 with the mouse; both models must read them."""
    window = ctx.window
    canvas = window.draw_tab.canvas
    details = []
    ok = True
    for digit in (1, 7):
        canvas.clear()
        draw_digit(canvas, digit)
        result = ctx.wait_for_answer()
        if result is None or result.empty:
            return False, f"no answer for the drawn {digit}"
        ctx.times.setdefault("first_prediction_s", ctx.since_start())
        reads = {n: int(np.argmax(p)) for n, p in result.probabilities.items()}
        sane = all(abs(float(np.sum(p)) - 1) < 1e-3 for p in result.probabilities.values())
        passed = sane and all(r == digit for r in reads.values())
        ok = ok and passed
        details.append(f"drew {digit}: " + ", ".join(f"{n} read {r}" for n, r in reads.items()))
    return ok, "; ".join(details)


def _views_painted(ctx: Context) -> tuple[bool, str]:
    """The bars, the input and every activation map paint the current drawing."""
    tab = ctx.window.draw_tab
    revision = tab.canvas.revision
    ok = ctx.wait_until(lambda: tab.painted_revision() >= revision, ANSWER_TIMEOUT_S)
    return ok, f"painted revision {tab.painted_revision()} of {revision}"


def _empty(ctx: Context) -> tuple[bool, str]:
    """A cleared canvas is answered without asking a model."""
    window = ctx.window
    before = window.live.runs
    window.draw_tab.canvas.clear()
    result = ctx.wait_for_answer()
    ok = result is not None and result.empty and window.live.runs == before
    return ok, "cleared canvas: no model asked" if ok else "the cleared canvas asked a model"


CHECKS: dict[str, Check] = {
    "draw_predict": _draw_predict,
    "views_painted": _views_painted,
    "empty_asks_no_model": _empty,
}
