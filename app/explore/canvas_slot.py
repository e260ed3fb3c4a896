"""A place on the Explore tab for the Draw tab's canvas, so the star moves while you draw.

There is one canvas (one drawing, one undo history, one revision count that the live models
and the Explain tab follow). While the Explore tab is on screen the canvas is lent to this
slot; when the tab is hidden it goes back where it came from in the Draw tab: into the same
layout at the same index and stretch, or, for a parent that places it by hand (a holder that
keeps it square), into that parent, which is told it was resized so it places it again.
The canvas keeps its drawing across the move (it rescales its strokes when its size
changes, as on any resize).
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QBoxLayout, QLayout, QVBoxLayout, QWidget

SIDE = 200
"""The lent canvas's side, px (the canvas's own minimum)."""


def find_layout(layout: QLayout | None, widget: QWidget) -> QLayout | None:
    """The layout under ``layout`` (itself or nested) that holds ``widget``, or None."""
    if layout is None:
        return None
    if layout.indexOf(widget) >= 0:
        return layout
    for i in range(layout.count()):
        found = find_layout(layout.itemAt(i).layout(), widget)
        if found is not None:
            return found
    return None


class CanvasSlot(QWidget):
    """Holds a borrowed canvas (:meth:`borrow`) until :meth:`give_back`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFixedSize(SIDE, SIDE)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.canvas: QWidget | None = None
        # (layout, index, stretch) or (parent widget, geometry)
        self._home: tuple | None = None

    @property
    def holding(self) -> bool:
        return self._home is not None

    def borrow(self, canvas: QWidget) -> bool:
        """Move ``canvas`` here; False (nothing moved) when it has no parent, sits in a layout
        other than a box layout, or is here already."""
        parent = canvas.parentWidget()
        if self._home is not None or parent is None:
            return False
        home = find_layout(parent.layout(), canvas)
        if home is None:
            self._home = (parent, canvas.geometry())
        elif isinstance(home, QBoxLayout):
            index = home.indexOf(canvas)
            self._home = (home, index, home.stretch(index))
        else:
            return False
        self.canvas = canvas
        self._layout.addWidget(canvas)
        canvas.show()
        return True

    def give_back(self) -> None:
        """Put the canvas back where :meth:`borrow` found it."""
        if self._home is None or self.canvas is None:
            return
        home, self._home = self._home, None
        self._layout.removeWidget(self.canvas)
        if isinstance(home[0], QBoxLayout):
            layout, index, stretch = home
            layout.insertWidget(index, self.canvas, stretch)
        else:
            parent, geometry = home
            self.canvas.setParent(parent)
            self.canvas.setGeometry(geometry)
            # The window may have been resized meanwhile: let the parent place it anew.
            QApplication.sendEvent(parent, QResizeEvent(parent.size(), parent.size()))
        self.canvas.show()
