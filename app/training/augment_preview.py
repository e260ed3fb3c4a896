"""A live preview of training augmentation: clean MNIST digits above distorted versions.

One mosaic ``ImageItem`` shows the whole grid (one item is fast, many small ones are not).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import PAPER
from digitlab.model.preprocess.augment import AugmentConfig, distort

SIDE = 28
GAP = 2


def mosaic(
    images: np.ndarray, rows: int, cols: int, gap: int = GAP, fill: float = 0.35
) -> np.ndarray:
    """Tile float ``(rows*cols, 28, 28)`` images (0..1) into one C-contiguous float32 array.

    Returns
    -------
    float32 ``(rows*(28+gap)-gap, cols*(28+gap)-gap)``; gaps hold ``fill``.
    """
    images = np.asarray(images, np.float32)
    if images.shape[1:] != (SIDE, SIDE) or len(images) > rows * cols:
        raise ValueError(f"expected at most {rows * cols} images of 28x28, got {images.shape}")
    step = SIDE + gap
    out = np.full((rows * step - gap, cols * step - gap), fill, np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        out[r * step : r * step + SIDE, c * step : c * step + SIDE] = image
    return np.ascontiguousarray(out)


def preview_grid(
    digits: np.ndarray,
    augment: bool,
    rng: np.random.Generator,
    config: AugmentConfig | None = None,
    rows: int = 3,
) -> np.ndarray:
    """The preview mosaic: row 0 the clean ``digits`` (uint8 ``(cols, 28, 28)``), then
    ``rows - 1`` rows of fresh distortions (all clean again when ``augment`` is off;
    ``config`` defaults to :class:`AugmentConfig`'s defaults)."""
    config = AugmentConfig() if config is None else config
    clean = np.asarray(digits, np.float32) / 255.0
    parts = [clean]
    for _ in range(rows - 1):
        if augment:
            always = AugmentConfig(**{**(config or AugmentConfig()).__dict__, "probability": 1.0})
            parts.append(distort(clean, rng, always))
        else:
            parts.append(clean)
    return mosaic(np.concatenate(parts), rows, len(clean))


class AugmentPreview(pg.GraphicsLayoutWidget):
    """Shows :func:`preview_grid` for a fixed set of training digits; :meth:`refresh` redraws."""

    def __init__(self, digits: np.ndarray, parent: QWidget | None = None, rows: int = 3):
        super().__init__(parent)
        self.setBackground(PAPER)
        self._digits = np.asarray(digits, np.uint8)
        self._rows = rows
        self._rng = np.random.default_rng(0)
        self.view = self.addViewBox(lockAspect=True, enableMouse=False, invertY=True)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.setFixedHeight(128)
        self.augment = True
        self.refresh()

    def set_augment(self, on: bool) -> None:
        self.augment = bool(on)
        self.refresh()

    def refresh(self, seed: int | None = None) -> None:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        grid = preview_grid(self._digits, self.augment, self._rng, rows=self._rows)
        self.image.setImage(grid, levels=(0.0, 1.0), autoLevels=False)
        self.view.autoRange(padding=0.0)

    @property
    def grid(self) -> np.ndarray:
        return self.image.image
