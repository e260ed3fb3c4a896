"""One model's probability bars: a plain widget that paints a bar per class over fixed axes.

The axes never move (0 to 100%, one tick per class), so they are drawn once into a pixmap
(again when the size, the classes or the theme's colours change), and a new answer repaints
the pixmap and ten rectangles. A pyqtgraph plot asked its axes and view box for their bounds
in Python at every repaint.
"""

from __future__ import annotations

import functools

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitlab.app.widgets import styles
from digitlab.app.widgets.styles import ATTENTION, MODEL_COLOURS
from digitlab.model.nets.wording import bars_description, model_title

TICK_CHARS = 10
"""Longer class names are shortened on the bars' axis (the header shows them whole)."""
BAR_IDLE = "#c5cad3"
UNKNOWN_OPACITY = 0.4
"""How strongly a model's bars show while it does not know the drawing ("not a digit?")."""
DISAGREE = ATTENTION
PLOT_HEIGHT = 140
"""Least height of one model's bars, px (side by side)."""
BAR_WIDTH = 0.72
"""A bar's width, in classes."""
Y_TOP = 1.05
"""The axis's top (probability), a little above 100% so a full bar is seen whole."""
GRID = ((0.5, "50%"), (1.0, "100%"))
"""The probabilities marked on the left axis and by a faint line across."""

_NO_PEN = QPen(Qt.PenStyle.NoPen)


@functools.lru_cache(maxsize=16)
def _brush(colour: str) -> QBrush:
    """One brush per colour, made once: a new one per bar at every update would be a call into
    Qt each, and each may wait for the interpreter lock."""
    return QBrush(QColor(colour))


@functools.lru_cache(maxsize=4)
def _disagree_pen(colour: str) -> QPen:
    pen = QPen(QColor(colour), 2.5)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


class Bars:
    """The bars' state: ``heights`` (float ``(classes,)``, 0..1), one brush and pen per bar
    and the opacity they are drawn at; the plot that owns them repaints on every change."""

    def __init__(self, count: int, owner: QWidget):
        self._owner = owner
        self.heights = np.zeros(count)
        self.brushes: list[QBrush] = [_brush(BAR_IDLE)] * count
        self.pens: list[QPen] = [_NO_PEN] * count
        self._opacity = 1.0

    def set_bars(self, heights, brushes=None, pens=None, opacity: float | None = None) -> None:
        """New heights, and brushes, pens (one each per bar) and opacity when given."""
        self.heights = np.asarray(heights, np.float64)
        if brushes is not None:
            self.brushes = list(brushes)
        if pens is not None:
            self.pens = list(pens)
        if opacity is not None:
            self._opacity = float(opacity)
        self._owner.bars_changed()

    def opacity(self) -> float:
        return self._opacity


