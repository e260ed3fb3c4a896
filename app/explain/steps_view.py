"""What the model saw, step by step: the one preprocessing path's stages as five small
pictures (drawn, cropped, fitted, centred, input), with the fitted box and the centre of
mass marked.

The pictures are byproducts of :func:`digitlab.model.preprocess.strokes.strokes_to_input`
carried in its :class:`~digitlab.model.preprocess.frame.Preprocessed`; the view only
shows them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from digitlab.app.explain.view_parts import caption, image_box
from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import MARK, PANEL, TEXT
from digitlab.model.explain.colour_maps import grey
from digitlab.model.explain.readings import EMPTY_STEPS, steps_note

_CENTRE = "#3ec1ff"
"""The centre of the 28x28 frame, where the centre of mass is moved to (light blue)."""


class StepsView(QWidget):
    """What the model saw, step by step: five small pictures in order, live."""

    STEPS = (
        ("raw", "1 · drawn"),
        ("cropped", "2 · cropped"),
        ("fitted", "3 · fit 20 px"),
        ("placed", "4 · centred"),
        ("input", "5 · input"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumHeight(110)
        self.view.sizeHint = lambda: QSize(520, 150)
        self.view.ci.setSpacing(6)
        self.boxes: dict[str, pg.ViewBox] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self.labels: dict[str, pg.LabelItem] = {}
        for col, (key, title) in enumerate(self.STEPS):
            label = pg.LabelItem(title, size="8.5pt", color=TEXT)
            self.view.ci.addItem(label, row=0, col=col)
            vb = image_box()
            vb.setBackgroundColor(PANEL)
            img = pg.ImageItem(np.zeros((28, 28), np.uint8), levels=(0, 255))
            vb.addItem(img)
            self.view.ci.addItem(vb, row=1, col=col)
            self.boxes[key], self.images[key], self.labels[key] = vb, img, label
            vb.setRange(QRectF(0, 0, 28, 28), padding=0)
        pen = QPen(QColor(MARK), 0)
        pen.setCosmetic(True)
        pen.setWidthF(1.5)
        self.box_outline = QGraphicsRectItem()
        self.box_outline.setPen(pen)
        self.boxes["placed"].addItem(self.box_outline)
        self.com = pg.ScatterPlotItem(size=9, symbol="+", pen=pg.mkPen(MARK, width=2), brush=None)
        self.boxes["placed"].addItem(self.com)
        self.centre = pg.ScatterPlotItem(
            [14.0], [14.0], size=7, symbol="o", pen=pg.mkPen(_CENTRE, width=1.5), brush=None
        )
        self.boxes["placed"].addItem(self.centre)
        self.note = caption(EMPTY_STEPS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        # Step -> the shape of the picture it shows, (h, w).
        self.shown: dict[str, tuple[int, ...]] = {}

    def _set(self, key: str, image: np.ndarray) -> None:
        img = grey(image) if image.size else np.zeros((1, 1), np.uint8)
        self.images[key].setImage(img, autoLevels=False, levels=(0, 255))
        h, w = img.shape
        side = max(h, w)
        self.boxes[key].setRange(QRectF((w - side) / 2, (h - side) / 2, side, side), padding=0.02)
        self.shown[key] = img.shape

    def show_steps(self, pre, raw: np.ndarray | None) -> None:
        """Show the stages of ``pre`` (a :class:`digitlab.model.preprocess.frame.Preprocessed`).

        ``raw`` is float ``(84, 84)`` in 0..1, the canvas as drawn, or None for a picture
        (its cropped ink is shown first instead).
        """
        if pre.empty:
            for key, _ in self.STEPS:
                self._set(key, np.zeros((28, 28), np.float32))
            self.box_outline.setVisible(False)
            self.com.setData([], [])
            self.note.setText(EMPTY_STEPS)
            return
        self._set("raw", raw if raw is not None else pre.cropped)
        self._set("cropped", pre.cropped)
        self._set("fitted", pre.fitted)
        top, left = pre.placed_at
        h, w = pre.fitted.shape
        self._set("placed", pre.image)
        self.box_outline.setRect(QRectF(left, top, w, h))
        self.box_outline.setVisible(True)
        r, c = pre.centre_of_mass
        self.com.setData([left + c + 0.5], [top + r + 0.5])
        self._set("input", pre.image)
        self.note.setText(
            steps_note(pre.cropped.shape, pre.fitted.shape, pre.placed_at, pre.stretched)
        )
