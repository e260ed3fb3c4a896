"""A light vertical colour bar for a fixed scale: the viridis gradient beside a labelled axis.

pyqtgraph's ``ColorBarItem`` is a whole ``PlotItem`` (a view box with its context menu, the
plot's control panel, four axes): eight of them took most of the time the window spent
laying out the activation maps when the models arrived, which is on the way to the first
answer. A bar that never moves needs a gradient image and an axis, which this is.
"""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

STEPS = 256
"""Colours in the gradient."""


@functools.lru_cache(maxsize=1)
def _gradient() -> np.ndarray:
    """uint8 ``(256, 1, 3)``: viridis from the bottom row (low) to the top row (high)."""
    lut = pg.colormap.get("viridis").getLookupTable(nPts=STEPS, alpha=False)
    return np.ascontiguousarray(lut.reshape(STEPS, 1, 3).astype(np.uint8))


class ColourBar(pg.GraphicsLayout):
    """The gradient, ``width`` px wide, and an axis from ``levels[0]`` (bottom) to
    ``levels[1]`` (top), ``axis_width`` px wide, for the colour scale of a fixed-level image.
    """

    def __init__(self, levels: tuple[float, float], width: int = 8, axis_width: int = 30):
        super().__init__()
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.layout.setSpacing(0)
        frame = pg.mkPen(pg.getConfigOption("foreground"), width=1)
        self.vb = pg.ViewBox(enableMouse=False, enableMenu=False, border=frame)
        self.vb.setDefaultPadding(0.0)
        self.vb.setFixedWidth(width)
        self.image = pg.ImageItem(_gradient())
        self.vb.addItem(self.image)
        self.vb.setRange(QRectF(0, 0, 1, STEPS), padding=0)
        self.axis = pg.AxisItem("right")
        self.axis.setStyle(tickLength=3, tickTextOffset=2)
        self.axis.setWidth(axis_width)
        self.addItem(self.vb, row=0, col=0)
        self.addItem(self.axis, row=0, col=1)
        self.set_levels(levels)

    def set_levels(self, levels: tuple[float, float]) -> None:
        """Label the bar from ``levels[0]`` to ``levels[1]``."""
        self.axis.setRange(float(levels[0]), float(levels[1]))

    def levels(self) -> tuple[float, float]:
        low, high = self.axis.range
        return float(low), float(high)