class ProbabilityPlot(QWidget):
    """One model's probability for each class, as bars over fixed axes.

    :attr:`shown_revision` is the canvas revision of the answer shown; :attr:`painted_revision`
    follows when it is painted (``painted`` is emitted then). A click on a bar emits
    ``bar_clicked`` with its class.
    """

    # Emitted after each paint with the revision shown.
    painted = Signal(int)
    # A bar (or the space above it) was clicked: its class.
    bar_clicked = Signal(int)

    def __init__(self, name: str, classes: int = 10, parent=None):
        super().__init__(parent)
        self.name = name
        self.known = True  # False: the model does not know the drawing (bars dimmed)
        self.shown_revision = -1
        self.painted_revision = -1
        self.classes = classes
        self.names: tuple[str, ...] = ()
        self.tick_labels: tuple[str, ...] = ()
        self._colours: tuple | None = None  # what the bars' brushes and pens show now
        self._axes: QPixmap | None = None
        self._axes_key: tuple | None = None
        self._drawn: tuple | None = None  # the last paint's picture (see _picture)
        self.bars = Bars(classes, self)
        self._tick_font = QFont(self.font())
        self._tick_font.setPointSizeF(self._tick_font.pointSizeF() * 1.15)
        self._plot = QRectF()
        self._place()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(PLOT_HEIGHT)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a Tab stop, read by its name
        self.setAccessibleName(f"{model_title(name)} probability bars")
        self.setAccessibleDescription(bars_description(name, None))
        self.set_classes(classes)

    def set_classes(self, classes: int, names: tuple[str, ...] = ()) -> None:
        """``classes`` bars labelled with ``names`` (default the digits 0, 1, ...)."""
        self.classes = classes
        self.names = tuple(names)
        self.tick_labels = tuple(
            (n if len(n) <= TICK_CHARS else n[: TICK_CHARS - 1] + "…")
            for n in (names or [str(i) for i in range(classes)])
        )
        self._axes_key = self._drawn = None  # new axes: paint them
        self._show_idle()

    def _show_idle(self, opacity: float = 1.0) -> None:
        """Every bar empty, in the idle colour, unoutlined."""
        self._colours = None
        n = self.classes
        self.bars.set_bars(np.zeros(n), [_brush(BAR_IDLE)] * n, [_NO_PEN] * n, opacity)

    def show_probabilities(
        self,
        probs: np.ndarray | None,
        revision: int,
        other_top: int | None = None,
        known: bool = True,
    ) -> None:
        """Bars for ``probs`` (float ``(classes,)`` in 0..1; None: all empty), the top one in
        the model's colour, ``other_top`` (the other model's answer) outlined if it differs;
        dimmed while the model does not know the drawing (``known`` False)."""
        self.known = known or probs is None
        self.setAccessibleDescription(
            bars_description(self.name, None if probs is None else list(probs), self.names, known)
        )
        self.shown_revision = revision
        opacity = 1.0 if self.known else UNKNOWN_OPACITY
        if probs is None:
            self._show_idle(opacity)
            return
        top = int(np.argmax(probs))
        other = other_top if other_top != top else None
        colour = MODEL_COLOURS.get(self.name, MODEL_COLOURS["cnn"])
        heights = np.asarray(probs, np.float64)
        if self._colours == (top, other, colour):
            self.bars.set_bars(heights, opacity=opacity)  # the same bar is coloured
        else:
            brushes = [_brush(BAR_IDLE)] * self.classes
            brushes[top] = _brush(colour)
            pens = [_NO_PEN] * self.classes
            if other is not None:
                pens[other] = _disagree_pen(DISAGREE)  # where the other model's answer stands
            self._colours = (top, other, colour)
            self.bars.set_bars(heights, brushes, pens, opacity)

    # ---------------------------------------------------------------- geometry

    def sizeHint(self) -> QSize:
        # What the graphics view it replaced asked for: the Draw tab's columns keep their shares.
        return QSize(436, PLOT_HEIGHT + 30)

    def _place(self) -> None:
        label = self.fontMetrics().horizontalAdvance(GRID[-1][1])
        half = self.fontMetrics().height() / 2
        bottom = QFontMetrics(self._tick_font).height() + 8
        self._plot = QRectF(
            label + 10,
            half + 2,
            max(self.width() - label - 18, 1.0),
            max(self.height() - half - 2 - bottom, 1.0),
        )

    def resizeEvent(self, event) -> None:
        self._place()
        super().resizeEvent(event)

    def plot_rect(self) -> QRectF:
        """The area inside the axes, widget px (placed when the widget is resized)."""
        return QRectF(self._plot)

    def to_widget(self, x: float, y: float) -> QPointF:
        """Widget px of class position ``x`` (bar ``i`` is centred on ``i``) and probability
        ``y``."""
        r = self._plot
        span = self.classes + 0.2  # -0.6 .. classes - 0.4
        return QPointF(r.left() + (x + 0.6) / span * r.width(), r.bottom() - y / Y_TOP * r.height())

    def class_at(self, px: float) -> int | None:
        """The class whose bar column holds widget x ``px``, or None."""
        r = self._plot
        x = (px - r.left()) / r.width() * (self.classes + 0.2) - 0.6
        k = int(round(x))
        return k if 0 <= k < self.classes and abs(x - k) <= 0.5 else None

    # ---------------------------------------------------------------- painting

    def _axes_pixmap(self) -> QPixmap:
        key = (
            self.size().toTuple(),
            self.tick_labels,
            styles.PAPER,
            styles.TEXT,
            self.devicePixelRatioF(),
        )
        if self._axes is not None and self._axes_key == key:
            return self._axes
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(QColor(styles.PAPER))
        painter = QPainter(pixmap)
        ink = QColor(styles.TEXT)
        faint = QColor(ink)
        faint.setAlphaF(0.25)
        r = self.plot_rect()
        painter.setFont(self.font())
        for value, text in GRID:
            y = self.to_widget(0, value).y()
            painter.setPen(QPen(faint, 1))
            painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
            painter.setPen(QPen(ink, 1))
            painter.drawLine(QPointF(r.left() - 4, y), QPointF(r.left(), y))
            box = QRectF(0, y - 10, r.left() - 6, 20)
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        painter.setPen(QPen(ink, 1))
        painter.drawLine(r.bottomLeft(), r.topLeft())
        painter.drawLine(r.bottomLeft(), r.bottomRight())
        painter.setFont(self._tick_font)
        unit = r.width() / (self.classes + 0.2)
        for i, text in enumerate(self.tick_labels):
            x = self.to_widget(i, 0).x()
            painter.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + 4))
            box = QRectF(x - unit / 2, r.bottom() + 5, unit, self.height() - r.bottom() - 5)
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        painter.end()
        self._axes, self._axes_key = pixmap, key
        return pixmap

    def _tops(self) -> list[int]:
        """Each bar's top, whole widget px (rounded: bars are drawn on whole pixels)."""
        r = self._plot
        return np.rint(r.bottom() - self.bars.heights / Y_TOP * r.height()).astype(int).tolist()

    def _bar_rects(self, tops: list[int]) -> list[QRect]:
        """Each bar's rectangle, whole widget px, from its top (:meth:`_tops`; a zero bar is a
        line on the axis)."""
        r = self._plot
        unit = r.width() / (self.classes + 0.2)
        centres = r.left() + (np.arange(self.classes) + 0.6) * unit
        lefts = np.rint(centres - BAR_WIDTH / 2 * unit).astype(int).tolist()
        rights = np.rint(centres + BAR_WIDTH / 2 * unit).astype(int).tolist()
        bottom = round(r.bottom())
        return [
            QRect(x, y, x1 - x, bottom - y) for x, x1, y in zip(lefts, rights, tops, strict=True)
        ]

    def _picture(self) -> tuple:
        """What a paint would put on screen now (equal pictures are equal pixels; the bars'
        sides follow from the size)."""
        return self._tops(), self._colours, self.bars.opacity(), self.size().toTuple()

    def bars_changed(self) -> None:
        """Repaint if the bars would look different; if not, the answer is on screen already
        (many pen moves change a probability by less than a pixel)."""
        if self._drawn is not None and self._picture() == self._drawn:
            if self.painted_revision != self.shown_revision:
                self.painted_revision = self.shown_revision
                self.painted.emit(self.shown_revision)
            return
        self.update()

    def paintEvent(self, event) -> None:
        self._drawn = self._picture()
        tops = self._drawn[0]
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._axes_pixmap())
        painter.setOpacity(self.bars.opacity())
        # Bars drawn alike are drawn by one call: idle, the answer, the other model's answer.
        groups: dict[tuple[int, int], tuple[QPen, QBrush, list[QRect]]] = {}
        for rect, brush, pen in zip(
            self._bar_rects(tops), self.bars.brushes, self.bars.pens, strict=True
        ):
            groups.setdefault((id(pen), id(brush)), (pen, brush, []))[2].append(rect)
        for pen, brush, rects in groups.values():
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawRects(rects)
        painter.end()
        self.painted_revision = self.shown_revision
        self.painted.emit(self.shown_revision)

    def mousePressEvent(self, event) -> None:
        k = self.class_at(event.position().x())
        if event.button() == Qt.MouseButton.LeftButton and k is not None:
            self.bar_clicked.emit(k)
        super().mousePressEvent(event)
