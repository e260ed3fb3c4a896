"""What the Draw tab's live graphics views share: a view that records the canvas revision it
last painted, a fixed view box, and caching of static items (pyqtgraph's global options come
with :data:`digitlab.app.widgets.styles.PLOT_OPTIONS`)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy

from digitlab.app.widgets.styles import PLOT_OPTIONS


class TrackedView(pg.GraphicsLayoutWidget):
    """A graphics view that remembers the canvas revision it last painted.

    A view sets :attr:`shown_revision` when it takes a result; :attr:`painted_revision`
    follows on the next paint, which the latency benchmark and the self-test read.
    """

    # Emitted after each paint with the revision shown.
    painted = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.shown_revision = -1
        self.painted_revision = -1
        self.setBackground(PLOT_OPTIONS["background"])
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event):
        super().paintEvent(event)
        self.painted_revision = self.shown_revision
        self.painted.emit(self.shown_revision)


def cache_static(*items) -> None:
    """Keep static items (axes, titles, colour bars) as pixmaps: repainting a neighbouring
    image then blits them instead of running their Python paint code again."""
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def fixed_viewbox() -> pg.ViewBox:
    """A view box for an image: square pixels, y down, no padding, no mouse, no menu."""
    vb = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
    vb.setDefaultPadding(0.0)
    return vb
