"""The ``not_a_digit`` self-test check: a letter drawn with the mouse is refused by both
bundled models (``known`` false, the banner says so in words), and a drawn 7 is accepted."""

from __future__ import annotations

from digitlab.app.selftest.support import Check, Context, draw_digit, draw_strokes, path_points

LETTER = [[(0.25, 0.2), (0.75, 0.8)], [(0.75, 0.2), (0.25, 0.8)]]
"""An X as two crossing strokes, in canvas fractions: no person reads it as a digit."""


def _not_a_digit(ctx: Context) -> tuple[bool, str]:
    """Draw an X, then a 7: the X is refused by every model, the 7 known by every model."""
    window = ctx.window
    canvas = window.draw_tab.canvas
    canvas.clear()
    size = (canvas.width(), canvas.height())
    draw_strokes(canvas, [path_points(p, size) for p in LETTER])
    letter = ctx.wait_for_answer()
    if letter is None or letter.empty:
        return False, "no answer for the drawn X"
    banner = window.draw_tab.probabilities.banner.text()
    canvas.clear()
    draw_digit(canvas, 7)
    digit = ctx.wait_for_answer()
    if digit is None or digit.empty:
        return False, "no answer for the drawn 7"
    refused = not any(letter.known.values()) and "doesn't look like a digit" in banner
    accepted = all(digit.known.values())
    detail = (
        "X: "
        + ", ".join(f"{n} {'knows' if k else 'refuses'} it" for n, k in letter.known.items())
        + f" ({banner!r}); 7: "
        + ", ".join(f"{n} {'knows' if k else 'refuses'} it" for n, k in digit.known.items())
    )
    return refused and accepted, detail


CHECKS: dict[str, Check] = {"not_a_digit": _not_a_digit}
