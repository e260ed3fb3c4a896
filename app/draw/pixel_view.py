"""A widget that shows one small image with square pixels: the Draw tab's 28x28 model input
and each layer's activation mosaic.

A plain widget rather than a graphics scene: a new image repaints this widget's image area
alone (its neighbours, titles and colour scales are other widgets and are not touched), and
nothing is asked of Python at paint time but this widget's own ``paintEvent``. In a
pyqtgraph scene, every repaint asked each layout item, view box and axis for its bounds in
Python (about a hundred calls a pen move for the maps).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitlab.app.widgets import styles
from digitlab.model.explain.colour_maps import rgba_words

_ARGB = QImage.Format.Format_ARGB32_Premultiplied


def as_words(image: np.ndarray) -> np.ndarray:
    """C-contiguous uint32 ``(h, w)`` premultiplied ``0xAARRGGBB`` words of ``image``: uint8
    ``(h, w)`` grey, uint8 ``(h, w, 4)`` RGBA, or uint32 ``(h, w)`` words already (kept).

    The one format Qt's raster engine scales without converting each pixel first: a 28x28
    input drawn 150 px wide takes 0.02 ms from words, 0.14 ms from grey bytes, 0.11 ms from
    RGBA bytes (the nine images of the Draw tab are drawn at every pen move).

    Raises
    ------
    ValueError
        Any other shape or type.
    """
    a = np.asarray(image)
    if a.dtype == np.uint32 and a.ndim == 2:
        return np.ascontiguousarray(a)
    if a.dtype == np.uint8 and a.ndim == 2:
        return (a.astype(np.uint32) * 0x010101) | np.uint32(0xFF000000)
    if a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 4:
        return rgba_words(a)
    raise ValueError(
        f"expected (h, w) grey, (h, w, 4) RGBA or (h, w) uint32, got {a.dtype} {a.shape}"
    )


def as_qimage(image: np.ndarray) -> tuple[np.ndarray, QImage]:
    """``(words, picture)``: ``image`` as :func:`as_words` and a QImage over their buffer
    (keep the words alive while the picture is used: they are not copied)."""
    words = as_words(image)
    h, w = words.shape
    return words, QImage(words.data, w, h, words.strides[0], _ARGB)


class Overlay:
    """An RGBA picture laid over a :class:`PixelView`'s image, pixel for pixel, at an opacity
    (0..1); hidden until :meth:`setVisible`. The view paints it: it is not a widget."""

    def __init__(self, view: PixelView):
        self._view = view
        self.image = np.zeros((1, 1, 4), np.uint8)
        self._picture = QImage()
        self._words = np.zeros((0, 0), np.uint32)  # the picture's buffer
        self._visible = False
        self._opacity = 1.0

    def setImage(self, rgba: np.ndarray) -> None:
        """uint8 ``(h, w, 4)``, the size of the view's image (kept as :attr:`image`)."""
        self.image = np.asarray(rgba)
        self._words, self._picture = as_qimage(rgba)
        self._view.update()

    def setVisible(self, visible: bool) -> None:
        self._visible = bool(visible)
        self._view.update()

    def isVisible(self) -> bool:
        return self._visible

    def setOpacity(self, opacity: float) -> None:
        self._opacity = float(opacity)
        self._view.update()

    def opacity(self) -> float:
        return self._opacity

    def paint(self, painter: QPainter, target: QRectF) -> None:
        if self._visible and not target.isEmpty():
            painter.setOpacity(self._opacity)
            painter.drawImage(target, self._picture)
            painter.setOpacity(1.0)


