"""The drawing canvas widget driven with real mouse events (its geometry: test_canvas_strokes)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from digitlab.app.cli.common import preprocess_stroke_record
from digitlab.app.draw.canvas import DrawingCanvas
from digitlab.model.preprocess.canvas_strokes import DrawnStroke, strokes_record
from digitlab.model.preprocess.strokes import default_brush_width, strokes_to_input


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
        cli_input, preprocess_stroke_record(strokes_record(canvas.strokes(), 280, 280))
    )


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


def test_a_preview_shows_other_strokes_without_touching_the_drawing_or_its_undo(qtbot, canvas):
    _draw(qtbot, canvas, POINTS)
    _draw(qtbot, canvas, [(60, 60), (90, 90)])
    canvas.undo()  # one step to redo
    drawing = [list(s.points) for s in canvas.strokes()]
    frame = [DrawnStroke([(20.0, 20.0), (260.0, 260.0)], 12.0)]
    with qtbot.waitSignal(canvas.strokes_changed):
        canvas.show_preview(frame)
    assert canvas.previewing and [s.points for s in canvas.strokes()] == [frame[0].points]
    assert canvas.grab().toImage().pixelColor(140, 140).lightness() < 80  # the frame's ink
    canvas.show_preview([])
    assert canvas.is_empty()
    with qtbot.waitSignal(canvas.strokes_changed):
        canvas.end_preview()
    assert not canvas.previewing and [list(s.points) for s in canvas.strokes()] == drawing
    assert canvas.history.can_redo
    canvas.redo()
    assert len(canvas.strokes()) == 2
    canvas.undo()
    canvas.undo()
    assert canvas.is_empty() and not canvas.history.can_undo


def test_drawing_or_undoing_during_a_preview_ends_it_first(qtbot, canvas):
    _draw(qtbot, canvas, POINTS)
    canvas.show_preview([])
    _draw(qtbot, canvas, [(60, 60), (90, 90)])
    assert not canvas.previewing and len(canvas.strokes()) == 2
    canvas.show_preview([])
    canvas.undo()
    assert not canvas.previewing and len(canvas.strokes()) == 1


def test_the_stroke_in_progress_is_drawn_along_the_same_curve_as_it_grows():
    from digitlab.app.draw.stroke_painting import GrowingPath, smoothed_path

    def elements(path):
        return [(e.type, e.x, e.y) for e in (path.elementAt(i) for i in range(path.elementCount()))]

    rng = np.random.default_rng(3)
    growing = GrowingPath()
    stroke = DrawnStroke([(100.0, 100.0)])
    for _ in range(60):
        stroke.points.append(tuple(np.add(stroke.points[-1], rng.normal(0, 5, 2)).tolist()))
        assert elements(growing.path(stroke)) == elements(smoothed_path(stroke.points))
    other = DrawnStroke([(1.0, 2.0), (3.0, 4.0), (5.0, 7.0)])  # a new stroke starts afresh
    assert elements(growing.path(other)) == elements(smoothed_path(other.points))
