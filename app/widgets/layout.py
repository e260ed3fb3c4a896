"""Layout helpers shared by the tabs."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QSizePolicy, QSplitter, QWidget


def stretch_splitter(orientation: Qt.Orientation, *parts: tuple[QWidget, int]) -> QSplitter:
    """A splitter of ``parts``, each ``(widget, stretch factor)``, whose panes the user can
    resize but never drag shut (a collapsed pane is easy to lose and hard to find again)."""
    split = QSplitter(orientation)
    for index, (widget, stretch) in enumerate(parts):
        split.addWidget(widget)
        split.setStretchFactor(index, stretch)
    split.setChildrenCollapsible(False)
    return split


class AspectHolder(QWidget):
    """Keeps its one child at ``ratio`` (width over height), as large as fits, centred."""

    def __init__(self, child: QWidget, ratio: float, parent=None):
        super().__init__(parent)
        self.child = child
        self.ratio = ratio
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(child.minimumSize())

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def resizeEvent(self, event) -> None:
        w = min(self.width(), int(self.height() * self.ratio))
        h = int(round(w / self.ratio))
        self.child.setGeometry(QRect((self.width() - w) // 2, (self.height() - h) // 2, w, h))
        super().resizeEvent(event)
