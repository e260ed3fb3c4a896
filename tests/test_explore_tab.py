"""The Explore tab, driven like a user: draw, see where it lands, hover, push it, fool it."""

from __future__ import annotations

import re

import numpy as np
import pytest
from gui_support import open_window

from digitlab.app.selftest.support import draw_digit

TIMEOUT_MS = 120_000
SIZES = (1000, 3000)
"""Test and training digits the tab maps here (the app maps 10,000 and 60,000)."""


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


@pytest.fixture
def explore(qtbot, window, tmp_path):
    """The window's Explore tab rebuilt on fewer digits, with its own cache folder."""
    from digitlab.app.explore.tab import ExploreTab
    from digitlab.app.explore.worker import ExploreThread

    thread = ExploreThread(cache_dir=lambda: tmp_path, sizes=SIZES)
    tab = ExploreTab(window.live, thread, canvas=window.draw_tab.canvas)
    old = window.late_tabs.put("Explore", tab)
    if old is not None:
        old.shutdown()
    yield tab


def _drawn_seven(qtbot, win, tab):
    win.tabs.setCurrentWidget(win.draw_tab)
    canvas = win.draw_tab.canvas
    canvas.clear()
    draw_digit(canvas, 7)
    qtbot.waitUntil(
        lambda: win.live.latest is not None and win.live.latest.revision == canvas.revision,
        timeout=TIMEOUT_MS,
    )
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(tab.screenshot_ready, timeout=TIMEOUT_MS)
    return canvas


@pytest.mark.slow
def test_the_drawn_seven_lands_among_the_sevens_and_its_neighbours_are_sevens(
    qtbot, window, explore
):
    _drawn_seven(qtbot, window, explore)
    view = explore.map
    assert view.coords is not None and view.coords.shape == (SIZES[0], 2)
    assert sum(len(item.data) for item in view.classes) == SIZES[0]
    assert view.drawing_at is not None
    # the star is nearer the sevens' centre than any other class's
    centres = np.stack([view.coords[view.labels == k].mean(axis=0) for k in range(10)])
    assert np.linalg.norm(centres - np.array(view.drawing_at), axis=1).argmin() == 7
    page = explore.like_yours
    assert page.neighbours.shown == 8
    assert "labels 7, 7" in page.neighbours_label.text()
    # hovering a point shows that digit
    view.hover_at(0)
    assert "MNIST test digit #0: a 7" in explore.strip.hover_label.text()
    # the pool2 map and the PCA method keep the same items and place the star again
    items = list(view.classes)
    explore.select("cnn", "pool2", "pca")
    assert view.classes == items and view.drawing_at is not None


@pytest.mark.slow
def test_on_push_it_a_drawing_is_sent_once_the_pen_rests_not_at_every_move(
    qtbot, window, explore, monkeypatch
):
    _drawn_seven(qtbot, window, explore)
    explore.pages.setCurrentWidget(explore.push)
    sent = []
    monkeypatch.setattr(explore.explorer.worker, "submit", sent.append)
    latest = window.live.latest
    for _ in range(5):  # five answers in quick succession, as while the pen moves
        explore._on_live_result(latest)
    assert sent == [] and explore._timer.isActive()
    explore._timer.timeout.emit()  # the pen rested
    assert len(sent) == 1 and sent[0].push is not None
    assert sent[0].ink is latest.preprocessed.cropped


@pytest.mark.slow
def test_the_map_is_cached_per_model_and_read_back(qtbot, window, explore, tmp_path):
    _drawn_seven(qtbot, window, explore)
    files = sorted(p.name for p in tmp_path.glob("*.npz"))
    assert any(f.startswith("map-cnn-") for f in files)
    assert any(f.startswith("neighbours-cnn-") for f in files)


