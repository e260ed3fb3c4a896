"""A light vertical colour bar for a fixed scale: the viridis gradient beside a labelled axis.

A plain widget that paints itself: the scale never moves, so the bar is painted when it is
shown or resized, never while the pen moves (the maps beside it repaint alone). pyqtgraph's
``ColorBarItem`` is a whole ``PlotItem`` (a view box, a menu, four axes), and even a
gradient-and-axis layout of pyqtgraph items was asked for its bounds, in Python, at every
repaint of the maps.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitlab.app.widgets import styles

STEPS = 256
"""Colours in the gradient."""
TICK_SPACING_PX = 28
"""Least height between two labelled ticks."""


@functools.lru_cache(maxsize=1)
def _gradient() -> QImage:
    """``1 x 256`` RGB: viridis from the bottom row (low) to the top row (high)."""
    rgb = np.ascontiguousarray(styles.viridis_lut()[: styles.GAP_INDEX, :3][::-1])
    rgb = np.ascontiguousarray(rgb.reshape(-1, 1, 3))
    image = QImage(rgb.data, 1, len(rgb), 3, QImage.Format.Format_RGB888)
    return image.copy()  # owns its pixels: the array above goes away


def nice_ticks(low: float, high: float, most: int) -> list[float]:
    """At most ``most`` (>= 2) round values from ``low`` to ``high`` (both included when
    round): steps of 1, 2 or 5 times a power of ten."""
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return [low]
    raw = span / max(most - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(k * power for k in (1, 2, 5, 10) if k * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    count = int(math.floor((high - first) / step + 1e-9)) + 1
    return [round(first + i * step, 12) for i in range(count)]


class ColourBar(QWidget):
    """The gradient, ``width`` px wide, and an axis from ``levels[0]`` (bottom) to
    ``levels[1]`` (top) in ``axis_width`` px, for the colour scale of a fixed-level image."""

    def __init__(self, levels: tuple[float, float], width: int = 8, axis_width: int = 30):
        super().__init__()
        self._bar_width = width
        self._levels = (0.0, 1.0)
        self.setFixedWidth(width + axis_width)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(30)
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        self.setFont(font)
        self.set_levels(levels)

    def set_levels(self, levels: tuple[float, float]) -> None:
        """Label the bar from ``levels[0]`` to ``levels[1]``."""
        self._levels = (float(levels[0]), float(levels[1]))
        self.update()

    def levels(self) -> tuple[float, float]:
        return self._levels

    def _bar_rect(self) -> QRectF:
        half_text = self.fontMetrics().height() / 2
        return QRectF(0.5, half_text, self._bar_width, max(self.height() - 2 * half_text, 1.0))

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        bar = self._bar_rect()
        painter.drawImage(bar, _gradient())
        ink = QColor(styles.TEXT)
        painter.setPen(QPen(ink, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bar)
        low, high = self._levels
        most = max(2, int(bar.height() // TICK_SPACING_PX) + 1)
        metrics = self.fontMetrics()
        for value in nice_ticks(low, high, most):
            y = bar.bottom() - (value - low) / (high - low) * bar.height() if high > low else 0
            painter.drawLine(int(bar.right()), int(round(y)), int(bar.right()) + 3, int(round(y)))
            text = f"{value:g}"
            painter.drawText(int(bar.right()) + 5, int(round(y + metrics.ascent() / 2 - 1)), text)
        painter.end()