class PixelView(QWidget):
    """``image`` as large as fits with square pixels, centred, without smoothing, on the
    plots' paper; optionally a label under each column of ``labels`` (an output row's
    classes) and an outlined rectangle of image pixels (:meth:`set_outline`).

    :attr:`image` is the array shown, as given: uint8 ``(h, w)`` grey, ``(h, w, 4)`` RGBA or
    uint32 ``(h, w)`` words (:func:`as_words`), rows first.
    :attr:`shown_revision` is the canvas revision of the image set last; :attr:`painted_revision`
    follows when it is painted (and ``painted`` is emitted).
    """

    # The image pixel under the pointer as (y, x) floats, or None off the image.
    pointed = Signal(object)
    # Emitted after each paint with the revision shown.
    painted = Signal(int)

    def __init__(self, image: np.ndarray, labels: tuple[str, ...] = (), parent=None):
        super().__init__(parent)
        self.labels = tuple(labels)
        self.image = np.zeros((0, 0), np.uint8)
        self.shown_revision = -1
        self.painted_revision = -1
        self._picture = QImage()
        self._words = np.zeros((0, 0), np.uint32)  # the picture's buffer
        self._target = QRectF()
        self._aligned = QRect()  # the target's whole pixels (what a new image repaints)
        self._outline: QRectF | None = None
        self.overlay: Overlay | None = None
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # paintEvent fills it all
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(24, 24)
        self.setImage(image)

    def setImage(self, image: np.ndarray, revision: int | None = None) -> None:
        """Show ``image`` (see the class), for canvas ``revision`` when given; the widget keeps
        the array and reads it at every paint."""
        words, picture = as_qimage(image)
        resized = words.shape != self.image.shape[:2]
        self.image, self._words, self._picture = np.asarray(image), words, picture
        if revision is not None:
            self.shown_revision = revision
        if resized:
            self._place()
            self.update()
        else:
            self.update(self._aligned)

    def set_outline(self, rect: tuple[int, int, int, int] | None) -> None:
        """Outline ``(top, left, height, width)`` in image pixels, or nothing (None)."""
        self._outline = None if rect is None else QRectF(rect[1], rect[0], rect[3], rect[2])
        self.update(self._aligned.adjusted(-2, -2, 2, 2))

    def add_overlay(self) -> Overlay:
        """The :class:`Overlay` over the image (made on the first call)."""
        if self.overlay is None:
            self.overlay = Overlay(self)
        return self.overlay

    def outline(self) -> tuple[int, int, int, int] | None:
        """The outlined ``(top, left, height, width)``, or None."""
        r = self._outline
        return None if r is None else (int(r.top()), int(r.left()), int(r.height()), int(r.width()))

    def sizeHint(self) -> QSize:
        h, w = self.image.shape[:2]
        return QSize(max(2 * w, 24), max(2 * h, 24))

    def target(self) -> QRectF:
        """Where the image is drawn, in widget px (aspect kept, centred)."""
        return QRectF(self._target)

    def widget_point(self, y: float, x: float) -> QPointF:
        """The widget point showing image pixel ``(y, x)`` (floats, e.g. a pixel's centre)."""
        t = self._target
        h, w = self.image.shape[:2]
        return QPointF(t.left() + x * t.width() / w, t.top() + y * t.height() / h)

    def _label_height(self) -> int:
        return self.fontMetrics().height() + 2 if self.labels else 0

    def _place(self) -> None:
        h, w = self.image.shape[:2]
        room = QRectF(self.rect()).adjusted(1, 1, -1, -1)  # room for the outline's pen
        room.setBottom(room.bottom() - self._label_height())
        if not (h and w) or room.width() <= 0 or room.height() <= 0:
            self._target, self._aligned = QRectF(), QRect()
            return
        scale = min(room.width() / w, room.height() / h)
        size = QSizeF(w * scale, h * scale)
        self._target = QRectF(room.center() - QPointF(size.width(), size.height()) / 2, size)
        self._aligned = self._target.toAlignedRect()

    def resizeEvent(self, event) -> None:
        self._place()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        target = self._target
        if not self._aligned.contains(event.rect()):  # more than the image: all
            painter.fillRect(self.rect(), QColor(styles.PAPER))
            self._paint_labels(painter)
        # Shrunk (a mosaic in a small window), pixels are averaged, so thin gaps fade evenly
        # instead of some vanishing; enlarged, each pixel stays a sharp square.
        if target.width() < self.image.shape[1]:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self._picture)
        if self.overlay is not None:
            self.overlay.paint(painter, target)
        if self._outline is not None and not target.isEmpty():
            h, w = self.image.shape[:2]
            o = self._outline
            sx, sy = target.width() / w, target.height() / h
            painter.setPen(QPen(QColor(styles.MARK), 2))
            painter.drawRect(
                QRectF(
                    target.left() + o.left() * sx,
                    target.top() + o.top() * sy,
                    o.width() * sx,
                    o.height() * sy,
                )
            )
        painter.end()
        self.painted_revision = self.shown_revision
        self.painted.emit(self.shown_revision)

    def _paint_labels(self, painter: QPainter) -> None:
        target = self._target
        if not self.labels or target.isEmpty():
            return
        painter.setPen(QColor(styles.TEXT))
        unit = target.width() / len(self.labels)
        line = QRect(0, int(target.bottom()) + 2, int(unit), self.fontMetrics().height())
        for i, text in enumerate(self.labels):
            line.moveLeft(int(target.left() + i * unit))
            painter.drawText(line, Qt.AlignmentFlag.AlignCenter, text)

    def mouseMoveEvent(self, event) -> None:
        t = self._target
        pos = event.position()
        h, w = self.image.shape[:2]
        if not t.contains(pos):
            self.pointed.emit(None)
        else:
            y, x = (pos.y() - t.top()) * h / t.height(), (pos.x() - t.left()) * w / t.width()
            self.pointed.emit((y, x))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self.pointed.emit(None)
        super().leaveEvent(event)
