"""Synthetic pen drawings that are not digits (and font digits), drawn as a person draws them.

For outlier exposure (teaching the seed models to answer a flat distribution on non-digits)
and for tests. Every drawing is a list of strokes on a 280x280 canvas and becomes a model
input only through :func:`digitlab.model.preprocess.strokes.strokes_to_input`, the one path
the canvas and ``digitlab classify --strokes`` use.

Kinds (:data:`KINDS`): ``letter`` (letters and symbols from the Hershey stroke fonts, see
:mod:`digitlab.model.data.pen_glyphs`), ``scribble`` (random pen paths, zigzags and shapes),
``pair`` (two font digits side by side), ``part`` (the first 25-55 % of a font digit's path).
Each is distorted like a pen: smooth jitter, slant, rotation, aspect, pen thickness, and a
random size (longer side 70-250 px) and place.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitlab.model.data.pen_glyphs import (
    DIGIT_CHARACTERS,
    NON_DIGIT_CHARACTERS,
    STROKE_FONTS,
    available,
    glyph_strokes,
)
from digitlab.model.preprocess.strokes import PEN_WIDTH, strokes_to_input

CANVAS = 280
KINDS = ("letter", "scribble", "pair", "part")
DEFAULT_MIX = {"letter": 0.55, "scribble": 0.2, "pair": 0.15, "part": 0.1}
"""Share of each kind in :func:`non_digit_inputs`."""

Strokes = list[np.ndarray]


def _resample(points: np.ndarray, step: float) -> np.ndarray:
    """About one point per ``step`` of path length (a pen samples densely)."""
    if len(points) < 2:
        return points
    seg = np.hypot(*np.diff(points, axis=0).T)
    dist = np.concatenate([[0.0], np.cumsum(seg)])
    if dist[-1] <= 0:
        return points[:1]
    t = np.linspace(0.0, dist[-1], max(2, int(np.ceil(dist[-1] / step)) + 1))
    return np.stack([np.interp(t, dist, points[:, 0]), np.interp(t, dist, points[:, 1])], 1)


def pen_distort(strokes: Sequence[np.ndarray], rng: np.random.Generator) -> Strokes:
    """A hand-drawn version of font strokes: smooth jitter, slant, rotation and aspect.

    strokes : float64 ``(n, 2)`` polylines, any units, y down. Returns new polylines in the
    same units (resampled densely), the input unchanged.
    """
    pts = np.vstack(strokes)
    size = max(float(np.ptp(pts, axis=0).max()), 1e-6)
    slant = rng.uniform(-0.4, 0.4)
    angle = np.deg2rad(rng.uniform(-15, 15))
    aspect = np.exp(rng.uniform(-0.3, 0.3))
    c, s = np.cos(angle), np.sin(angle)
    matrix = np.array([[c, -s], [s, c]]) @ np.array([[aspect, -slant], [0.0, 1.0]])
    centre = pts.mean(0)
    amplitude = rng.uniform(0.0, 0.04) * size
    out = []
    for stroke in strokes:
        p = _resample(np.asarray(stroke, np.float64), size / 40)
        # Smooth wobble: a random walk, low-passed, plus a small offset per stroke.
        walk = np.cumsum(rng.normal(0, 1, p.shape), axis=0)
        kernel = np.ones(7) / 7
        if len(p) >= 7:
            walk = np.stack([np.convolve(walk[:, k], kernel, mode="same") for k in (0, 1)], 1)
        walk -= walk.mean(0)
        scale = max(float(np.abs(walk).max()), 1e-6)
        p = p + amplitude * walk / scale + rng.normal(0, 0.02 * size, 2)
        out.append((p - centre) @ matrix.T)
    return out


def place_on_canvas(
    strokes: Sequence[np.ndarray], rng: np.random.Generator, side: tuple[float, float] = (70, 250)
) -> Strokes:
    """Scale the drawing so its longer side is ``side`` px (random in the range) and move it
    anywhere on the 280x280 canvas, as users draw. Returns canvas-px polylines."""
    pts = np.vstack(strokes)
    lo, hi = pts.min(0), pts.max(0)
    scale = rng.uniform(*side) / max(float((hi - lo).max()), 1e-6)
    size = (hi - lo) * scale
    free = np.maximum(CANVAS - size - 12.0, 0)
    offset = 6.0 + rng.uniform(0, 1, 2) * free
    return [(np.asarray(s) - lo) * scale + offset for s in strokes]


def letter(rng: np.random.Generator, chars: str = NON_DIGIT_CHARACTERS) -> Strokes:
    """A letter or symbol from a random stroke font, pen-distorted (font units)."""
    choices = available(chars)
    font, char = choices[rng.integers(len(choices))]
    return pen_distort(glyph_strokes(char, font), rng)


def font_digit(rng: np.random.Generator, digit: int | None = None) -> tuple[Strokes, int]:
    """A digit from a random stroke font, pen-distorted (font units), and its label."""
    d = int(rng.integers(10)) if digit is None else int(digit)
    font = STROKE_FONTS[rng.integers(len(STROKE_FONTS))]
    return pen_distort(glyph_strokes(DIGIT_CHARACTERS[d], font), rng), d


def scribble(rng: np.random.Generator) -> Strokes:
    """A random pen path: a wandering curve, a zigzag, or a triangle/square/star/cross."""
    form = rng.integers(4)
    if form == 0:  # wandering curve: heading changes smoothly, 1-3 strokes
        strokes = []
        for _ in range(rng.integers(1, 4)):
            n = int(rng.integers(20, 80))
            heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.35, n))
            start = rng.uniform(-10, 10, 2)
            strokes.append(start + np.cumsum(np.stack([np.cos(heading), np.sin(heading)], 1), 0))
        return strokes
    if form == 1:  # zigzag
        k = int(rng.integers(4, 9))
        x = np.linspace(0, rng.uniform(10, 30), k)
        y = np.where(np.arange(k) % 2, 0.0, rng.uniform(5, 20)) + rng.normal(0, 1.5, k)
        return pen_distort([np.stack([x, y], 1)], rng)
    if form == 2:  # triangle, square or star polygon, closed
        k = int(rng.choice([3, 4, 5]))
        step = 2 if k == 5 else 1
        a = rng.uniform(0, 2 * np.pi) + 2 * np.pi * step * np.arange(k + 1) / k
        return pen_distort([np.stack([np.cos(a), np.sin(a)], 1) * 10], rng)
    # crossing lines: an X or a hash-like shape of 2-4 long strokes
    strokes = [rng.uniform(-10, 10, (2, 2)) * [1, 1] for _ in range(rng.integers(2, 5))]
    return pen_distort(strokes, rng)


def digit_pair(rng: np.random.Generator) -> Strokes:
    """Two font digits side by side (font units): several digits are not one digit."""
    left, _ = font_digit(rng)
    right, _ = font_digit(rng)
    lw = np.vstack(left)
    rw = np.vstack(right)
    gap = rng.uniform(-0.05, 0.4) * float(np.ptp(lw[:, 1]))
    shift = lw[:, 0].max() - rw[:, 0].min() + gap
    dy = rng.normal(0, 0.05) * float(np.ptp(lw[:, 1]))
    return list(left) + [s + [shift, dy] for s in right]


def digit_part(rng: np.random.Generator) -> Strokes:
    """The first 25-55 % of a font digit's pen path (font units): an unfinished drawing."""
    strokes, _ = font_digit(rng)
    lengths = [float(np.hypot(*np.diff(s, axis=0).T).sum()) if len(s) > 1 else 0 for s in strokes]
    keep = rng.uniform(0.25, 0.55) * sum(lengths)
    out = []
    for s, length in zip(strokes, lengths, strict=True):
        if keep <= 0:
            break
        if length <= keep:
            out.append(s)
        else:
            out.append(s[: max(2, int(len(s) * keep / max(length, 1e-9)))])
        keep -= length
    return out


