"""The Explain tab, driven like a user: draw, look at why, click a bar, replay, hover."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from gui_support import open_window
from PySide6.QtCore import Qt

from digitlab.app.selftest.support import draw_digit, draw_strokes, path_points
from digitlab.model.data.bundled import MODELS_DIR
from digitlab.model.explain.at_scale import round_count

TIMEOUT_MS = 120_000
FOUR = [[(0.55, 0.15), (0.25, 0.6), (0.75, 0.6)], [(0.6, 0.35), (0.6, 0.88)]]
UNDERLINED_FOUR = FOUR + [[(0.3, 0.93), (0.8, 0.93)]]


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)  # the top-digit cache goes to the session's test data folder


def _explained(qtbot, win, draw):
    """Draw on the Draw tab, open the Explain tab, wait for the current drawing's explanation."""
    tab = win.explain_tab
    win.tabs.setCurrentWidget(win.draw_tab)
    win.draw_tab.canvas.clear()
    draw(win.draw_tab.canvas)
    canvas = win.draw_tab.canvas
    qtbot.waitUntil(
        lambda: win.live.latest is not None and win.live.latest.revision == canvas.revision,
        timeout=TIMEOUT_MS,
    )
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(
        lambda: tab.latest is not None and tab.latest.revision == canvas.revision,
        timeout=TIMEOUT_MS,
    )
    return tab.latest


def _plain(label) -> str:
    return re.sub("<[^>]+>", "", label.text())


def _seven(canvas):
    draw_digit(canvas, 7)


def _four(canvas):
    size = (canvas.width(), canvas.height())
    draw_strokes(canvas, [path_points(p, size) for p in FOUR])


@pytest.mark.slow
def test_the_explain_tab_shows_where_each_model_looked_at_the_drawn_seven(qtbot, window):
    ex = _explained(qtbot, window, _seven)
    tab = window.explain_tab
    assert ex.targets == {"cnn": 7, "dense": 7}
    ink = ex.preprocessed.image > 0.3
    for key in ("cnn-occlusion", "dense-occlusion", "cnn-gradcam"):
        values = tab.maps[key].values
        assert values.shape == (28, 28) and values.max() > 0
        assert values[ink].mean() > values[~ink].mean()
        np.testing.assert_array_equal(
            tab.maps[key].image.image, (ex.preprocessed.image * 255 + 0.5).astype(np.uint8)
        )
    assert (
        "CNN reads 7" in _plain(tab.reading) and "P(7)" in tab.maps["cnn-occlusion"].caption.text()
    )


@pytest.mark.slow
def test_clicking_a_bar_on_the_draw_tab_explains_that_class(qtbot, window):
    _explained(qtbot, window, _seven)
    window.tabs.setCurrentWidget(window.draw_tab)
    plot = window.draw_tab.probabilities.plots["cnn"]
    qtbot.mouseClick(plot, Qt.MouseButton.LeftButton, pos=plot.to_widget(3.0, 0.02).toPoint())
    tab = window.explain_tab
    assert tab.target_class() == 3
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(
        lambda: tab.latest is not None and tab.latest.targets == {"cnn": 3, "dense": 3},
        timeout=TIMEOUT_MS,
    )
    assert "P(3)" in tab.maps["cnn-occlusion"].caption.text()
    assert "explaining class 3" in _plain(tab.reading)


@pytest.mark.slow
def test_the_overlay_toggle_and_opacity_slider_change_the_maps(qtbot, window):
    _explained(qtbot, window, _seven)
    tab = window.explain_tab
    overlays = [view.overlay for view in tab.maps.values()]
    assert all(o.isVisible() for o in overlays)
    tab.opacity.setValue(30)
    assert all(o.opacity() == pytest.approx(0.3) for o in overlays)
    tab.overlay_toggle.setChecked(False)
    assert not any(o.isVisible() for o in overlays)


