"""A round, anti-aliased pen on a NumPy raster: the one way strokes become pixels.

The stroke path (:mod:`.strokes`) draws with it both the canvas's own brush and the MNIST-like
pen of the normalised frame; the augmentation (:mod:`.augment`) draws its pen marks with it.
"""

from __future__ import annotations

import numpy as np

PIECE = 2.0
"""Longest piece, px along either axis, a segment is measured in: each piece's distances are
computed over a small square of pixels around it (speed only; the ink is the same)."""
CHUNK_PIXELS = 1 << 20
"""Most (piece, pixel) distances held at once (4 MiB of float32)."""


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
    a, b = pts[:-1], pts[1:]
    lo, hi = (-reach, -reach), (cols + reach, rows + reach)
    if (pts.min(0) < lo).any() or (pts.max(0) > hi).any():  # only ink near the raster counts
        a, b = _clip_segments(a, b, lo, hi)
    a, b = _pieces(a, b)
    # Each piece is measured over the square of pixels it can reach (its own, not the whole
    # drawing's bounding box: the work follows the length of the ink), in a raster padded by
    # one square on every side so that squares at the edge need no clipping.
    side = int(np.ceil(PIECE + 2 * reach)) + 1
    wide = cols + 2 * side
    best = np.full((rows + 2 * side) * wide, np.inf, np.float32)  # squared distance to ink
    origin = np.floor(np.minimum(a, b) - reach).astype(np.intp)  # each square's (x, y)
    offsets = np.arange(side)[:, None] * wide + np.arange(side)[None, :]
    grid = np.arange(side, dtype=np.float32) + 0.5
    step = max(1, CHUNK_PIXELS // (side * side))
    for s in range(0, len(a), step):
        o = origin[s : s + step]
        local = (a[s : s + step] - o).astype(
            np.float32
        )  # square coordinates: float32 is exact enough
        ab = (b[s : s + step] - a[s : s + step]).astype(np.float32)
        len2 = (ab * ab).sum(1)
        inv = np.where(len2 > 0, 1.0 / np.where(len2 > 0, len2, 1.0), 0.0).astype(np.float32)
        dx = grid[None, None, :] - local[:, 0, None, None]
        dy = grid[None, :, None] - local[:, 1, None, None]
        bx, by = ab[:, 0, None, None], ab[:, 1, None, None]
        t = (dx * bx + dy * by) * inv[:, None, None]  # where along the piece is nearest
        np.clip(t, 0.0, 1.0, out=t)
        dx = dx - t * bx
        dy = dy - t * by
        d2 = dx * dx
        d2 += dy * dy
        start = (o[:, 1] + side) * wide + (o[:, 0] + side)
        np.minimum.at(best, (start[:, None, None] + offsets[None]).ravel(), d2.ravel())
    near = best.reshape(rows + 2 * side, wide)[side : side + rows, side : side + cols]
    cover = np.clip(radius - np.sqrt(near) + 0.5, 0.0, 1.0).astype(np.float32)
    np.maximum(out, cover, out=out)
    return out


def _clip_segments(
    a: np.ndarray, b: np.ndarray, lo: tuple[float, float], hi: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """The parts of segments ``a[i] -> b[i]`` (float ``(n, 2)``) inside the box ``lo..hi``
    (Liang-Barsky); segments wholly outside are dropped, ends inside are kept exactly."""
    d = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t_lo = (np.asarray(lo) - a) / d
        t_hi = (np.asarray(hi) - a) / d
    flat = d == 0  # parallel to that axis: inside the box's band, or never
    inside = (a >= lo) & (a <= hi)
    enter = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t_lo, t_hi)).max(1)
    leave = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t_lo, t_hi)).min(1)
    t0, t1 = np.maximum(enter, 0.0), np.minimum(leave, 1.0)
    keep = t0 <= t1
    a, b, d, t0, t1 = a[keep], b[keep], d[keep], t0[keep, None], t1[keep, None]
    return np.where(t0 > 0, a + t0 * d, a), np.where(t1 < 1, a + t1 * d, b)


def _pieces(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments ``a -> b`` cut into equal pieces no longer than :data:`PIECE` along either
    axis (most pen segments are shorter already and stay as they are)."""
    n = np.maximum(np.ceil(np.abs(b - a).max(1, initial=0.0) / PIECE), 1).astype(np.intp)
    if len(n) == 0 or n.max() == 1:
        return a, b
    which = np.repeat(np.arange(len(a)), n)
    k = np.arange(len(which)) - np.repeat(np.cumsum(n) - n, n)
    d = (b - a)[which]
    first, last = (k / n[which])[:, None], ((k + 1) / n[which])[:, None]
    return a[which] + d * first, a[which] + d * last


def erase_segments(raster: np.ndarray, points: np.ndarray, width: float) -> None:
    """Remove ink in place along a polyline, in proportion to the pen's coverage.

    Parameters
    ----------
    raster : float32 ``(rows, cols)`` in 0..1, written into.
    points, width : as for :func:`draw_segments`.
    """
    mask = draw_segments(raster.shape, points, width)
    np.multiply(raster, 1.0 - mask, out=raster)
