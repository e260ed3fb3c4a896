"""Turn pen strokes or pictures into the 28x28 input the models read, the way MNIST was made.

MNIST digits were cropped to their ink, scaled (aspect kept) so the longer side is 20 px with
anti-aliasing, then placed in a 28x28 field so the centre of mass sits at the centre. This
module does the same, NumPy only, for two sources:

* strokes (the canvas, ``digitlab classify --strokes``): the ink is re-drawn in the normalised
  frame with an MNIST-like pen width, so the result does not depend on how large the digit was
  drawn or on the brush size (thin and thick brushes read alike);
* images (files, dropped pictures): polarity is detected, the paper is removed, and the ink
  goes through the same crop / fit / centre steps.

Everything returns a :class:`Preprocessed` whose ``image`` is float32 ``(28, 28)`` in 0..1,
white digit on black, exactly like ``mnist.x_test / 255``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
import functools

import numpy as np

SIDE = 28
"""Side of the model input, px."""
BOX = 20
"""Longer side of the ink after fitting, px (as MNIST)."""
CENTRE = (14.0, 14.0)
"""Where the centre of mass lands (row, column); the mean over MNIST's training set."""

DEFAULT_BRUSH_FRACTION = 0.06
"""The app's default brush width as a fraction of the canvas's longer side (17 px on 280)."""
PEN_WIDTH = 2.4
"""Pen width, in px of the 28x28 frame, that strokes are re-drawn with (MNIST's strokes are
about 2-3 px wide there)."""
SUPERSAMPLE = 3
"""Strokes are drawn this many times finer than the final frame, then area-averaged."""
RUN_OF_SEGMENTS = 32
"""Segments measured together over their shared window when drawing (speed only)."""
MAX_POINTS = 20_000
"""Drawings with more points than this are refused (a human digit has a few hundred)."""
MAX_COORDINATE = 1e6
"""Coordinates beyond this (in canvas px) are refused as nonsense."""
INK_THRESHOLD = 0.08
"""Pixels below this (0..1) do not count as ink when cropping an image."""


class PreprocessError(ValueError):
    """The strokes or the image cannot be read as a drawing (the message says why)."""


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


@dataclass(frozen=True)
class Preprocessed:
    """The model input and what it took to get there.

    Attributes
    ----------
    image : float32 ``(28, 28)`` in 0..1, white ink on black; zeros when ``empty``.
    empty : True when nothing was drawn (no model should be asked).
    fitted : float32 ``(h, w)`` with ``max(h, w) == 20``: the ink scaled to the 20-px box,
        before it was placed by its centre of mass (``(0, 0)`` when empty).
    notes : short sentences about how far the drawing is from what MNIST looks like
        (too small, touching the edge, ...), for the user; empty when all is well.
    cropped : float32 ``(h, w)`` in 0..1: the ink cropped to its bounding box, before it was
        scaled (for strokes, as re-drawn with the MNIST-like pen at :data:`SUPERSAMPLE` times
        the final resolution; ``(0, 0)`` when empty). A byproduct of the same path, kept for
        the "step by step" view; nothing reads it to make :attr:`image`.
    placed_at : ``(top, left)`` of the fitted box in the 28x28 field.
    centre_of_mass : ``(row, col)`` of the fitted ink's centre of mass, in ``fitted`` pixels
        (it lands on :data:`CENTRE` unless the box would leave the field).
    """

    image: np.ndarray
    empty: bool
    fitted: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    notes: tuple[str, ...] = ()
    cropped: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    placed_at: tuple[int, int] = (0, 0)
    centre_of_mass: tuple[float, float] = (0.0, 0.0)


def _empty(notes: tuple[str, ...] = ()) -> Preprocessed:
    return Preprocessed(np.zeros((SIDE, SIDE), np.float32), True, notes=notes)


# --------------------------------------------------------------------------- strokes


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
    if not (np.isfinite(w) and np.isfinite(h) and 0 < w <= MAX_COORDINATE and 0 < h <= MAX_COORDINATE):
        raise PreprocessError(f"canvas size {w:g}x{h:g} is not a sane size")
    return w, h