@pytest.mark.slow
def test_the_steps_show_each_stage_of_the_one_preprocessing_path(qtbot, window):
    ex = _explained(qtbot, window, _seven)
    steps = window.explain_tab.steps
    pre = ex.preprocessed
    assert steps.shown["raw"] == (84, 84)
    assert steps.shown["cropped"] == pre.cropped.shape
    assert steps.shown["fitted"] == pre.fitted.shape and max(pre.fitted.shape) == 20
    assert steps.shown["input"] == (28, 28)
    np.testing.assert_array_equal(
        steps.images["input"].image, (pre.image * 255 + 0.5).astype(np.uint8)
    )
    top, left = pre.placed_at
    rect = steps.box_outline.rect()
    assert (rect.left(), rect.top(), rect.width(), rect.height()) == (
        left,
        top,
        pre.fitted.shape[1],
        pre.fitted.shape[0],
    )


@pytest.mark.slow
def test_the_history_has_a_point_per_stroke_and_the_replay_redraws_the_strokes(qtbot, window):
    ex = _explained(qtbot, window, _four)
    tab = window.explain_tab
    canvas = window.draw_tab.canvas
    assert {name: h.shape for name, h in ex.history.items()} == {"cnn": (2, 10), "dense": (2, 10)}
    x, y = tab.history.curves["cnn"].getData()
    assert list(x) == [1.0, 2.0] and y[-1] == pytest.approx(float(ex.probabilities["cnn"].max()))
    assert tab.history.labels["cnn"][1].toPlainText() == str(
        int(np.argmax(ex.probabilities["cnn"]))
    )
    before = [list(s.points) for s in canvas.strokes()]
    seen = []
    window.live.result.connect(lambda r: seen.append(len(r.probabilities)))
    qtbot.mouseClick(tab.replay_button, Qt.MouseButton.LeftButton)
    assert tab.replaying and tab.replay_button.text() == "Stop the replay"
    qtbot.waitUntil(lambda: not tab.replaying, timeout=TIMEOUT_MS)
    assert [list(s.points) for s in canvas.strokes()] == before
    assert len(seen) >= 3  # the answers moved while the strokes came back
    assert not tab.history.cursor.isVisible()


@pytest.mark.slow
def test_replaying_the_drawing_leaves_its_undo_and_redo_as_they_were(qtbot, window):
    def three_strokes(canvas):
        size = (canvas.width(), canvas.height())
        draw_strokes(canvas, [path_points(p, size) for p in UNDERLINED_FOUR])

    _explained(qtbot, window, three_strokes)
    tab = window.explain_tab
    canvas = window.draw_tab.canvas
    drawn = [list(s.points) for s in canvas.strokes()]
    assert len(drawn) == 3
    qtbot.mouseClick(tab.replay_button, Qt.MouseButton.LeftButton)
    assert tab.replaying
    qtbot.waitUntil(lambda: not tab.replaying, timeout=TIMEOUT_MS)
    assert [list(s.points) for s in canvas.strokes()] == drawn
    for left in (2, 1, 0):  # the strokes come off one by one, as before the replay
        canvas.undo()
        assert [list(s.points) for s in canvas.strokes()] == drawn[:left]
    assert not canvas.history.can_undo  # no replay frame hides behind them
    for count in (1, 2, 3):
        canvas.redo()
        assert [list(s.points) for s in canvas.strokes()] == drawn[:count]
    assert not canvas.history.can_redo


