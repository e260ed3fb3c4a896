"""Every control whose text does not say what it does carries a tooltip that does: sliders,
spin boxes, lists to choose from, checkboxes and buttons, on every tab."""

from __future__ import annotations

import pytest
from gui_support import open_window
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QScrollBar,
)

pytestmark = pytest.mark.slow

CONTROLS = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox)


def _qt_internal(widget) -> bool:
    """Parts Qt builds inside its own widgets (a table's corner, a tab bar's scroll arrows)."""
    name = widget.objectName()
    return isinstance(widget, QScrollBar) or name.startswith("qt_") or name.startswith("Scroll")


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def test_every_control_on_every_tab_has_a_tooltip(window):
    missing = []
    for index in range(window.tabs.count()):
        tab = window.tabs.widget(index)
        controls = [c for kind in CONTROLS for c in tab.findChildren(kind)]
        for control in dict.fromkeys(controls):
            if not _qt_internal(control) and not control.toolTip().strip():
                text = control.text() if isinstance(control, QAbstractButton) else ""
                missing.append(f"{window.tabs.tabText(index)}: {type(control).__name__} {text!r}")
    assert missing == []
