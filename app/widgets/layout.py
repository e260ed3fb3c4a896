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


class FixedRows(QWidget):
    """Holds one widget in a band ``height`` px tall and as wide as the layout gives it.

    A label whose text changes asks its parent's layout to run again, and that request climbs
    to the window: at the tab widget it repaints the whole window (a full-window repaint on
    every new note under the model input made the live view's slowest moves). The band has
    no layout, so its child's requests stop here; its own size never depends on the child.
    """

    def __init__(self, child: QWidget, height: int, parent=None):
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, event) -> None:
        self.child.setGeometry(self.rect())
        super().resizeEvent(event)