@pytest.mark.slow
def test_hovering_a_kernel_shows_the_mnist_digits_that_drive_it_hardest(qtbot, window):
    _explained(qtbot, window, _seven)
    tab = window.explain_tab
    tab.pages.setCurrentIndex(0)
    qtbot.waitUntil(
        lambda: "cnn" in tab.top and "dense" in tab.top and tab.digits is not None,
        timeout=TIMEOUT_MS,
    )
    assert tab.filters.cells[("cnn", "conv1")][2].count == 32
    assert tab.filters.cells[("cnn", "conv2")][2].count == 64 * 32
    assert tab.filters.cells[("dense", "hidden")][2].count == 128
    tab.filters.hover("cnn", "conv2", 5)
    indices = tab.top["cnn"]["conv2"][5]
    assert tab.digit_strip.indices == list(indices) and len(indices) == 9
    np.testing.assert_array_equal(tab.digit_strip.image.image[:, :28], tab.digits[indices[0]])
    assert "conv2 kernel 5" in tab.filter_label.text()
    tab.filters.hover("dense", "hidden", 127)
    assert tab.digit_strip.indices == list(tab.top["dense"]["hidden"][127])


@pytest.mark.slow
def test_the_receptive_field_table_is_read_from_the_models(qtbot, window):
    _explained(qtbot, window, _seven)
    fields = window.explain_tab.fields
    qtbot.waitUntil(lambda: fields.rowCount() >= 10, timeout=TIMEOUT_MS)
    sizes = [fields.cell_text("cnn", n, 3) for n in ("conv1", "pool1", "conv2", "pool2")]
    assert sizes == ["3×3 px", "4×4 px", "8×8 px", "10×10 px"]
    assert fields.cell_text("dense", "hidden", 3) == "all 28×28 px"


def test_at_scale_gives_misreadings_a_day_for_the_number_typed(qtbot, window):
    panel = window.explain_tab.at_scale
    assert panel.events.value() == 1_000_000
    rows = {
        (panel.table.item(r, 0).text(), panel.table.item(r, 1).text()): r
        for r in range(panel.table.rowCount())
    }
    # The expected misreadings follow the bundled models' stored MNIST test accuracy.
    metrics = json.loads((MODELS_DIR / "metrics.json").read_text("utf-8"))
    errors = {n: round((1 - metrics[n]["test_accuracy"]) * 10_000) for n in ("cnn", "dense")}
    # Rounded as the sentence rounds them (two significant figures in the thousands).
    first = panel.table.item(rows[("MNIST test", "CNN")], 3).text()
    assert first == round_count(errors["cnn"] * 100)
    panel.set_events(2_000_000)
    cnn, dense = (round_count(errors[n] * 200) for n in ("cnn", "dense"))
    assert panel.table.item(rows[("MNIST test", "CNN")], 3).text() == cnn
    assert panel.table.item(rows[("MNIST test", "Dense network")], 3).text() == dense
    assert "Out of 2,000,000 digits a day" in _plain(panel.sentence)
    assert re.search(r"saves about [\d,]+ misreadings a day", _plain(panel.sentence))


@pytest.mark.slow
def test_nothing_is_explained_while_the_tab_is_hidden(qtbot, window):
    _explained(qtbot, window, _seven)
    worker = window.explain_tab.explainer.worker
    window.tabs.setCurrentWidget(window.draw_tab)
    qtbot.waitUntil(lambda: worker.idle, timeout=TIMEOUT_MS)
    count = worker.explained_count
    canvas = window.draw_tab.canvas
    canvas.clear()
    draw_digit(canvas, 1)
    qtbot.waitUntil(lambda: window.live.latest.revision == canvas.revision, timeout=TIMEOUT_MS)
    qtbot.wait(300)
    assert worker.explained_count == count


