"""Where the models looked, drawn: one saliency map over the 28x28 input
(:class:`SaliencyView`) and the switchable overlay on the Draw tab's model input
(:class:`DrawOverlay`).

Views render only: the maps come from the explanation thread, their colours from
:mod:`digitlab.model.explain.colour_maps` and the choice of map from
:func:`digitlab.model.explain.readings.shown_map`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.explain.draw_overlay import clear_overlay
from digitlab.app.explain.view_parts import caption, image_box
from digitlab.app.widgets.plotting import pg
from digitlab.model.explain.colour_maps import grey, heat_rgba_to_peak


class SaliencyView(QWidget):
    """One saliency map over the 28x28 input: a grey image and a heat overlay above it.

    The overlay's colour runs from clear (0) to opaque red-yellow at the map's own maximum
    (the caption gives that maximum, so maps are read with their scale).
    """

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumSize(120, 120)
        self.view.sizeHint = lambda: QSize(220, 220)
        self.view.ci.setContentsMargins(1, 1, 1, 1)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.vb = image_box()
        self.view.addItem(self.vb)
        self.image = pg.ImageItem(np.zeros((28, 28), np.uint8), levels=(0, 255))
        self.overlay = pg.ImageItem(clear_overlay(), levels=None)
        self.vb.addItem(self.image)
        self.vb.addItem(self.overlay)
        self.vb.setRange(QRectF(0, 0, 28, 28), padding=0)
        self.caption = caption("")
        # Three lines: a narrow window wraps the Grad-CAM caption to three, and the splitter
        # above gives only the minimum (not the wrapped height), so less would overlap the map.
        self.caption.setMinimumHeight(3 * self.caption.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self.values = np.zeros((28, 28), np.float32)

    def show_map(self, image: np.ndarray, values: np.ndarray | None, text: str) -> None:
        """``image`` float ``(28, 28)`` 0..1; ``values`` float ``(28, 28)`` (None: no map);
        ``text`` the caption."""
        self.image.setImage(grey(image), autoLevels=False, levels=(0, 255))
        if values is None:
            self.values = np.zeros((28, 28), np.float32)
            self.overlay.setImage(clear_overlay(), autoLevels=False, levels=None)
        else:
            self.values = np.asarray(values, np.float32)
            self.overlay.setImage(heat_rgba_to_peak(self.values), autoLevels=False, levels=None)
        self.caption.setText(text)

    def set_overlay(self, visible: bool, opacity: float) -> None:
        """Show or hide the map, at ``opacity`` in 0..1."""
        self.overlay.setVisible(visible)
        self.overlay.setOpacity(opacity)
