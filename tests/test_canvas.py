"""The drawing canvas: pure stroke geometry, and the widget driven with real mouse events."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from digitlab.app.draw.canvas import (
    DrawingCanvas,
    DrawnStroke,
    StrokeHistory,
    clip_polyline,
    scale_strokes,
    smooth_path_points,
    strokes_record,
    to_model_strokes,
)
from digitlab.app.cli.common import preprocess_stroke_record
from digitlab.model.preprocess.pipeline import default_brush_width, strokes_to_input

# --------------------------------------------------------------------------- pure geometry


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


# --------------------------------------------------------------------------- the widget


@pytest.fixture
def canvas(qtbot):
    widget = DrawingCanvas()
    widget.resize(280, 280)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


POINTS = [(140, 50), (150, 90), (150, 140), (146, 190), (140, 230)]


def _draw(qtbot, canvas, points, button=Qt.MouseButton.LeftButton):
    qtbot.mousePress(canvas, button, pos=QPoint(*points[0]))
    for p in points[1:]:
        qtbot.mouseMove(canvas, QPoint(*p))
    qtbot.mouseRelease(canvas, button, pos=QPoint(*points[-1]))


def test_a_mouse_stroke_gives_exactly_the_input_classify_strokes_gives(qtbot, canvas, tmp_path):
    _draw(qtbot, canvas, POINTS)
    assert [tuple(map(int, p)) for p in canvas.history.strokes[0].points] == POINTS
    canvas_input = strokes_to_input(canvas.model_strokes(), canvas.canvas_size())
    # The same points as a `digitlab classify --strokes` line (default brush, 280x280).
    record = {"strokes": [[list(p) for p in POINTS]], "canvas": [280, 280]}
    line = tmp_path / "drawing.jsonl"
    line.write_text(json.dumps(record) + "\n")
    cli_input = preprocess_stroke_record(json.loads(line.read_text()))
    assert canvas.brush_width() == default_brush_width((280, 280))
    np.testing.assert_array_equal(canvas_input.image, cli_input)
    np.testing.assert_array_equal(
        cli_input, preprocess_stroke_record(strokes_record(canvas.strokes(), 280, 280)))


def test_every_move_emits_the_drawing_not_only_the_release(qtbot, canvas):
    seen = []
    canvas.strokes_changed.connect(lambda rev: seen.append(len(canvas.model_strokes()[0].points)))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*POINTS[0]))
    for p in POINTS[1:3]:
        qtbot.mouseMove(canvas, QPoint(*p))
    assert seen == [1, 2, 3]  # press, then each move, before any release
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*POINTS[2]))


def test_a_single_click_makes_a_dot(qtbot, canvas):
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    (stroke,) = canvas.model_strokes()
    assert len(stroke.points) == 1
    assert not strokes_to_input(canvas.model_strokes(), canvas.canvas_size()).empty


def test_strokes_leaving_the_canvas_are_clipped_at_the_edge(qtbot, canvas):
    _draw(qtbot, canvas, [(200, 100), (260, 100), (400, 100)])
    (stroke,) = canvas.model_strokes()
    assert stroke.points[:, 0].max() == pytest.approx(280.0)


def test_undo_redo_and_clear_by_keyboard(qtbot, canvas):
    _draw(qtbot, canvas, POINTS)
    _draw(qtbot, canvas, [(60, 60), (90, 90)])
    canvas.undo()
    assert len(canvas.history.strokes) == 1
    canvas.redo()
    assert len(canvas.history.strokes) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert canvas.is_empty()
    canvas.undo()
    assert len(canvas.history.strokes) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.is_empty()


def test_the_eraser_removes_ink_from_the_model_input(qtbot, canvas):
    _draw(qtbot, canvas, [(60, 140), (220, 140)])
    _draw(qtbot, canvas, [(140, 60), (140, 220)])
    before = strokes_to_input(canvas.model_strokes(), canvas.canvas_size()).image
    canvas.set_erasing(True)
    canvas.set_brush_width(40)
    _draw(qtbot, canvas, [(140, 60), (140, 220)])
    strokes = canvas.model_strokes()
    assert strokes[-1].erase and strokes[-1].width == 40
    after = strokes_to_input(strokes, canvas.canvas_size()).image
    assert after.sum() < before.sum() * 0.8


def test_right_button_erases_too(qtbot, canvas):
    _draw(qtbot, canvas, POINTS)
    _draw(qtbot, canvas, POINTS, button=Qt.MouseButton.RightButton)
    assert canvas.model_strokes()[-1].erase
    assert canvas.is_empty() is False  # erased strokes still count as drawn until ink is gone


def test_resizing_keeps_the_drawing_in_place_and_the_input_unchanged(qtbot, canvas):
    _draw(qtbot, canvas, POINTS)
    before = strokes_to_input(canvas.model_strokes(), canvas.canvas_size()).image
    canvas.resize(420, 420)
    qtbot.waitUntil(lambda: canvas.width() == 420)
    assert canvas.history.strokes[0].points[0] == pytest.approx((210.0, 75.0))
    after = strokes_to_input(canvas.model_strokes(), canvas.canvas_size()).image
    np.testing.assert_allclose(after, before, atol=0.02)


def test_the_canvas_paints_the_strokes_it_keeps(qtbot, canvas):
    _draw(qtbot, canvas, POINTS)
    image = canvas.grab().toImage()
    assert image.pixelColor(150, 140).lightness() < 80  # ink under the stroke
    assert image.pixelColor(40, 140).lightness() > 200  # paper elsewhere


def test_clearing_thousands_of_drawings_keeps_only_the_last_ones_for_undo():
    from digitlab.app.draw.canvas import MAX_UNDO_CLEARS, DrawnStroke, StrokeHistory

    history = StrokeHistory()
    for i in range(MAX_UNDO_CLEARS * 3):
        history.add(DrawnStroke([(float(i), 0.0), (float(i), 10.0)], 5.0, False))
        assert history.clear()
    assert len(history._undo_clear) == MAX_UNDO_CLEARS
    assert history.undo() and history.strokes[0].points[0] == (float(MAX_UNDO_CLEARS * 3 - 1), 0.0)
