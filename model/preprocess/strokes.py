"""Pen strokes to the 28x28 input: validating them, drawing them, re-drawing them normalised.

The one path for drawings, shared by the canvas, ``digitlab classify --strokes`` and the
tests. The ink is re-drawn in the normalised frame with an MNIST-like pen width, so the result
does not depend on how large the digit was drawn or on the brush size (thin and thick brushes
read alike), then goes through :func:`~digitlab.model.preprocess.frame.normalise`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from digitlab.model import limits
from digitlab.model.preprocess.frame import (
    BOX,
    Preprocessed,
    PreprocessError,
    empty_input,
    height_stretch,
    normalise,
)
from digitlab.model.preprocess.pen import draw_segments, erase_segments

DEFAULT_BRUSH_FRACTION = 0.06
"""The app's default brush width as a fraction of the canvas's longer side (17 px on 280)."""
PEN_WIDTH = 2.4
"""Pen width, in px of the 28x28 frame, that strokes are re-drawn with (MNIST's strokes are
about 2-3 px wide there)."""
SUPERSAMPLE = 3
"""Strokes are drawn this many times finer than the final frame, then area-averaged."""
MAX_POINTS = limits.MAX_STROKE_POINTS
"""Drawings with more points than this are refused (a human digit has a few hundred)."""
MAX_COORDINATE = 1e6
"""Coordinates beyond this (in canvas px) are refused as nonsense."""


@dataclass(frozen=True)
class Stroke:
    """One pen-down stroke.

    Attributes
    ----------
    points : float64 array ``(n, 2)``, ``n >= 1``, canvas pixels, x right, y down.
    width : brush width in canvas pixels, or ``None`` for the app's default brush.
    erase : True for an eraser stroke, which removes ink instead of adding it.
    """

    points: np.ndarray
    width: float | None = None
    erase: bool = False


def as_strokes(raw: Iterable) -> list[Stroke]:
    """Validate strokes given as ``[[[x, y], ...], ...]`` (or :class:`Stroke` objects).

    Raises
    ------
    PreprocessError
        On anything that is not a list of point lists of finite, sane numbers, or on
        more than :data:`MAX_POINTS` points in all. Empty strokes are dropped.
    """
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
        raise PreprocessError("strokes must be a list of strokes, each a list of [x, y] points")
    strokes: list[Stroke] = []
    total = 0
    for i, item in enumerate(raw):
        if isinstance(item, Stroke):
            stroke = item
            pts = np.asarray(stroke.points, dtype=np.float64)
        else:
            try:
                pts = np.asarray(item, dtype=np.float64)
            except (TypeError, ValueError, OverflowError) as exc:  # Overflow: 10**400 from JSON
                raise PreprocessError(f"stroke {i} is not a list of [x, y] numbers") from exc
            stroke = None
        if pts.size == 0:
            continue
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise PreprocessError(f"stroke {i} is not a list of [x, y] points")
        if not np.isfinite(pts).all():
            raise PreprocessError(f"stroke {i} holds a NaN or infinite coordinate")
        if np.abs(pts).max() > MAX_COORDINATE:
            raise PreprocessError(f"stroke {i} holds a coordinate beyond {MAX_COORDINATE:g}")
        total += len(pts)
        if total > MAX_POINTS:
            raise PreprocessError(f"more than {MAX_POINTS} points: not a hand-drawn digit")
        if stroke is None:
            stroke = Stroke(pts)
        else:
            width = stroke.width
            if width is not None and not (np.isfinite(width) and 0 < width <= MAX_COORDINATE):
                raise PreprocessError(f"stroke {i} has an invalid width {width!r}")
            stroke = Stroke(pts, width, bool(stroke.erase))
        strokes.append(stroke)
    return strokes


def default_brush_width(canvas_size: Sequence[float]) -> float:
    """The app's default brush width, in canvas pixels, for a canvas ``(width, height)``."""
    return DEFAULT_BRUSH_FRACTION * float(max(canvas_size))


def _check_canvas(canvas_size: Sequence[float]) -> tuple[float, float]:
    try:
        w, h = (float(v) for v in canvas_size)
    except (TypeError, ValueError, OverflowError) as exc:
        raise PreprocessError("canvas must be [width, height]") from exc
    if not (
        np.isfinite(w) and np.isfinite(h) and 1 <= w <= MAX_COORDINATE and 1 <= h <= MAX_COORDINATE
    ):
        raise PreprocessError(
            f"canvas size {w:g}x{h:g} is not a sane size (1 to {MAX_COORDINATE:g} px a side)"
        )
    return w, h