def draw_segments(
    shape: tuple[int, int], points: np.ndarray, width: float, out: np.ndarray | None = None
) -> np.ndarray:
    """Draw a polyline with a round, anti-aliased pen.

    Parameters
    ----------
    shape : ``(rows, cols)`` of the raster.
    points : float ``(n, 2)`` as (x, y) in raster pixels (pixel ``(r, c)`` covers
        ``[c, c+1) x [r, r+1)``); one point draws a dot.
    width : pen diameter in raster pixels.
    out : optional float32 raster to draw into (ink is combined by maximum).

    Returns
    -------
    float32 ``shape`` in 0..1: the coverage of each pixel by the pen.
    """
    rows, cols = shape
    if out is None:
        out = np.zeros(shape, np.float32)
    pts = np.asarray(points, np.float64)
    if len(pts) == 0:
        return out
    radius = max(width, 0.5) / 2.0
    if len(pts) == 1:
        pts = np.vstack([pts, pts])
    best = np.full(shape, np.inf, np.float32)
    reach = radius + 1.0
    # Consecutive segments lie close together: measure each run of them only over the
    # pixels near it, so the cost follows the ink, not the drawing's bounding box.
    run = RUN_OF_SEGMENTS
    for s in range(0, len(pts) - 1, run):
        part = pts[s : s + run + 1]
        lo = np.floor(part.min(0) - reach).astype(int)
        hi = np.ceil(part.max(0) + reach).astype(int)
        c0, r0 = max(lo[0], 0), max(lo[1], 0)
        c1, r1 = min(hi[0], cols), min(hi[1], rows)
        if c0 >= c1 or r0 >= r1:
            continue
        local = (part - (c0, r0)).astype(np.float32)  # window coordinates, float32 for speed
        a = local[:-1]
        ab = local[1:] - a
        len2 = (ab**2).sum(1)
        inv = np.where(len2 > 0, 1.0 / np.where(len2 > 0, len2, 1.0), 0.0).astype(np.float32)
        dx = (np.arange(c1 - c0, dtype=np.float32) + 0.5)[None, None, :] - a[:, 0, None, None]
        dy = (np.arange(r1 - r0, dtype=np.float32) + 0.5)[None, :, None] - a[:, 1, None, None]
        bx, by = ab[:, 0, None, None], ab[:, 1, None, None]
        t = np.clip((dx * bx + dy * by) * inv[:, None, None], 0.0, 1.0)
        dx = dx - t * bx
        dy = dy - t * by
        d2 = (dx * dx + dy * dy).min(0)
        window = best[r0:r1, c0:c1]
        np.minimum(window, d2, out=window)
    cover = np.clip(radius - np.sqrt(best) + 0.5, 0.0, 1.0).astype(np.float32)
    np.maximum(out, cover, out=out)
    return out


def _erase_segments(raster: np.ndarray, points: np.ndarray, width: float) -> None:
    mask = draw_segments(raster.shape, points, width)
    np.multiply(raster, 1.0 - mask, out=raster)


def rasterize(
    strokes: Sequence[Stroke],
    canvas_size: Sequence[float],
    out_size: tuple[int, int] | None = None,
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
            _erase_segments(raster, pts, width)
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
    raw_strokes: Iterable,
    canvas_size: Sequence[float],
    *,
    pen_width: float = PEN_WIDTH,
) -> Preprocessed:
    """The model input for a drawing: the one path shared by the canvas, the CLI and tests.

    The ink is re-drawn in the normalised frame with a pen ``pen_width`` px wide (of 28), so
    the digit's size on the canvas and the brush size do not change what the model reads.
    Eraser strokes remove ink in proportion to the brush they were drawn with.

    Parameters
    ----------
    raw_strokes : ``[[[x, y], ...], ...]`` in canvas pixels (y down) or :class:`Stroke` s.
    canvas_size : ``(width, height)`` of the canvas, pixels.

    Returns
    -------
    Preprocessed
        ``empty`` when there is no ink left.

    Raises
    ------
    PreprocessError
        For malformed strokes (see :func:`as_strokes`) or a bad canvas size.
    """
    cw, ch = _check_canvas(canvas_size)
    strokes = as_strokes(raw_strokes)
    ink = [s for s in strokes if not s.erase]
    if not ink:
        return _empty()
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

    ss = SUPERSAMPLE
    margin = 4.0
    size = int(np.ceil((BOX + 2 * margin) * ss))
    centre = (lo + hi) / 2.0
    raster = np.zeros((size, size), np.float32)
    for stroke in strokes:
        pts = (stroke.points - centre) * (scale * ss) + size / 2.0
        pts = _simplify(pts, 1.0)
        if stroke.erase:
            width = (stroke.width or brush) * scale * thickness * ss
            _erase_segments(raster, pts, width)
        else:
            draw_segments(raster.shape, pts, width_28 * ss, out=raster)

    notes = list(_drawing_notes(all_pts, extent, ink_brush, (cw, ch)))
    result = normalise(raster)
    if result.empty:
        return _empty(tuple(notes))
    return replace(result, notes=tuple(notes))


