"""Small picture views the Explore pages share: a 28x28 input, a row of digits, a difference
map. Each holds one image item made once; showing a picture only calls ``setImage`` with
fixed levels."""

from __future__ import annotations

import functools

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QTimer

from digitlab.app.widgets import styles
from digitlab.app.widgets.plotting import pg

SIDE = 28


def _box() -> pg.ViewBox:
    vb = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
    vb.setDefaultPadding(0.0)
    return vb


@functools.lru_cache(maxsize=1)
def difference_lut() -> np.ndarray:
    """uint8 ``(256, 3)``: blue (ink taken away) through white to red (ink added)."""
    t = np.linspace(-1.0, 1.0, 256)
    red = np.where(t < 0, 1 + t, 1.0)
    blue = np.where(t > 0, 1 - t, 1.0)
    green = 1 - np.abs(t)
    lut = (np.stack([red, green, blue], axis=1) * 255).round().astype(np.uint8)
    lut.setflags(write=False)
    return lut


class DigitImage(pg.GraphicsLayoutWidget):
    """One 28x28 picture: an input (0..1, white ink on black) or a difference map."""

    def __init__(self, side_px: int = 112, difference: bool = False, parent=None):
        super().__init__(parent)
        self.setFixedSize(side_px, side_px)
        self.ci.setContentsMargins(0, 0, 0, 0)
        self.vb = _box()
        self.addItem(self.vb)
        self.difference = difference
        self.image = pg.ImageItem(np.zeros((SIDE, SIDE), np.float32))
        if difference:
            self.image.setLookupTable(difference_lut())
        self.vb.addItem(self.image)
        self.vb.setRange(QRectF(0, 0, SIDE, SIDE), padding=0)
        self.level = 1.0
        self.show_image(None)

    def show_image(self, image: np.ndarray | None, level: float | None = None) -> None:
        """float ``(28, 28)``: 0..1 for an input; -level..level for a difference (None: the
        largest change, so the sign shows even for a tiny change). None clears."""
        if image is None:
            image = np.zeros((SIDE, SIDE), np.float32)
        image = np.ascontiguousarray(image, np.float32)
        if self.difference:
            self.level = float(level or max(np.abs(image).max(), 1e-3))
            self.image.setImage(image, autoLevels=False, levels=(-self.level, self.level))
        else:
            self.image.setImage(image, autoLevels=False, levels=(0.0, 1.0))


class DigitRow(pg.GraphicsLayoutWidget):
    """A row of MNIST digits (uint8 28x28, 0..255) in one image, one pixel apart, on the
    theme's paper colour (drawn again when the theme changes)."""

    def __init__(self, count: int, height_px: int = 56, parent=None):
        super().__init__(parent)
        self.count = count
        self.setFixedHeight(height_px)
        self.ci.setContentsMargins(0, 0, 0, 0)
        self.vb = _box()
        self.addItem(self.vb)
        self.image = pg.ImageItem(np.zeros((SIDE, (SIDE + 1) * count - 1, 3), np.uint8))
        self.vb.addItem(self.image)
        self.vb.setRange(QRectF(0, 0, (SIDE + 1) * count - 1, SIDE), padding=0)
        self.shown = 0
        self._digits: np.ndarray | None = None
        self.show_digits(None)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the theme changed; its colours are
            # swapped just after. The row as context: no call once it is deleted (a window
            # closing right after a palette change left the call to a deleted image).
            QTimer.singleShot(0, self, lambda: self.show_digits(self._digits))
        super().changeEvent(event)

    def show_digits(self, digits: np.ndarray | None) -> None:
        """uint8 ``(n, 28, 28)`` (n <= count); None clears."""
        self._digits = digits
        strip = np.empty((SIDE, (SIDE + 1) * self.count - 1, 3), np.uint8)
        strip[:] = styles.GAP_COLOUR
        self.shown = 0 if digits is None else min(len(digits), self.count)
        for i in range(self.shown):
            strip[:, i * (SIDE + 1) : i * (SIDE + 1) + SIDE] = np.asarray(digits[i])[..., None]
        self.image.setImage(strip, autoLevels=False, levels=(0, 255))
