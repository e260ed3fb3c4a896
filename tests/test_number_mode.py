"""The Draw tab's Number mode, driven like a user: switch with N, write a number on the wide
canvas, watch each digit boxed and read, click a digit for its bars and maps."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import open_window
from PySide6.QtCore import Qt

from digitlab.app.live.inference_worker import InferenceWorker
from digitlab.app.selftest.support import draw_strokes
from digitlab.model.nets.light_inference import LightCore
from digitlab.model.segment.written import number_paths

TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def _write(qtbot, win, text):
    canvas = win.draw_tab.number_canvas
    draw_strokes(canvas, number_paths(text, canvas.canvas_size()))
    view = win.draw_tab.number_view
    qtbot.waitUntil(lambda: view.painted_revision == canvas.revision, timeout=TIMEOUT_MS)
    return view.shown


@pytest.mark.slow
def test_n_switches_to_a_wide_canvas_and_back_each_keeping_its_drawing(qtbot, window):
    tab = window.draw_tab
    tab.canvas.setFocus()
    qtbot.keyClick(tab.canvas, Qt.Key.Key_N)
    assert tab.number_mode and tab.number_view.isVisible() and not tab.canvas.isVisible()
    canvas = tab.number_canvas
    assert canvas.width() / canvas.height() == pytest.approx(3.0, abs=0.05)
    assert tab.probabilities.isVisible()  # the bars came along for the chosen digit
    _write(qtbot, window, "12")
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: canvas.width() > 600, timeout=TIMEOUT_MS)
    assert canvas.width() / canvas.height() == pytest.approx(3.0, abs=0.05)
    qtbot.keyClick(canvas, Qt.Key.Key_N)
    assert not tab.number_mode and tab.canvas.isVisible() and tab.probabilities.isVisible()
    assert tab.canvas.is_empty() and not canvas.is_empty()


@pytest.mark.slow
def test_writing_a_number_boxes_each_digit_and_both_models_read_it(qtbot, window):
    tab = window.draw_tab
    tab.set_number_mode(True)
    shown = _write(qtbot, window, "407")
    assert shown.reading.text("cnn") == "407"
    assert "CNN reads 407" in tab.number_view.headline.text()
    assert "Dense reads" in tab.number_view.headline.text()
    assert len(tab.number_canvas.boxes) == 3
    cards = [c for c in tab.number_view.cards if c.isVisible()]
    assert len(cards) == 3 and cards[0].text().startswith("CNN 4")
    # The panels show the last digit (the one being written) until another is clicked.
    assert shown.selected == 2
    assert "reads 7" in tab.probabilities.headers["cnn"].text()


@pytest.mark.slow
def test_clicking_a_digit_shows_its_bars_and_maps(qtbot, window):
    tab = window.draw_tab
    tab.set_number_mode(True)
    _write(qtbot, window, "58")
    qtbot.mouseClick(tab.number_view.cards[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.number_view.shown.selected == 0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: "reads 5" in tab.probabilities.headers["cnn"].text(), timeout=TIMEOUT_MS
    )
    assert tab.number_canvas.selected == 0
    assert tab.activations.painted_revision == tab.number_canvas.revision


@pytest.mark.slow
def test_tab_reaches_the_digits_and_space_chooses_one(qtbot, window):
    tab = window.draw_tab
    tab.set_number_mode(True)
    _write(qtbot, window, "58")
    qtbot.waitUntil(lambda: tab.number_view.shown.selected == 1, timeout=TIMEOUT_MS)
    tab.number_canvas.setFocus()
    window.focusNextChild()  # Tab from the paper
    card = window.focusWidget()
    assert card is tab.number_view.cards[0] and card.accessibleName() == "Digit 1"
    assert card.accessibleDescription().startswith("CNN 5")
    qtbot.keyClick(card, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab.number_view.shown.selected == 0, timeout=TIMEOUT_MS)


@pytest.mark.slow
def test_undo_and_clear_work_on_the_number_canvas_in_number_mode(qtbot, window):
    tab = window.draw_tab
    tab.set_number_mode(True)
    _write(qtbot, window, "36")
    tab.undo_action.trigger()  # the 6 goes
    view = tab.number_view
    qtbot.waitUntil(lambda: view.painted_revision == tab.number_canvas.revision)
    assert view.shown.reading.text("cnn") == "3"
    tab.clear_action.trigger()
    qtbot.waitUntil(lambda: view.painted_revision == tab.number_canvas.revision)
    assert view.shown.reading.empty and not any(c.isVisible() for c in view.cards)
    assert tab.canvas.revision == 0  # the digit canvas was not touched


def test_the_inference_thread_reads_a_number_and_details_the_chosen_digit():
    worker = InferenceWorker(core_factory=LightCore)
    worker.setup()
    canvas = (900.0, 300.0)
    strokes = [np.asarray(s, float) for s in number_paths("2026", canvas)]
    result = worker.answer_number(7, strokes, canvas, selected=1)
    assert result.revision == 7 and result.reading.text("cnn") == "2026"
    assert result.selected == 1
    assert int(np.argmax(result.detail.probabilities["cnn"])) == 0
    assert result.detail.mosaics["cnn"]  # the maps are built off the GUI thread
    last = worker.answer_number(8, strokes, canvas, selected=None)
    assert last.selected == 3