@pytest.mark.slow
def test_the_draw_tab_overlay_shows_where_the_cnn_looked_while_drawing(qtbot, window):
    overlay = window.explain_tab.draw_overlay
    tab = window.explain_tab
    worker = tab.explainer.worker
    assert not overlay.enabled and not overlay.overlay.isVisible()
    overlay.toggle.setChecked(True)
    canvas = window.draw_tab.canvas
    window.tabs.setCurrentWidget(window.draw_tab)
    draw_digit(canvas, 7)
    qtbot.waitUntil(
        lambda: tab.latest is not None and tab.latest.revision == canvas.revision,
        timeout=TIMEOUT_MS,
    )
    assert overlay.overlay.isVisible()
    np.testing.assert_array_equal(overlay.values, np.clip(tab.latest.occlusion["cnn"], 0, None))
    ink = tab.latest.preprocessed.image > 0.3
    assert overlay.values[ink].mean() > overlay.values[~ink].mean()
    overlay.choice.setCurrentIndex(1)  # Grad-CAM
    np.testing.assert_array_equal(overlay.values, tab.latest.gradcam["cnn"].input_map)
    overlay.opacity.setValue(40)
    assert overlay.overlay.opacity() == pytest.approx(0.4)
    overlay.toggle.setChecked(False)
    assert not overlay.overlay.isVisible()
    qtbot.waitUntil(lambda: worker.idle, timeout=TIMEOUT_MS)  # one may have been under way
    count = worker.explained_count
    canvas.clear()
    draw_digit(canvas, 1)
    qtbot.waitUntil(lambda: window.live.latest.revision == canvas.revision, timeout=TIMEOUT_MS)
    qtbot.wait(300)
    assert worker.explained_count == count  # off again: drawing asks for no explanation


@pytest.mark.slow
def test_a_new_live_model_is_explained_too(qtbot, window):
    from digitlab.model.data.bundled import bundled_model_path

    _explained(qtbot, window, _seven)
    worker = window.explain_tab.explainer.worker
    with qtbot.waitSignal(worker.model_changed, timeout=TIMEOUT_MS) as blocker:
        window.live.set_model("dense", bundled_model_path("dense"))
    assert blocker.args[0].name == "dense"
    assert window.explain_tab.filters.cells[("dense", "hidden")][2].count == 128


@pytest.mark.slow
def test_after_restore_bundled_models_the_bundled_models_are_explained_again(qtbot, window):
    from gui_support import shared_core

    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.inference import copy_model
    from digitlab.model.nets.model_files import load_model

    bundled = load_model(bundled_model_path("dense"))
    mine = copy_model(bundled)
    mine.set_weights([np.zeros_like(w) for w in mine.get_weights()])  # a model of the user's
    _explained(qtbot, window, _seven)
    worker = window.explain_tab.explainer.worker
    try:
        with qtbot.waitSignal(worker.model_changed, timeout=TIMEOUT_MS):
            window.live.set_model("dense", mine)
        assert not np.any(worker.explainer.model("dense").get_weights()[-1])
        # Wait for both: the live set is back too.
        with qtbot.waitSignals(
            [window.live.models_ready, worker.model_changed], timeout=TIMEOUT_MS
        ):
            window.live.restore_digit_models()
        explained = worker.explainer.model("dense")
        assert np.array_equal(explained.get_weights()[-1], bundled.get_weights()[-1])
    finally:
        # The swap went into the models shared by the GUI tests (restoring made the window a
        # new set): put the bundled one back there for the tests that follow.
        shared_core().set_model("dense", bundled_model_path("dense"))


@pytest.mark.slow
def test_a_drawing_on_its_way_is_said_to_be_worked_out_not_asked_for(qtbot, window):
    from digitlab.model.explain.readings import EMPTY_READING, PENDING_READING

    tab, canvas = window.explain_tab, window.draw_tab.canvas
    assert _plain(tab.reading) == EMPTY_READING  # nothing drawn yet
    _seven(canvas)
    qtbot.waitUntil(lambda: window.live.latest.revision == canvas.revision, timeout=TIMEOUT_MS)
    window.tabs.setCurrentWidget(tab)  # shown: the drawing is sent to be explained at once
    assert tab.latest is None and PENDING_READING.split("…")[0] in _plain(tab.reading)
    qtbot.waitUntil(lambda: tab.latest is not None, timeout=TIMEOUT_MS)
    assert "reads 7" in _plain(tab.reading)
