"""Tabs built after the first answer: placeholders that keep each tab's place, the tabs built
when shown or while the pen rests, and views made late that still follow the live models."""

from __future__ import annotations

import pytest
from gui_support import WINDOW_TIMEOUT_MS, open_window
from PySide6.QtWidgets import QLabel, QTabWidget


@pytest.fixture
def tabs(qtbot):
    widget = QTabWidget()
    qtbot.addWidget(widget)
    widget.addTab(QLabel("draw"), "Draw")
    return widget


def _builder(made: list, title: str):
    def build():
        made.append(title)
        return QLabel(f"the {title} tab")

    return build


def test_a_placeholder_keeps_the_place_and_going_to_it_builds_the_tab_once(tabs):
    from digitlab.app.widgets.late_tabs import LateTabs

    late, made = LateTabs(tabs), []
    index = late.add("Explain", _builder(made, "Explain"))
    late.add("Explore", _builder(made, "Explore"))
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Draw", "Explain", "Explore"]
    assert made == [] and late.get("Explain") is None
    tabs.setCurrentIndex(index)
    assert made == ["Explain"]
    assert tabs.currentIndex() == index and tabs.currentWidget() is late.get("Explain")
    assert tabs.currentWidget().text() == "the Explain tab"
    tabs.setCurrentIndex(0)
    tabs.setCurrentIndex(index)
    assert made == ["Explain"]  # built once


def test_the_rest_are_built_one_at_a_time_in_tab_order_and_a_waiting_tab_only_when_asked(tabs):
    from digitlab.app.widgets.late_tabs import LateTabs

    late, made = LateTabs(tabs), []
    late.add("Explain", _builder(made, "Explain"))
    train = late.add("Train", _builder(made, "Train"), "appears later", when_shown=False)
    late.add("Explore", _builder(made, "Explore"))
    tabs.setCurrentIndex(train)  # shown, but it waits for something else (TensorFlow)
    assert made == [] and tabs.currentWidget().text() == "appears later"
    assert late.build_next() and made == ["Explain"]
    assert late.build_next() and made == ["Explain", "Explore"]
    assert not late.build_next()
    assert late.build("Train").text() == "the Train tab"
    assert tabs.currentIndex() == train  # the user stays where they were
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles == ["Draw", "Explain", "Train", "Explore"]


def test_a_tab_that_cannot_be_built_says_so_in_its_place_and_is_not_tried_again(tabs, capsys):
    from digitlab.app.widgets.late_tabs import LateTabs

    late, calls = LateTabs(tabs), []

    def broken():
        calls.append(1)
        raise RuntimeError("no such thing")

    index = late.add("Explore", broken)
    tabs.setCurrentIndex(index)
    assert late.build("Explore") is None and len(calls) == 1
    assert "could not be built" in tabs.widget(index).text()
    assert "no such thing" in capsys.readouterr().err
    assert not late.build_next()


def test_put_swaps_in_a_tab_built_or_not(tabs):
    from digitlab.app.widgets.late_tabs import LateTabs

    late, made = LateTabs(tabs), []
    index = late.add("Explore", _builder(made, "Explore"))
    mine = QLabel("mine")
    assert late.put("Explore", mine) is None and made == []
    assert tabs.widget(index) is mine and late.get("Explore") is mine
    other = QLabel("other")
    assert late.put("Explore", other) is mine and tabs.widget(index) is other


class _Worker:
    def __init__(self):
        self.models = []

    def set_model(self, name, light, source):
        self.models.append((name, light))


def test_explore_follows_a_model_put_live_before_it_was_built_and_after(qtbot):
    from digitlab.app.explore.follow import ModelFollower
    from digitlab.app.live.live_models import LiveModels

    live = LiveModels(core_factory=lambda: None)  # never started: swaps are only queued
    live.ready, live.infos = True, {"cnn": None, "dense": None}  # the digit pair is live
    live.set_model("dense", "/models/mine.keras")
    worker = _Worker()
    follower = ModelFollower(live, worker, report=print)
    assert worker.models == [("dense", "/models/mine.keras")] and not follower.other_live
    live.set_model("cnn", "/models/other.keras")
    assert worker.models[-1] == ("cnn", "/models/other.keras")
    live.show_models({"custom": "/models/shapes.keras"})  # a whole set: nothing to catch up
    later = _Worker()
    ModelFollower(live, later, report=print)
    assert later.models == []
    assert live.stop()


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def test_the_draw_tabs_overlay_is_there_from_the_start_and_switching_it_on_builds_explain(
    qtbot, window
):
    if window.late_tabs.get("Explain") is not None:
        pytest.skip("the Explain tab was built while the window opened")
    overlay = window.draw_overlay
    assert overlay.toggle.text() == "Where it looked" and overlay.isVisibleTo(window)
    overlay.toggle.setChecked(True)
    tab = window.late_tabs.get("Explain")
    assert tab is not None and tab.draw_overlay is overlay and tab.explainer.is_running()
    overlay.toggle.setChecked(False)


def test_once_the_first_answer_is_shown_the_other_tabs_are_built_while_the_pen_rests(qtbot, window):
    qtbot.waitUntil(lambda: window.late_tabs.get("Explore") is not None, timeout=WINDOW_TIMEOUT_MS)
    assert window.late_tabs.get("Explain") is not None
    assert window.tabs.indexOf(window.explore_tab) == 2
    assert window.draw_tab.activations.cells  # the maps were laid out after that answer