_MAKERS = {"letter": letter, "scribble": scribble, "pair": digit_pair, "part": digit_part}


def line_like(strokes: Sequence[np.ndarray], ratio: float = 0.25) -> bool:
    """True when the ink is close to one straight line (its spread across its main direction
    under ``ratio`` of its length): a person reads that as a 1, so it is no non-digit."""
    pts = np.vstack(strokes)
    if len(pts) < 3:
        return True
    centred = pts - pts.mean(0)
    sv = np.linalg.svd(centred, compute_uv=False)
    return bool(sv[1] < ratio * max(float(sv[0]), 1e-9))


def drawing(kind: str, rng: np.random.Generator) -> Strokes:
    """One non-digit drawing of ``kind`` (see :data:`KINDS`) in canvas px, randomly placed;
    never one that is close to a straight line (:func:`line_like`)."""
    strokes = _MAKERS[kind](rng)
    for _ in range(20):
        if not line_like(strokes):
            break
        strokes = _MAKERS[kind](rng)
    return place_on_canvas(strokes, rng)


def render(strokes: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """A canvas drawing -> float32 ``(28, 28)`` model input in 0..1, through the canvas
    pipeline, with a pen from thin to thick (0.7-1.4 times the canvas's re-drawn width)."""
    pen = PEN_WIDTH * float(rng.uniform(0.7, 1.4))
    return strokes_to_input([s.tolist() for s in strokes], (CANVAS, CANVAS), pen_width=pen).image


def non_digit_inputs(
    n: int, seed: int = 0, mix: dict[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` synthetic non-digit model inputs and their kinds.

    Returns float32 ``(n, 28, 28)`` in 0..1 (white ink on black) and a str array ``(n,)`` of
    kinds, in a random order fixed by ``seed``.
    """
    mix = mix or DEFAULT_MIX
    names = list(mix)
    p = np.array([mix[k] for k in names], np.float64)
    rng = np.random.default_rng(seed)
    kinds = np.array(names)[rng.choice(len(names), n, p=p / p.sum())] if n else np.array([])
    x = np.zeros((n, 28, 28), np.float32)
    for i, kind in enumerate(kinds):
        x[i] = render(drawing(str(kind), rng), rng)
    return x, kinds.astype(str)


def font_digit_inputs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pen-distorted font digits as model inputs (float32 ``(n, 28, 28)``, 0..1) and
    their labels (int64 ``(n,)``): digits drawn the same way as the non-digits."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28), np.float32)
    y = np.zeros(n, np.int64)
    for i in range(n):
        strokes, y[i] = font_digit(rng)
        x[i] = render(place_on_canvas(strokes, rng), rng)
    return x, y
