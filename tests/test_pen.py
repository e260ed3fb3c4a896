"""The pen every stroke is drawn with: each pixel covered as far as its centre is from the
polyline, wherever the polyline lies (far outside the raster included)."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model.preprocess.pen import draw_segments, erase_segments


def _reference(shape, points, width) -> np.ndarray:
    """The same coverage in float64, each pixel against every segment (slow and plain)."""
    rows, cols = shape
    pts = np.asarray(points, np.float64)
    if len(pts) == 1:
        pts = np.vstack([pts, pts])
    yy, xx = np.mgrid[0:rows, 0:cols] + 0.5
    best = np.full(shape, np.inf)
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        d = b - a
        len2 = float(d @ d)
        t = np.zeros(shape) if len2 == 0 else ((xx - a[0]) * d[0] + (yy - a[1]) * d[1]) / len2
        t = np.clip(t, 0.0, 1.0)
        best = np.minimum(best, np.hypot(xx - a[0] - t * d[0], yy - a[1] - t * d[1]))
    radius = max(width, 0.5) / 2
    return np.clip(radius - best + 0.5, 0.0, 1.0)


@pytest.mark.parametrize("seed", range(12))
def test_a_polyline_covers_each_pixel_as_far_as_its_centre_is_from_it(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    step = rng.choice([0.7, 3.0, 15.0])
    points = np.cumsum(rng.normal(0, step, (n, 2)), 0) + rng.uniform(-10, 70, 2)
    width = float(rng.uniform(0.3, 12.0))
    shape = (int(rng.integers(8, 70)), int(rng.integers(8, 70)))
    got = draw_segments(shape, points, width)
    assert got.dtype == np.float32 and got.shape == shape
    np.testing.assert_allclose(got, _reference(shape, points, width), atol=1e-4)


def test_a_line_from_far_outside_crosses_the_raster_and_nothing_else_is_inked():
    line = np.array([[-1e6, 20.0], [1e6, 20.0]])
    got = draw_segments((40, 50), line, 4.0)
    np.testing.assert_allclose(got, _reference((40, 50), line, 4.0), atol=1e-4)
    assert got[20].min() == 1.0 and got[:15].max() == 0.0 and got[26:].max() == 0.0
    assert draw_segments((40, 50), np.array([[-1e6, -1e6], [-1e5, 1e6]]), 4.0).max() == 0.0


def test_a_single_point_is_a_dot_and_ink_is_combined_by_maximum():
    dot = draw_segments((20, 20), np.array([[10.0, 10.0]]), 6.0)
    np.testing.assert_allclose(dot, _reference((20, 20), [[10.0, 10.0]], 6.0), atol=1e-4)
    out = np.full((20, 20), 0.5, np.float32)
    draw_segments((20, 20), np.array([[10.0, 10.0]]), 6.0, out=out)
    np.testing.assert_allclose(out, np.maximum(0.5, dot))


def test_the_eraser_takes_away_ink_as_far_as_it_covers_it():
    raster = np.ones((20, 20), np.float32)
    stroke = np.array([[2.0, 10.0], [18.0, 10.0]])
    erase_segments(raster, stroke, 4.0)
    np.testing.assert_allclose(raster, 1.0 - draw_segments((20, 20), stroke, 4.0))
