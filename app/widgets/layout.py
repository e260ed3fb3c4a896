"""Layout helpers shared by the tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget


def stretch_splitter(orientation: Qt.Orientation, *parts: tuple[QWidget, int]) -> QSplitter:
    """A splitter of ``parts``, each ``(widget, stretch factor)``, whose panes the user can
    resize but never drag shut (a collapsed pane is easy to lose and hard to find again)."""
    split = QSplitter(orientation)
    for index, (widget, stretch) in enumerate(parts):
        split.addWidget(widget)
        split.setStretchFactor(index, stretch)
    split.setChildrenCollapsible(False)
    return split
