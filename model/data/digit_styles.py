"""Digits as pen strokes, in the styles people draw them: allographs for training.

MNIST's writers (American census staff and students) draw one way; pen users elsewhere draw
ones with a long up-stroke or a base, sevens crossed or with a curved stem, fours open at the
top, sixes whose loop never closes, zeros slashed through, eights as one looping stroke. The
models trained on MNIST read several of these as another digit (a long up-stroke one as 7, an
open six as 5, a slashed zero as 8). :data:`STYLES` draws each family from a template with
random proportions; :func:`style_digit_inputs` turns them into model inputs through the same
pen distortion and canvas pipeline as the synthetic non-digits
(:mod:`digitlab.model.data.pen_synthetic`). Training data only: nothing here is read at run
time, and no user's or dev set's drawing is used.

Templates are in a unit box, x to the right and y down, the digit about 1 high.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from digitlab.model.data.pen_synthetic import Strokes, pen_distort, place_on_canvas, render

Maker = Callable[[np.random.Generator], Strokes]


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float) -> np.ndarray:
    """Points along an ellipse from angle ``a0`` to ``a1`` (degrees; 90 is the bottom)."""
    t = np.deg2rad(np.linspace(a0, a1, max(8, int(abs(a1 - a0) / 8))))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def _line(*points: tuple[float, float]) -> np.ndarray:
    return np.asarray(points, np.float64)


def _curve(p0, p1, p2, n: int = 24) -> np.ndarray:
    """A quadratic Bezier from ``p0`` to ``p2`` bent towards ``p1``."""
    t = np.linspace(0, 1, n)[:, None]
    p0, p1, p2 = (np.asarray(p, np.float64) for p in (p0, p1, p2))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def _join(*parts: np.ndarray) -> np.ndarray:
    return np.vstack(parts)


def _oval(rng):
    start = rng.uniform(-120, -60)
    return _arc(0.35, 0.5, rng.uniform(0.22, 0.34), 0.5, start, start + rng.uniform(355, 380))


def _zero(rng) -> Strokes:
    return [_oval(rng)]


def _zero_slashed(rng) -> Strokes:
    reach = rng.uniform(0.0, 0.12)  # 0: the slash stays inside the oval
    return [_oval(rng), _line((0.62 + reach, 0.12 - reach), (0.08 - reach, 0.88 + reach))]


def _one_flag(rng, up: tuple[float, float]) -> np.ndarray:
    """The stem of a one with an up-stroke starting ``up`` (x, y) away from its top."""
    x = rng.uniform(0.45, 0.55)
    return _line((x - up[0], up[1]), (x, 0.0), (x + rng.uniform(-0.05, 0.05), 1.0))


def _one(rng) -> Strokes:
    return [_one_flag(rng, (rng.uniform(0.0, 0.12), rng.uniform(0.05, 0.15)))]


def _one_long_up(rng) -> Strokes:
    return [_one_flag(rng, (rng.uniform(0.25, 0.45), rng.uniform(0.25, 0.5)))]


def _one_base(rng) -> Strokes:
    stem = _one_flag(rng, (rng.uniform(0.1, 0.45), rng.uniform(0.1, 0.5)))
    half = rng.uniform(0.15, 0.3)
    foot = stem[-1, 0]
    return [stem, _line((foot - half, 1.0), (foot + half, 1.0))]


def _two(rng) -> Strokes:
    top = _arc(0.45, 0.27, 0.33, 0.27, rng.uniform(180, 220), 360)
    if rng.random() < 0.5:
        return [_join(top, _line((0.78, 0.3), (0.1, 1.0), (0.9, 1.0)))]
    loop = _arc(0.2, 0.9, 0.1, 0.08, -90, 250)  # a curl at the bottom left
    return [_join(top, _line((0.75, 0.4), (0.25, 0.85)), loop, _line((0.3, 0.95), (0.9, 1.0)))]


def _three(rng) -> Strokes:
    bottom = _arc(0.4, 0.72, 0.36, 0.28, -90, rng.uniform(140, 170))
    if rng.random() < 0.5:
        return [_join(_arc(0.4, 0.25, 0.32, 0.25, rng.uniform(190, 220), 450), bottom)]
    return [_join(_line((0.1, 0.0), (0.8, 0.0), (0.4, 0.42)), bottom)]  # flat-topped


def _four_closed(rng) -> Strokes:
    bar = rng.uniform(0.6, 0.75)
    return [_line((0.7, 1.0), (0.7, 0.0), (0.05, bar), (0.95, bar))]


def _four_open(rng) -> Strokes:
    bar = rng.uniform(0.5, 0.7)
    left = _line((rng.uniform(0.1, 0.3), 0.0), (0.1, bar), (0.9, bar))
    stem_top = rng.uniform(0.0, 0.3)
    if rng.random() < 0.5:
        return [left, _line((0.7, stem_top), (0.7, 1.0))]
    return [_join(left, _line((0.7, stem_top), (0.7, 1.0)))]  # one stroke, back up and down


def _five(rng) -> Strokes:
    top = _line((0.85, 0.0), (0.2, 0.0), (0.15, 0.45))
    bowl = _arc(0.45, 0.68, 0.38, 0.32, rng.uniform(-150, -110), rng.uniform(140, 165))
    if rng.random() < 0.5:
        return [_join(top[1:], bowl), top[:2]]  # down and round first, the top bar last
    return [_join(top, bowl)]


def _six(rng, loop_end: float) -> Strokes:
    stem = (
        _arc(0.6, 0.65, 0.55, 0.65, -70, -180)
        if rng.random() < 0.6
        else _line((0.7, 0.0), (0.15, 0.65))
    )
    # The loop: from the stem's foot round the bottom, up the right and over the top.
    return [_join(stem, _arc(0.45, 0.72, 0.32, 0.28, 180, loop_end))]


def _six_closed(rng) -> Strokes:
    return _six(rng, rng.uniform(-200, -175))


def _six_open(rng) -> Strokes:
    return _six(rng, rng.uniform(-150, -90))  # the loop stops short of the stem


def _seven(rng) -> Strokes:
    foot = (rng.uniform(0.25, 0.45), 1.0)
    top = [(0.1, rng.uniform(0.1, 0.25))] if rng.random() < 0.3 else []  # a hook
    if rng.random() < 0.5:
        stem = _line(*top, (0.1, 0.0), (0.9, 0.0), foot)
    else:  # a curved stem
        stem = _join(_line(*top, (0.1, 0.0)), _curve((0.9, 0.0), (0.5, 0.45), foot))
    if rng.random() < 0.5:
        return [stem]
    y = rng.uniform(0.4, 0.55)
    return [stem, _line((0.3, y), (0.85, y))]  # crossed


def _eight(rng) -> Strokes:
    if rng.random() < 0.5:
        return [_arc(0.45, 0.25, 0.28, 0.25, 0, 360), _arc(0.45, 0.74, 0.34, 0.26, -90, 270)]
    # One stroke crossing itself in the middle (a lemniscate of Gerono, stood up).
    t = np.linspace(-0.3, 2 * np.pi + rng.uniform(-0.2, 0.3), 60)
    y = (1 - np.cos(t)) / 2
    width = rng.uniform(0.25, 0.35) * (0.8 + 0.4 * y)  # the bottom loop a little wider
    return [np.stack([0.45 + width * np.sin(2 * t), y], 1)]


def _nine(rng) -> Strokes:
    head = _arc(0.45, 0.28, 0.35, 0.28, 0, -360)
    if rng.random() < 0.5:
        return [_join(head, _line((0.8, 0.28), (rng.uniform(0.7, 0.85), 1.0)))]
    return [_join(head, _arc(0.3, 0.28, 0.5, 0.72, 0, rng.uniform(80, 110)))]


STYLES: dict[str, tuple[int, Maker]] = {
    "zero": (0, _zero),
    "zero slashed": (0, _zero_slashed),
    "one": (1, _one),
    "one with a long up-stroke": (1, _one_long_up),
    "one with a base": (1, _one_base),
    "two": (2, _two),
    "three": (3, _three),
    "four closed": (4, _four_closed),
    "four open": (4, _four_open),
    "five": (5, _five),
    "six": (6, _six_closed),
    "six with an open loop": (6, _six_open),
    "seven": (7, _seven),
    "eight": (8, _eight),
    "nine": (9, _nine),
}
"""Style name -> (label, maker). Each maker returns unit-box strokes with random proportions."""


SLANTED_SHARE = 0.3
"""Share of style digits given a strong extra slant (:data:`SLANT`) on top of the pen
distortion's own (+-0.4): some writers lean every digit 30-45 degrees."""
SLANT = (0.3, 0.9)
"""The extra slant's range (horizontal shift per unit of height); 4 in 5 lean right."""


