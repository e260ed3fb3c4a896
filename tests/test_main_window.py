"""The main window, driven like a user: draw, watch both models answer, undo, clear."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from gui_support import open_window, wait_for_maps
from PySide6.QtCore import QEvent, Qt

from digitlab.app.selftest.support import draw_digit, send_mouse
from digitlab.model.preprocess.strokes import strokes_to_input

TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def _answered(win):
    latest = win.live.latest
    canvas = win.draw_tab.canvas
    assert latest is not None and latest.revision == canvas.revision
    assert win.draw_tab.painted_revision() >= canvas.revision


def _draw_and_wait(qtbot, win, digit):
    draw_digit(win.draw_tab.canvas, digit)
    qtbot.waitUntil(lambda: _answered(win), timeout=TIMEOUT_MS)
    return win.live.latest


def test_the_window_opens_with_draw_explain_and_model_tabs_and_a_hook_for_more(window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Draw", "Explain", "Explore", "My handwriting", "Model"]
    from PySide6.QtWidgets import QLabel

    index = window.add_tab(QLabel("extra"), "Extra")
    assert window.tabs.tabText(index) == "Extra"


def test_an_empty_canvas_says_draw_a_digit_and_asks_no_model(qtbot, window):
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert "Draw a digit" in window.draw_tab.probabilities.banner.text()
    assert window.live.runs == 0
    assert window.live.latest.empty


def test_drawing_shows_the_input_both_models_bars_and_maps(qtbot, window):
    result = _draw_and_wait(qtbot, window, 1)
    tab = window.draw_tab
    canvas = tab.canvas
    expected = strokes_to_input(canvas.model_strokes(), canvas.canvas_size())
    np.testing.assert_array_equal(result.preprocessed.image, expected.image)
    np.testing.assert_allclose(tab.input_view.view.image / 255.0, expected.image, atol=0.5 / 255)
    for name, plot in tab.probabilities.plots.items():
        heights = np.asarray(plot.bars.heights)
        np.testing.assert_allclose(heights, result.probabilities[name], rtol=1e-6)
        assert int(np.argmax(result.probabilities[name])) == 1
    assert "Both models read 1" in tab.probabilities.banner.text()
    assert "reads 1" in tab.probabilities.headers["cnn"].text()
    wait_for_maps(qtbot, window)
    shapes = {key: cell.image.image.shape[:2] for key, cell in tab.activations.cells.items()}
    assert set(shapes) == {
        ("cnn", n) for n in ("conv1", "pool1", "conv2", "pool2", "dense", "output")
    } | {("dense", "hidden"), ("dense", "output")}
    assert shapes[("cnn", "conv1")] == (4 * 27 - 1, 8 * 27 - 1)


def test_bars_and_maps_change_when_the_drawing_changes(qtbot, window):
    first = _draw_and_wait(qtbot, window, 1)
    wait_for_maps(qtbot, window)
    cells = window.draw_tab.activations.cells
    maps_before = {k: c.image.image.copy() for k, c in cells.items()}
    bars_before = np.asarray(window.draw_tab.probabilities.plots["cnn"].bars.heights)
    window.draw_tab.canvas.clear()
    second = _draw_and_wait(qtbot, window, 7)
    assert second.revision > first.revision
    bars_after = np.asarray(window.draw_tab.probabilities.plots["cnn"].bars.heights)
    assert not np.allclose(bars_before, bars_after)
    for key, cell in cells.items():
        assert not np.array_equal(maps_before[key], cell.image.image), key


def test_answers_arrive_while_the_pen_moves_not_only_on_release(qtbot, window):
    canvas = window.draw_tab.canvas
    send_mouse(canvas, QEvent.Type.MouseButtonPress, (150, 60))
    for y in range(70, 200, 10):
        send_mouse(canvas, QEvent.Type.MouseMove, (150, y))
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert canvas._current is not None  # still drawing
    assert not window.live.latest.empty
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, (150, 200))


def test_undo_redo_and_clear_shortcuts_update_the_answer(qtbot, window):
    _draw_and_wait(qtbot, window, 7)
    canvas = window.draw_tab.canvas
    runs = window.live.runs
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert canvas.is_empty() and window.live.latest.empty
    assert window.live.runs == runs  # the emptied canvas asked no model
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert not window.live.latest.empty
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert window.live.latest.empty


def test_hovering_a_map_describes_the_unit_and_outlines_its_receptive_field(qtbot, window):
    _draw_and_wait(qtbot, window, 7)
    tab = window.draw_tab
    view = tab.activations
    cell = view.cells[("cnn", "conv2")]
    channel, row, col = 9, 2, 3
    top, left = cell.layer.layout.cell_origin(channel)
    at = cell.image.widget_point(top + row + 0.5, left + col + 0.5)
    send_mouse(cell.image, QEvent.Type.MouseMove, (at.x(), at.y()), Qt.MouseButton.NoButton)
    assert f"channel {channel}" in tab.hover_label.text()
    assert f"row {row}, col {col}" in tab.hover_label.text()
    assert tab.input_view.view.outline() == (2 * row, 2 * col, 8, 8)


def test_the_model_tab_counts_the_real_parameters(window):
    tab = window.model_tab
    assert "225,034" in tab.totals["cnn"].text()
    assert "101,770" in tab.totals["dense"].text()
    texts = [tab.compare.item(r, c).text() for r in range(tab.compare.rowCount()) for c in range(3)]
    assert "99.2%" in texts and "97.8%" in texts
    assert "34,826" not in " ".join(texts)


def test_the_model_tab_puts_the_pen_drawn_accuracy_beside_mnist(window):
    from digitlab.app.model_info.tab import load_pen_accuracy

    pen = load_pen_accuracy()
    assert set(pen) == {"cnn", "dense"}
    rows = {
        window.model_tab.compare.item(r, 0).text(): r
        for r in range(window.model_tab.compare.rowCount())
    }
    row = next(r for label, r in rows.items() if label.startswith("Pen-drawn digits"))
    cnn = window.model_tab.compare.item(row, 1).text()
    assert cnn == f"{pen['cnn'][0]:.2%}" and float(cnn.rstrip("%")) > 95


@pytest.mark.slow
def test_a_model_swapped_live_is_used_for_the_next_answer(qtbot, window):
    import keras

    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.architectures import build_dense

    first = _draw_and_wait(qtbot, window, 7)
    keras.utils.set_random_seed(1)
    fresh = build_dense()
    expected = np.asarray(fresh(first.preprocessed.image[None, ..., None]))[0]
    try:
        with qtbot.waitSignal(window.live.model_set, timeout=TIMEOUT_MS) as blocker:
            window.live.set_model("dense", fresh)
        assert blocker.args == ["dense", ""]
        qtbot.waitUntil(
            lambda: np.allclose(window.live.latest.probabilities["dense"], expected, atol=1e-5),
            timeout=TIMEOUT_MS,
        )
        assert "replaced" in window.model_tab.totals["dense"].text()
    finally:  # the core is shared by the whole session: put the bundled model back
        with qtbot.waitSignal(window.live.model_set, timeout=TIMEOUT_MS):
            window.live.set_model("dense", bundled_model_path("dense"))


def test_a_bad_model_is_refused_and_live_inference_goes_on(qtbot, window):
    with qtbot.waitSignal(window.live.model_set, timeout=TIMEOUT_MS) as blocker:
        window.live.set_model("dense", "/nonexistent/model.keras")
    assert blocker.args[1]
    _draw_and_wait(qtbot, window, 1)


@pytest.mark.slow
def test_the_selftest_command_passes():
    proc = subprocess.run(
        [sys.executable, "-m", "digitlab.app", "selftest"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"draw_predict": "pass"' in proc.stdout.strip().splitlines()[-1]


def test_answers_that_come_while_another_tab_is_shown_are_drawn_when_the_draw_tab_returns(
    qtbot, window
):
    first = _draw_and_wait(qtbot, window, 1)
    painted = window.draw_tab.painted_revision()
    window.tabs.setCurrentWidget(window.model_tab)
    canvas = window.draw_tab.canvas
    canvas.clear()
    draw_digit(canvas, 7)  # e.g. the drawing changed by undo while the Train tab was open
    qtbot.waitUntil(lambda: window.live.latest.revision == canvas.revision, timeout=TIMEOUT_MS)
    assert window.draw_tab.painted_revision() == painted  # nothing drawn that nobody sees
    covered = window.live.latest
    assert covered.probabilities and not covered.coloured  # no maps built that nobody sees
    window.tabs.setCurrentWidget(window.draw_tab)
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert first.revision < window.draw_tab.painted_revision()
    assert int(np.argmax(window.live.latest.probabilities["cnn"])) == 7
    # The maps shown on return are the ones a drawing made with the tab open gets.
    full = window.live.worker.answer_input(covered.revision, covered.preprocessed)
    for (name, layer), cell in window.draw_tab.activations.cells.items():
        np.testing.assert_array_equal(cell.image.image, full.coloured[name][layer])
