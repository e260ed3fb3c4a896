"""The Train tab's left column: the data, set-up and run boxes stacked at a fixed width, in
a scroll area rather than making the window taller than the screen (your own data's class
list adds to it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

COLUMN_WIDTH = 360
"""The column's width, px, without its vertical scroll bar."""


class SideColumn(QScrollArea):
    """Stacks ``boxes`` top to bottom above a stretch; :meth:`add_box` adds one at the foot."""

    def __init__(self, *boxes: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self._column = QVBoxLayout()
        for box in boxes:
            self._column.addWidget(box)
        self._column.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._column)
        inner.setFixedWidth(COLUMN_WIDTH)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedWidth(COLUMN_WIDTH + self.verticalScrollBar().sizeHint().width())
        self.setMinimumHeight(200)

    def add_box(self, box: QWidget) -> None:
        """Add ``box`` at the foot of the column, above the stretch."""
        self._column.insertWidget(self._column.count() - 1, box)