@pytest.mark.slow
def test_pushing_the_seven_moves_the_curves_and_the_input(qtbot, window, explore):
    canvas = _drawn_seven(qtbot, window, explore)
    explore.pages.setCurrentWidget(explore.push)
    qtbot.waitUntil(
        lambda: explore.latest_answer is not None and explore.latest_answer.pushed is not None,
        timeout=TIMEOUT_MS,
    )
    assert "CNN reads 7" in re.sub("<[^>]+>", "", explore.push.answer_label.text())
    rotate = explore.push.lines["rotate"]["cnn"]
    x, y = rotate.getData()
    assert x.min() == -90 and x.max() == 90 and y.max() <= 1.0
    explore.push.set_value("rotate", 90)
    qtbot.waitUntil(
        lambda: (
            explore.latest_answer.pushed is not None
            and not np.array_equal(
                explore.latest_answer.pushed.image, window.live.latest.preprocessed.image
            )
        ),
        timeout=TIMEOUT_MS,
    )
    assert explore.latest_answer.revision == canvas.revision
    # the pushed input lands on the map as a white star, away from the drawing's star
    qtbot.waitUntil(lambda: explore.map.pushed_at is not None, timeout=TIMEOUT_MS)
    assert explore.map.pushed_at != explore.map.drawing_at
    explore.push.reset()
    qtbot.waitUntil(lambda: explore.map.pushed_at is None, timeout=TIMEOUT_MS)


@pytest.mark.slow
def test_fooling_the_cnn_into_a_three_changes_its_answer_within_range(qtbot, window, explore):
    _drawn_seven(qtbot, window, explore)
    explore.pages.setCurrentWidget(explore.fool)
    with qtbot.waitSignal(explore.fool_shown, timeout=TIMEOUT_MS):
        explore.ask_fool(3)
    attack = explore.latest_fool.attacks["cnn"]
    assert attack.fooled["cnn"] and attack.image.min() >= 0 and attack.image.max() <= 1
    assert "Fooling the CNN" in explore.fool.verdicts["cnn"].text()
    assert "L2" in explore.fool.verdicts["cnn"].text()


@pytest.mark.slow
def test_breaking_the_cnns_dense_layer_changes_its_answer_and_restore_brings_it_back(
    qtbot, window, explore
):
    _drawn_seven(qtbot, window, explore)
    page = explore.breaking
    with qtbot.waitSignal(explore.accuracy_shown, timeout=TIMEOUT_MS):
        explore.pages.setCurrentWidget(page)
    assert "CNN 99" in re.sub("<[^>]+>", "", page.accuracy.text())
    page.layer.setCurrentIndex(page.layer.findData("cnn/dense"))
    with qtbot.waitSignal(explore.accuracy_shown, timeout=TIMEOUT_MS):
        page.switch_off_layer()
    assert "broken" in page.accuracy.text()
    qtbot.waitUntil(
        lambda: explore.latest_answer.broken is not None and "broken" in page.answers.text(),
        timeout=TIMEOUT_MS,
    )
    broken = explore.latest_answer.broken
    assert int(broken.original["cnn"].argmax()) == 7
    assert int(broken.broken["cnn"].argmax()) != 7 or broken.broken["cnn"].max() < 0.5
    assert page.overlay.image[..., 3].max() > 0  # the switched-off units are marked
    page.restore_all()
    qtbot.waitUntil(lambda: "broken" not in page.answers.text(), timeout=TIMEOUT_MS)
    assert page.overlay.image[..., 3].max() == 0


@pytest.mark.slow
def test_a_units_dream_and_its_top_digits_are_shown_and_cached(qtbot, window, explore, tmp_path):
    page = explore.dreams
    window.tabs.setCurrentWidget(explore)
    page.select("cnn", "output", 3)
    with qtbot.waitSignal(explore.dream_shown, timeout=TIMEOUT_MS):
        explore.pages.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.request.unit == 3)
    assert page.latest.image.shape == (28, 28)
    assert page.top.shown == len(page.latest.top) > 0
    assert "class 3 of 10" in page.caption.text()
    assert list(tmp_path.glob("dreams-cnn-*.npz"))


@pytest.mark.slow
def test_the_canvas_is_lent_to_the_explore_tab_and_drawing_there_moves_the_star(
    qtbot, window, explore
):
    canvas = window.draw_tab.canvas
    home = canvas.parentWidget()
    _drawn_seven(qtbot, window, explore)
    assert canvas.parentWidget() is explore.strip.slot
    before = explore.map.drawing_at
    canvas.clear()
    draw_digit(canvas, 1)  # drawn on the Explore tab
    qtbot.waitUntil(
        lambda: (
            window.live.latest.revision == canvas.revision
            and explore.map.drawing_at is not None
            and explore.map.drawing_at != before
        ),
        timeout=TIMEOUT_MS,
    )
    window.tabs.setCurrentWidget(window.draw_tab)
    assert canvas.parentWidget() is home and not canvas.is_empty()
    qtbot.waitUntil(lambda: int(window.live.latest.probabilities["cnn"].argmax()) == 1)