def style_digit(rng: np.random.Generator, style: str | None = None) -> tuple[Strokes, int, str]:
    """One digit drawn in ``style`` (random if None), pen-distorted and placed on the 280x280
    canvas: canvas-px polylines, its label (0..9) and its style name."""
    names = list(STYLES)
    name = names[rng.integers(len(names))] if style is None else style
    label, make = STYLES[name]
    strokes = make(rng)
    if rng.random() < SLANTED_SHARE:
        lean = rng.uniform(*SLANT) * (1.0 if rng.random() < 0.8 else -1.0)
        shear = np.array([[1.0, 0.0], [-lean, 1.0]])  # x -= lean * y: the top leans right
        strokes = [s @ shear for s in strokes]
    return place_on_canvas(pen_distort(strokes, rng), rng), label, name


def style_digit_inputs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` style digits as model inputs, every style equally often in a random order.

    Returns float32 ``(n, 28, 28)`` in 0..1 (white ink on black), int64 labels ``(n,)`` and
    the str style names ``(n,)``.
    """
    rng = np.random.default_rng(seed)
    names = np.array(list(STYLES))[rng.permutation(np.arange(n) % len(STYLES))]
    x = np.zeros((n, 28, 28), np.float32)
    y = np.zeros(n, np.int64)
    for i, name in enumerate(names):
        strokes, y[i], _ = style_digit(rng, str(name))
        x[i] = render(strokes, rng)
    return x, y, names.astype(str)
