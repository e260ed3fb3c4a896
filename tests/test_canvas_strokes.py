"""The canvas's drawing without a window: clipping, rescaling, smoothing, undo and redo."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model.preprocess.canvas_strokes import (
    MAX_UNDO_CLEARS,
    DrawnStroke,
    StrokeHistory,
    clip_polyline,
    scale_strokes,
    smooth_path_points,
    to_model_strokes,
)


def test_clip_keeps_a_polyline_that_stays_inside():
    pts = np.array([[1.0, 1.0], [50, 60], [99, 99]])
    (run,) = clip_polyline(pts, 100, 100)
    np.testing.assert_array_equal(run, pts)


def test_clip_cuts_a_stroke_that_leaves_and_comes_back_into_two_runs_ending_on_the_edge():
    pts = np.array([[50.0, 50], [150, 50], [150, 80], [50, 80]])
    runs = clip_polyline(pts, 100, 100)
    assert len(runs) == 2
    np.testing.assert_allclose(runs[0], [[50, 50], [100, 50]])
    np.testing.assert_allclose(runs[1], [[100, 80], [50, 80]])


def test_a_stroke_back_on_the_canvas_stays_one_run_through_its_points_inside():
    # In, out through the right edge, back in to a point inside, out through the bottom: two
    # runs, the second through the point inside exactly (once split there by a rounding).
    pts = np.array(
        [
            [-0.4943951070008339, 329.05152552918196],
            [295.97422228820824, 268.9495310172282],
            [131.99516952313286, 32.94916785572154],
            [260.7522314873232, 309.4120639133878],
        ]
    )
    runs = clip_polyline(pts, 280, 280)
    assert len(runs) == 2
    assert len(runs[1]) == 3
    np.testing.assert_array_equal(runs[1][1], pts[2])
    assert runs[1][0][0] == pytest.approx(280) and runs[1][2][1] == pytest.approx(280)


def test_clip_drops_points_outside_and_keeps_a_dot_inside():
    assert clip_polyline(np.array([[-5.0, 3.0]]), 10, 10) == []
    (dot,) = clip_polyline(np.array([[5.0, 3.0]]), 10, 10)
    np.testing.assert_array_equal(dot, [[5.0, 3.0]])
    assert clip_polyline(np.array([[-5.0, -5], [-1, -9]]), 10, 10) == []


def test_model_strokes_carry_width_and_eraser_flag():
    strokes = [DrawnStroke([(1, 1), (5, 5)], 9.0), DrawnStroke([(2, 2), (3, 3)], 20.0, True)]
    ms = to_model_strokes(strokes, 10, 10)
    assert [(s.width, s.erase) for s in ms] == [(9.0, False), (20.0, True)]


def test_scaling_moves_points_and_brush_together():
    (s,) = scale_strokes([DrawnStroke([(10, 20)], 8.0)], 1.5)
    assert s.points == [(15.0, 30.0)] and s.width == 12.0


def test_smooth_path_passes_through_the_ends_and_never_leaves_the_hull():
    pts = np.array([[0.0, 0], [10, 0], [10, 10], [0, 10]])
    pieces = smooth_path_points(pts)
    assert pieces[-1][1] == (0.0, 10.0)
    allp = np.array([p for piece in pieces for p in piece])
    assert allp.min() >= 0 and allp.max() <= 10


def test_history_undoes_and_redoes_strokes_and_clears():
    h = StrokeHistory()
    a, b = DrawnStroke([(0, 0)]), DrawnStroke([(1, 1)])
    h.add(a)
    h.add(b)
    assert h.undo() and h.strokes == [a]
    assert h.redo() and h.strokes == [a, b]
    assert h.clear() and h.strokes == []
    assert h.undo() and h.strokes == [a, b]  # a clear can be taken back
    assert h.redo() and h.strokes == []
    assert not h.redo()


def test_a_new_stroke_after_undo_forgets_the_redo():
    h = StrokeHistory()
    h.add(DrawnStroke([(0, 0)]))
    h.undo()
    h.add(DrawnStroke([(1, 1)]))
    assert not h.can_redo


def test_clearing_thousands_of_drawings_keeps_only_the_last_ones_for_undo():
    history = StrokeHistory()
    for i in range(MAX_UNDO_CLEARS * 3):
        history.add(DrawnStroke([(float(i), 0.0), (float(i), 10.0)], 5.0, False))
        assert history.clear()
    assert len(history._undo_clear) == MAX_UNDO_CLEARS
    assert history.undo() and history.strokes[0].points[0] == (float(MAX_UNDO_CLEARS * 3 - 1), 0.0)
