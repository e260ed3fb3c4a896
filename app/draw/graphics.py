"""What the Draw tab's live graphics views share: a view that records the canvas revision it
last painted, a fixed view box, caching of static items (pyqtgraph's global options come
with :data:`digitlab.app.widgets.styles.PLOT_OPTIONS`), and the two items that change at every
pen move, drawn with as little work per paint as Qt allows: an image and a row of bars.

pyqtgraph's ``ImageItem`` converts its array to a picture (with level and lookup-table checks)
at the first paint after each ``setImage``, and its ``BarGraphItem`` re-records a picture and
recomputes its bounds from the data at each ``setOpts``; nine images and two bar charts a move
made about a third of the window's time per pen move. These wrap the array as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QImage, QPainter, QPen
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


_FORMATS = {2: QImage.Format.Format_Grayscale8, 3: QImage.Format.Format_RGBA8888}


def as_qimage(image: np.ndarray) -> tuple[np.ndarray, QImage]:
    """``(pixels, picture)``: uint8 ``(h, w)`` grey or ``(h, w, 4)`` RGBA ``image`` as a
    C-contiguous array and a QImage over its buffer (keep the array alive while the picture
    is used: it is not copied).

    Raises
    ------
    ValueError
        Any other shape.
    """
    pixels = np.ascontiguousarray(image, np.uint8)
    if pixels.ndim not in _FORMATS or (pixels.ndim == 3 and pixels.shape[2] != 4):
        raise ValueError(f"expected (h, w) grey or (h, w, 4) RGBA, got {pixels.shape}")
    h, w = pixels.shape[:2]
    return pixels, QImage(pixels.data, w, h, pixels.strides[0], _FORMATS[pixels.ndim])


class PixelImage(QGraphicsItem):
    """An image whose pixels are drawn as unit squares from ``(0, 0)`` (no smoothing).

    :attr:`image` is the array shown: uint8 ``(h, w)`` grey (0 black .. 255 white) or uint8
    ``(h, w, 4)`` RGBA, rows first; it is shown as it is, without levels or lookup tables.
    """

    def __init__(self, image: np.ndarray, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.image = np.zeros((0, 0), np.uint8)
        self._picture = QImage()
        self.setImage(image)

    def setImage(self, image: np.ndarray) -> None:
        """Show ``image`` (see the class); the item keeps it and reads it at every paint."""
        pixels, picture = as_qimage(image)
        if pixels.shape[:2] != self.image.shape[:2]:
            self.prepareGeometryChange()
        self.image, self._picture = pixels, picture  # the picture reads the array's buffer
        self.update()

    def boundingRect(self) -> QRectF:
        h, w = self.image.shape[:2]
        return QRectF(0, 0, w, h)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self.boundingRect(), self._picture)


class Bars(QGraphicsItem):
    """``count`` vertical bars centred on x = 0, 1, ..., ``width`` wide, from y = 0 up to
    their heights (0..1 for probabilities), each with its own brush and pen."""

    def __init__(self, count: int, width: float, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.width = width
        self.heights = np.zeros(count)
        self.brushes: list[QBrush] = [QBrush()] * count
        self.pens: list[QPen] = [QPen(Qt.PenStyle.NoPen)] * count

    def set_bars(
        self,
        heights: np.ndarray,
        brushes: Sequence[QBrush] | None = None,
        pens: Sequence[QPen] | None = None,
    ) -> None:
        """New heights (float ``(count,)``; its length may change the count), and brushes and
        pens when given (one each per bar)."""
        heights = np.asarray(heights, np.float64)
        if len(heights) != len(self.heights):
            self.prepareGeometryChange()
        self.heights = heights
        if brushes is not None:
            self.brushes = list(brushes)
        if pens is not None:
            self.pens = list(pens)
        self.update()

    def boundingRect(self) -> QRectF:
        top = max(1.0, float(self.heights.max(initial=0.0)))
        return QRectF(-0.5, 0.0, len(self.heights), top)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        half = self.width / 2
        for i, (height, brush, pen) in enumerate(
            zip(self.heights, self.brushes, self.pens, strict=True)
        ):
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawRect(QRectF(i - half, 0.0, self.width, float(height)))
