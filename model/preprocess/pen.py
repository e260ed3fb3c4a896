"""A round, anti-aliased pen on a NumPy raster: the one way strokes become pixels.

The stroke path (:mod:`.strokes`) draws with it both the canvas's own brush and the MNIST-like
pen of the normalised frame; the augmentation (:mod:`.augment`) draws its pen marks with it.
"""

from __future__ import annotations

import numpy as np

RUN = 32
"""Segments that share one origin for their float32 coordinates (the drawn values depend on
it in the last bit, and a last bit can move a crop by a pixel: see :func:`draw_segments`)."""
LONG = 64.0
"""Segments longer than this along an axis (px) are cut into pieces this long, so that no
square of pixels measured at once is larger (a line from far outside the raster included)."""
CHUNK_PIXELS = 1 << 20
"""Most (segment, pixel) distances held at once (4 MiB of float32)."""


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
    float32 ``shape`` in 0..1: the coverage of each pixel by the pen (``out`` when given).

    Each segment's distances are measured over the square of pixels it can reach, so the work
    follows the length of the ink, not the drawing's bounding box. The values are those of
    the earlier drawing by runs of :data:`RUN` segments to the last bit (the same float32
    coordinates and operations): the preprocessing crops at the first non-zero pixel, so a
    last-bit change at the pen's edge moved about a quarter of the pen-drawn dev digits' crops
    by a pixel.
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
    reach = radius + 1.0
    a, b, base = _segments(pts, reach, rows, cols)
    if len(a) == 0:
        return out  # nothing near the raster
    extent = np.abs(b - a).max(1, initial=0.0)
    sides = (np.ceil(extent + 2 * reach) + 1).astype(np.intp)
    pad = int(sides.max(initial=1))
    wide = cols + 2 * pad
    best = np.full((rows + 2 * pad) * wide, np.inf, np.float32)  # squared distance to ink
    square = np.floor(np.minimum(a, b) - reach).astype(np.intp)  # each square's (x, y)
    inside = (square < (cols, rows)).all(1) & (square + sides[:, None] > 0).all(1)
    # Squares of about one size are measured together (most pen segments are a pixel long).
    size_class = np.ceil(np.log2(sides)).astype(np.intp)
    if inside.all() and size_class.min() == size_class.max():
        groups: list = [slice(None)]  # the usual case: one batch, no copies
    else:
        groups = [np.flatnonzero(inside & (size_class == c)) for c in np.unique(size_class[inside])]
    for which in groups:
        side = int(sides[which].max())
        step = max(1, CHUNK_PIXELS // (side * side))
        parts = (a[which], b[which], base[which], square[which])
        for s in range(0, len(parts[0]), step):
            _measure(best, wide, pad, side, *(part[s : s + step] for part in parts))
    near = best.reshape(rows + 2 * pad, wide)[pad : pad + rows, pad : pad + cols]
    cover = np.clip(radius - np.sqrt(near) + 0.5, 0.0, 1.0).astype(np.float32)
    np.maximum(out, cover, out=out)
    return out


def _segments(
    pts: np.ndarray, reach: float, rows: int, cols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(a, b, base)``: each segment's ends (float ``(m, 2)``, x and y) and the integer
    origin of its coordinates (``(m, 2)``: its run's window corner, as drawn by runs).

    Segments longer than :data:`LONG` are first cut to the raster (plus the pen's reach) and
    into pieces; only such segments' last bits can differ from drawing by runs."""
    a, b = pts[:-1], pts[1:]
    n = len(a)
    starts = np.arange(0, n, RUN)
    low = np.minimum(np.minimum.reduceat(a, starts, axis=0), pts[np.minimum(starts + RUN, n)])
    base = np.repeat(np.maximum(np.floor(low - reach), 0).astype(np.intp), RUN, axis=0)[:n]
    long = np.abs(b - a).max(1) > LONG
    if long.any():
        inside, ca, cb = clip_segments(
            a[long], b[long], (-reach, -reach), (cols + reach, rows + reach)
        )
        pa, pb, pbase = _pieces(ca, cb, base[long][inside])
        keep = ~long
        a, b, base = (np.concatenate([x[keep], y]) for x, y in ((a, pa), (b, pb), (base, pbase)))
    return a, b, base


def _measure(best, wide, pad, side, a, b, base, square) -> None:
    """Lower ``best`` (the padded raster's squared distances, flat) to each segment
    ``a -> b``'s over its ``side`` x ``side`` square at ``square``, in the float32
    coordinates of its ``base`` (the operations of the drawing by runs, in their order)."""
    la = (a - base).astype(np.float32)
    ab = (b - base).astype(np.float32) - la
    len2 = (ab**2).sum(1)
    inv = np.where(len2 > 0, 1.0 / np.where(len2 > 0, len2, 1.0), 0.0).astype(np.float32)
    offset = square - base  # the square's corner in the segment's coordinates (integers)
    cells = np.arange(side)
    dx = ((offset[:, 0, None] + cells).astype(np.float32) + 0.5)[:, None, :] - la[:, 0, None, None]
    dy = ((offset[:, 1, None] + cells).astype(np.float32) + 0.5)[:, :, None] - la[:, 1, None, None]
    bx, by = ab[:, 0, None, None], ab[:, 1, None, None]
    t = np.clip((dx * bx + dy * by) * inv[:, None, None], 0.0, 1.0)
    dx = dx - t * bx
    dy = dy - t * by
    d2 = dx * dx + dy * dy
    start = (square[:, 1] + pad) * wide + (square[:, 0] + pad)
    flat = start[:, None, None] + (cells[:, None] * wide + cells[None, :])[None]
    np.minimum.at(best, flat.ravel(), d2.ravel())


def clip_segments(
    a: np.ndarray, b: np.ndarray, lo: tuple[float, float], hi: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parts of segments ``a[i] -> b[i]`` (float ``(n, 2)``) inside the box ``lo..hi``
    (Liang-Barsky, edges included).

    Returns ``(inside, a', b')``: bool ``(n,)``, true for the segments with a part in the box,
    and those parts' ends, float ``(k, 2)`` each (``k = inside.sum()``): an end in the box is
    kept exactly, one outside is moved onto the box's edge (to within a rounding).
    """
    d = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t_lo = (np.asarray(lo) - a) / d
        t_hi = (np.asarray(hi) - a) / d
    flat = d == 0  # parallel to that axis: inside the box's band, or never
    in_band = (a >= lo) & (a <= hi)
    enter = np.where(flat, np.where(in_band, -np.inf, np.inf), np.minimum(t_lo, t_hi)).max(1)
    leave = np.where(flat, np.where(in_band, np.inf, -np.inf), np.maximum(t_lo, t_hi)).min(1)
    t0, t1 = np.maximum(enter, 0.0), np.minimum(leave, 1.0)
    inside = t0 <= t1
    a, b, d, t0, t1 = a[inside], b[inside], d[inside], t0[inside, None], t1[inside, None]
    return inside, np.where(t0 > 0, a + t0 * d, a), np.where(t1 < 1, a + t1 * d, b)


def _pieces(
    a: np.ndarray, b: np.ndarray, base: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments ``a -> b`` cut into equal pieces no longer than :data:`LONG` along either
    axis, each with its segment's ``base``."""
    n = np.maximum(np.ceil(np.abs(b - a).max(1, initial=0.0) / LONG), 1).astype(np.intp)
    which = np.repeat(np.arange(len(a)), n)
    k = np.arange(len(which)) - np.repeat(np.cumsum(n) - n, n)
    d = (b - a)[which]
    first, last = (k / n[which])[:, None], ((k + 1) / n[which])[:, None]
    return a[which] + d * first, a[which] + d * last, base[which]


def erase_segments(raster: np.ndarray, points: np.ndarray, width: float) -> None:
    """Remove ink in place along a polyline, in proportion to the pen's coverage.

    Parameters
    ----------
    raster : float32 ``(rows, cols)`` in 0..1, written into.
    points, width : as for :func:`draw_segments`.
    """
    mask = draw_segments(raster.shape, points, width)
    np.multiply(raster, 1.0 - mask, out=raster)
