"""Every tab whole at 1024x700, 1280x800 and 1920x1080: no text cut, no widget sticking out of
its parent (scrolled content aside), in the light and the dark theme."""

from __future__ import annotations

import pytest
from gui_support import open_window
from PySide6.QtWidgets import QApplication

from digitlab.app.selftest.layout_audit import problems
from digitlab.app.selftest.support import draw_digit

pytestmark = pytest.mark.slow

SIZES = ((1024, 700), (1280, 800), (1920, 1080))


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def _audit(window) -> dict[str, list[str]]:
    found = {}
    for index in range(window.tabs.count()):
        if window.tabs.tabText(index) in NOT_SHOWN:
            continue
        window.tabs.setCurrentIndex(index)
        for _ in range(3):
            QApplication.processEvents()
        lines = problems(window.tabs.widget(index))
        if lines:
            found[window.tabs.tabText(index)] = lines
    window.tabs.setCurrentIndex(0)
    return found


NOT_SHOWN = {"Explore"}
"""Tabs the audit does not show (showing the Explore tab starts mapping 10,000 digits in the
background); their minimum size is still checked."""


def test_no_tab_needs_more_than_a_1024_by_700_window(window):
    from PySide6.QtCore import QSize

    room = QSize(1024, 700) - (window.size() - window.tabs.currentWidget().size())
    too_big = {
        window.tabs.tabText(i): window.tabs.widget(i).minimumSizeHint().toTuple()
        for i in range(window.tabs.count())
        if (
            window.tabs.widget(i).minimumSizeHint().width() > room.width()
            or window.tabs.widget(i).minimumSizeHint().height() > room.height()
        )
    }
    assert too_big == {}


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_tab_is_whole_at_every_size(qtbot, window, dark):
    draw_digit(window.draw_tab.canvas, 7)
    try:
        window.theme.choose("dark" if dark else "light")
        found = {}
        for size in SIZES:
            window.resize(*size)
            QApplication.processEvents()
            window.resize(*size)  # once more: the first resize may meet a minimum not yet updated
            QApplication.processEvents()
            assert window.size().toTuple() == size
            for tab, lines in _audit(window).items():
                found[f"{tab} at {size[0]}x{size[1]}"] = lines
        assert found == {}
    finally:
        window.theme.choose("system")


@pytest.mark.parametrize("after_a_run", [False, True], ids=["new", "after-a-long-run"])
def test_the_train_tab_is_whole_at_every_size(qtbot, after_a_run):
    from gui_support import LiveStub

    from digitlab.app.training.tab import TrainingTab

    tab = TrainingTab(LiveStub())
    qtbot.addWidget(tab)
    tab.show()
    try:
        if after_a_run:  # 25 epochs of curves and markers, the test set's confusion matrix
            tab.apply_settings({"architecture": "dense", "epochs": 25, "train_size": 256})
            assert tab.start_training(validate=True, evaluate_after=True) is not None
            qtbot.waitUntil(lambda: not tab.is_training(), timeout=300_000)
        found = {}
        for width, height in SIZES:
            tab.resize(width, height - 70)  # the window less its menu, tabs and status bar
            for _ in range(3):
                QApplication.processEvents()
            if lines := problems(tab):
                found[f"{width}x{height}"] = lines
        assert found == {}
    finally:
        assert tab.shutdown()


def test_the_selftests_layout_check_passes_on_the_real_window_and_restores_it(window):
    from digitlab.app.selftest.check_layout import CHECKS
    from digitlab.app.selftest.support import Context

    window.resize(1280, 800)
    QApplication.processEvents()
    passed, detail = CHECKS["layout"](Context(window, 0.0))
    assert passed, detail
    assert window.size().toTuple() == (1280, 800) and window.tabs.currentIndex() == 0


def test_the_layout_check_names_a_cut_label_with_its_tab_and_size(qtbot):
    from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

    from digitlab.app.selftest.check_layout import audit_window

    window = QMainWindow()
    window.tabs = QTabWidget()
    window.setCentralWidget(window.tabs)
    page = QWidget()
    label = QLabel("a caption far too long for the fixed width it was given " * 2)
    label.setFixedWidth(60)
    QVBoxLayout(page).addWidget(label)
    window.tabs.addTab(page, "Cramped")
    qtbot.addWidget(window)
    window.show()
    found = audit_window(window)
    assert set(found) == {"Cramped at 1024x700", "Cramped at 1280x800", "Cramped at 1920x1080"}
    assert "text needs" in found["Cramped at 1024x700"][0]