def rasterize(
    strokes: Sequence[Stroke], canvas_size: Sequence[float], out_size: tuple[int, int] | None = None
) -> np.ndarray:
    """Draw the strokes as the canvas shows them (the user's own brush widths).

    Parameters
    ----------
    strokes : validated strokes (:func:`as_strokes`), canvas pixels.
    canvas_size : ``(width, height)`` in canvas pixels.
    out_size : ``(rows, cols)`` of the result; defaults to the canvas size.

    Returns
    -------
    float32 ``out_size`` in 0..1, white ink on black.
    """
    w, h = _check_canvas(canvas_size)
    rows, cols = out_size or (int(round(h)), int(round(w)))
    scale = np.array([cols / w, rows / h])
    raster = np.zeros((rows, cols), np.float32)
    brush = default_brush_width((w, h))
    for stroke in strokes:
        width = (stroke.width or brush) * float(scale.mean())
        pts = stroke.points * scale
        if stroke.erase:
            erase_segments(raster, pts, width)
        else:
            draw_segments((rows, cols), pts, width, out=raster)
    return raster


def _simplify(points: np.ndarray, min_step: float) -> np.ndarray:
    """Keep about one point per ``min_step`` of path length (always the first and last)."""
    if len(points) <= 2:
        return points
    steps = np.abs(np.diff(points, axis=0)).sum(1)
    bucket = np.floor(np.concatenate([[0.0], np.cumsum(steps)]) / min_step)
    keep = np.flatnonzero(np.diff(bucket, prepend=-1.0) > 0)
    if keep[-1] != len(points) - 1:
        keep = np.append(keep, len(points) - 1)
    return points[keep]


def strokes_to_input(
    raw_strokes: Iterable, canvas_size: Sequence[float], *, pen_width: float = PEN_WIDTH
) -> Preprocessed:
    """The model input for a drawing: the one path shared by the canvas, the CLI and tests.

    The ink is re-drawn in the normalised frame with a pen ``pen_width`` px wide (of 28), so
    the digit's size on the canvas and the brush size do not change what the model reads.
    A drawing more than :data:`~digitlab.model.preprocess.frame.MAX_ASPECT` times as wide as
    tall is re-drawn taller (its height stretched at most twice), with the same round pen.
    Eraser strokes remove ink in proportion to the brush they were drawn with.

    Parameters
    ----------
    raw_strokes : ``[[[x, y], ...], ...]`` in canvas pixels (y down) or :class:`Stroke` s.
    canvas_size : ``(width, height)`` of the canvas, pixels.

    Returns
    -------
    Preprocessed
        ``image`` float32 ``(28, 28)`` in 0..1, white ink on black; ``empty`` when there is
        no ink left.

    Raises
    ------
    PreprocessError
        For malformed strokes (see :func:`as_strokes`) or a bad canvas size.
    """
    cw, ch = _check_canvas(canvas_size)
    strokes = as_strokes(raw_strokes)
    ink = [s for s in strokes if not s.erase]
    if not ink:
        return empty_input()
    brush = default_brush_width((cw, ch))
    all_pts = np.vstack([s.points for s in ink])
    lo, hi = all_pts.min(0), all_pts.max(0)
    extent = float((hi - lo).max())
    ink_brush = float(np.median([s.width or brush for s in ink]))

    # Scale from canvas px to the 28-frame: the longest side of the ink, pen included, is 20.
    if extent < 0.5 * ink_brush:
        # A dot or a tiny scribble: keep its own proportions rather than a pen line.
        scale = BOX / (extent + ink_brush)
        width_28 = scale * ink_brush
    else:
        width_28 = pen_width
        scale = (BOX - pen_width) / extent
    thickness = width_28 / (scale * ink_brush)  # normalised width over natural width
    # Flat drawings are re-drawn taller (frame.MAX_ASPECT), with the same round pen.
    ink_w, ink_h = hi - lo
    taller = height_stretch(ink_w, ink_h) if extent >= 0.5 * ink_brush else 1.0
    stretch = np.array([1.0, taller])

    ss = SUPERSAMPLE
    margin = 4.0
    size = int(np.ceil((BOX + 2 * margin) * ss))
    centre = (lo + hi) / 2.0
    raster = np.zeros((size, size), np.float32)
    for stroke in strokes:
        pts = (stroke.points - centre) * stretch * (scale * ss) + size / 2.0
        pts = _simplify(pts, 1.0)
        if stroke.erase:
            width = (stroke.width or brush) * scale * thickness * ss
            erase_segments(raster, pts, width)
        else:
            draw_segments(raster.shape, pts, width_28 * ss, out=raster)

    notes = list(_drawing_notes(all_pts, extent, ink_brush, (cw, ch), taller))
    result = normalise(raster)
    if result.empty:
        return empty_input(tuple(notes))
    return replace(result, notes=tuple(notes), stretched=taller)


def _drawing_notes(
    points: np.ndarray,
    extent: float,
    brush: float,
    canvas: tuple[float, float],
    stretch: float,
) -> Iterable[str]:
    cw, ch = canvas
    if extent < 0.12 * max(cw, ch):
        yield "very small drawing: it is scaled up a lot"
    r = brush / 2
    if (
        points[:, 0].min() - r <= 0
        or points[:, 1].min() - r <= 0
        or points[:, 0].max() + r >= cw
        or points[:, 1].max() + r >= ch
    ):
        yield "touches the canvas edge: part of the digit may be cut off"
    if extent > 0 and brush / extent > 0.45:
        yield "very thick strokes for the digit's size"
    if stretch > 1.0:
        yield "very flat drawing: framed taller, like MNIST's flattest digits"