def _drawing_notes(
    points: np.ndarray, extent: float, brush: float, canvas: tuple[float, float]
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


# --------------------------------------------------------------------------- images


@functools.lru_cache(maxsize=1024)
def _resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """``(n_out, n_in)`` weights mapping a row of ``n_in`` pixels to ``n_out``.

    Downscaling averages the exact area each output pixel covers (anti-aliasing, as MNIST
    was made); upscaling interpolates linearly between pixel centres.
    """
    if n_out <= n_in:
        edges = np.linspace(0.0, n_in, n_out + 1)
        left = np.arange(n_in)[None, :]
        overlap = np.minimum(edges[1:, None], left + 1) - np.maximum(edges[:-1, None], left)
        m = np.clip(overlap, 0.0, None)
        return (m / m.sum(1, keepdims=True)).astype(np.float32)
    centres = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    centres = np.clip(centres, 0, n_in - 1)
    lo = np.floor(centres).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = centres - lo
    m = np.zeros((n_out, n_in), np.float32)
    m[np.arange(n_out), lo] += 1 - frac
    m[np.arange(n_out), hi] += frac
    return m


def normalise(ink: np.ndarray, threshold: float = 0.0) -> Preprocessed:
    """Crop to the ink, fit the longer side to 20 px, place by centre of mass in 28x28.

    Parameters
    ----------
    ink : float ``(h, w)`` in 0..1, ink bright on black, any size.
    threshold : pixels at or below this do not count when finding the ink's bounding box.

    Returns
    -------
    Preprocessed
        ``empty`` when no pixel is above ``threshold``.
    """
    ink = np.asarray(ink, np.float32)
    if ink.ndim != 2:
        raise PreprocessError(f"expected a 2-D image, got shape {ink.shape}")
    mask = ink > threshold
    if not mask.any():
        return _empty()
    rows = np.flatnonzero(mask.any(1))
    cols = np.flatnonzero(mask.any(0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    f = BOX / max(h, w)
    nh, nw = max(1, int(round(h * f))), max(1, int(round(w * f)))
    fitted = _resample_matrix(h, nh) @ crop @ _resample_matrix(w, nw).T
    fitted = np.clip(fitted, 0.0, 1.0).astype(np.float32)
    mass = float(fitted.sum())
    if mass <= 0:
        return _empty()
    ry, rx = np.indices(fitted.shape)
    com_r = float((ry * fitted).sum()) / mass
    com_c = float((rx * fitted).sum()) / mass
    top = int(round(CENTRE[0] - com_r))
    left = int(round(CENTRE[1] - com_c))
    # Keep the whole box inside the field (MNIST never cut a digit off).
    top = min(max(top, 0), SIDE - nh)
    left = min(max(left, 0), SIDE - nw)
    image = np.zeros((SIDE, SIDE), np.float32)
    image[top : top + nh, left : left + nw] = fitted
    return Preprocessed(image, False, fitted, cropped=crop, placed_at=(top, left),
                        centre_of_mass=(com_r, com_c))


def to_grey(pixels: np.ndarray) -> np.ndarray:
    """Any decoded picture to float32 greyscale in 0..1.

    Parameters
    ----------
    pixels : ``(h, w)``, ``(h, w, 1)``, ``(h, w, 3)`` or ``(h, w, 4)``; uint8, uint16, bool or
        float (floats are taken as 0..1). An alpha channel is composited on white paper.
    """
    a = np.asarray(pixels)
    if a.ndim not in (2, 3) or a.size == 0:
        raise PreprocessError(f"an image must be 2-D (or 2-D with channels), got shape {a.shape}")
    if a.dtype == np.bool_:
        a = a.astype(np.float32)
    elif np.issubdtype(a.dtype, np.integer):
        top = 65535.0 if a.dtype.itemsize > 1 else 255.0
        a = a.astype(np.float32) / top
    elif np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float32)
    else:
        raise PreprocessError(f"unsupported pixel type {a.dtype}")
    if not np.isfinite(a).all():
        raise PreprocessError("the image holds NaN or infinite pixels")
    a = np.clip(a, 0.0, 1.0)
    if a.ndim == 3:
        channels = a.shape[2]
        if channels == 4 or channels == 2:
            alpha = a[..., -1:]
            colour = a[..., :-1]
            a = colour * alpha + (1.0 - alpha)  # transparent = white paper
            channels -= 1
        if channels == 3:
            a = a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        elif channels == 1:
            a = a[..., 0]
        else:
            raise PreprocessError(f"unsupported number of channels: {a.shape[2]}")
    return np.ascontiguousarray(a, dtype=np.float32)


def image_to_input(pixels: np.ndarray) -> Preprocessed:
    """The model input for a picture of a digit, dark-on-light or light-on-dark.

    The paper's shade is taken from the border; ink is whatever differs from it. A blank
    picture (all one shade) is ``empty``.

    Parameters
    ----------
    pixels : see :func:`to_grey`.
    """
    grey = to_grey(pixels)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    if paper > 0.5:
        ink = paper - grey
    else:
        ink = grey - paper
    ink = np.clip(ink, 0.0, None)
    peak = float(ink.max())
    if peak < 0.15:
        return _empty()
    ink = np.clip(ink / peak, 0.0, 1.0)
    ink[ink < INK_THRESHOLD] = 0.0
    return normalise(ink, threshold=0.0)


def as_model_batch(images: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Stack ``(28, 28)`` inputs into the models' float32 ``(n, 28, 28, 1)`` batch."""
    batch = np.asarray(images, dtype=np.float32)
    if batch.ndim == 2:
        batch = batch[None]
    if batch.ndim == 3:
        batch = batch[..., None]
    if batch.shape[1:] != (SIDE, SIDE, 1):
        raise PreprocessError(f"expected (n, 28, 28[, 1]) inputs, got {batch.shape}")
    return np.ascontiguousarray(batch)
