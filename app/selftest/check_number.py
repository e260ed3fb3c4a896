"""Self-test check of the Draw tab's Number mode: ``number``, a three-digit number written
with the mouse on the wide canvas is read exactly by the CNN."""

from __future__ import annotations

from digitlab.app.selftest.support import ANSWER_TIMEOUT_S, Check, Context, draw_strokes
from digitlab.model.segment.written import number_paths

NUMBER = "407"
"""Written with the mouse: a 4 of two strokes, a 0 and a 7 with its crossbar."""


def _number(ctx: Context) -> tuple[bool, str]:
    """Switch to Number mode, write 407, and wait for the reading of the whole drawing."""
    tab = ctx.window.draw_tab
    tab.set_number_mode(True)
    try:
        canvas = tab.number_canvas
        canvas.clear()
        draw_strokes(canvas, number_paths(NUMBER, canvas.canvas_size()))
        view = tab.number_view
        if not ctx.wait_until(lambda: view.painted_revision >= canvas.revision, ANSWER_TIMEOUT_S):
            return False, f"no reading of the written {NUMBER}"
        reading = view.shown.reading
        texts = {name: reading.text(name) for name in reading.models}
        ok = texts.get("cnn") == NUMBER and len(canvas.boxes) == len(NUMBER)
        found = ", ".join(f"{name} reads {text}" for name, text in texts.items())
        return ok, f"wrote {NUMBER}: {len(reading.digits)} digits found, {found}"
    finally:
        tab.number_canvas.clear()
        tab.set_number_mode(False)


CHECKS: dict[str, Check] = {"number": _number}
