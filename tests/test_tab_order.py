"""Every control of the Draw tab is reached with Tab, in the order the tab reads: the mode
buttons, the tools, the paper, the correction row, the 28x28 input and its overlay options,
then each model's bars and the maps."""

from __future__ import annotations

import pytest
from gui_support import open_window

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.model.preprocess.canvas_strokes import DrawnStroke

pytestmark = pytest.mark.slow


@pytest.fixture
def window(qtbot, tmp_path):
    yield from open_window(qtbot, personal_samples=PersonalSamples(tmp_path / "mine.jsonl"))


def _name(widget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return text or widget.accessibleName()


def _tab_through(window, first, presses: int) -> list[str]:
    first.setFocus()
    visited = []
    for _ in range(presses):
        visited.append(_name(window.focusWidget()))
        window.focusNextChild()  # what Tab does
    return visited


def test_tab_visits_every_draw_tab_control_in_reading_order(window, qtbot):
    tab = window.draw_tab
    tab.canvas.set_strokes([DrawnStroke([(20.0, 20.0), (160.0, 160.0)], 12.0)])
    qtbot.waitUntil(lambda: window.correction.buttons[0].isEnabled())
    first = tab.tab_order()[0]
    expected = ["One digit", "Whole number", "Pen", "Eraser", "Brush size", "Undo", "Clear"]
    expected += ["Drawing paper", "not a digit", *"0123456789"]
    expected += ["What the models see, 28 by 28", "Where it looked"]
    expected += ["Which map to lay over the input", "Overlay opacity"]
    expected += ["CNN probability bars", "Dense network probability bars", "Activation maps"]
    assert _tab_through(window, first, len(expected)) == expected


def test_in_number_mode_tab_goes_from_the_tools_to_the_number_paper(window):
    tab = window.draw_tab
    tab.set_number_mode(True)
    visited = _tab_through(window, tab.tab_order()[0], 9)
    assert visited[:5] == ["One digit", "Whole number", "Pen", "Eraser", "Brush size"]
    assert "Number paper" in visited
    assert "Drawing paper" not in visited


def test_every_control_on_every_tab_takes_the_keyboard_focus(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSlider,
        QAbstractSpinBox,
        QComboBox,
        QScrollBar,
    )

    unreachable = []
    for index in range(window.tabs.count()):
        tab = window.tabs.widget(index)
        for kind in (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox):
            for control in tab.findChildren(kind):
                internal = isinstance(control, QScrollBar) or control.objectName().startswith(
                    ("qt_", "Scroll")
                )
                if not internal and not control.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    unreachable.append(f"{window.tabs.tabText(index)}: {_name(control)!r}")
    assert unreachable == []
