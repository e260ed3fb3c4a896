"""A round, anti-aliased pen on a NumPy raster: the one way strokes become pixels.

The stroke path (:mod:`.strokes`) draws with it both the canvas's own brush and the MNIST-like
pen of the normalised frame; the augmentation (:mod:`.augment`) draws its pen marks with it.
"""

from __future__ import annotations

import numpy as np

RUN_OF_SEGMENTS = 32
"""Segments measured together over their shared window when drawing (speed only)."""


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


def erase_segments(raster: np.ndarray, points: np.ndarray, width: float) -> None:
    """Remove ink in place along a polyline, in proportion to the pen's coverage.

    Parameters
    ----------
    raster : float32 ``(rows, cols)`` in 0..1, written into.
    points, width : as for :func:`draw_segments`.
    """
    mask = draw_segments(raster.shape, points, width)
    np.multiply(raster, 1.0 - mask, out=raster)
