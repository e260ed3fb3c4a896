"""What the layers look for: the weights as pictures (conv1, conv2, the dense network's
templates), and for the unit under the pointer the MNIST test digits that drive it hardest.

:class:`FiltersView` shows the mosaics and reports the hovered unit, :class:`DigitStrip`
shows a row of digits, and :class:`LayersPage` puts them together on the tab's first page.
The mosaics and each unit's top digits come from the explanation thread
(:mod:`digitlab.model.explain.filters`); their colours from
:mod:`digitlab.model.explain.colour_maps`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from digitlab.app.explain.view_parts import hint, image_box
from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import NEAR_BLACK, model_colour
from digitlab.model.explain.colour_maps import diverging_rgba
from digitlab.model.explain.filters import unit_at, unit_outline
from digitlab.model.explain.readings import unit_label
from digitlab.model.nets.wording import model_title


class FiltersView(pg.GraphicsLayoutWidget):
    """Weights as pictures (conv1, conv2, the dense network's templates); hovering a unit
    outlines it and reports it.

    Signals
    -------
    hovered(str, str, int)
        Model, layer and unit under the pointer (layer "" when none).
    """

    # The unit under the pointer: model, layer ("" for none), unit.
    hovered = Signal(str, str, int)

    PANELS = (
        ("cnn", "conv1", "CNN conv1 · 32 kernels 3×3"),
        ("cnn", "conv2", "CNN conv2 · 64 rows × 32 inputs, 3×3 each"),
        ("dense", "hidden", "Dense hidden · 128 templates 28×28"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(420, 200)
        self.ci.setSpacing(4)
        # (model, layer) -> (its view box, its image, its model.explain.filters.Grid or None).
        self.cells: dict[tuple[str, str], tuple[pg.ViewBox, pg.ImageItem, object]] = {}
        self.marks: dict[tuple[str, str], QGraphicsRectItem] = {}
        for col, (name, layer, title) in enumerate(self.PANELS):
            # Two lines: one line of all three titles is wider than a 1024-px window's share.
            label = pg.LabelItem(
                title.replace(" · ", "<br>"), size="8.5pt", color=model_colour(name)
            )
            self.ci.addItem(label, row=0, col=col)
            vb = image_box()
            img = pg.ImageItem(np.zeros((1, 1, 4), np.uint8), levels=None)
            vb.addItem(img)
            mark = QGraphicsRectItem()
            pen = QPen(QColor(NEAR_BLACK), 0)
            pen.setCosmetic(True)
            pen.setWidthF(2.0)
            mark.setPen(pen)
            mark.setVisible(False)
            vb.addItem(mark)
            self.marks[(name, layer)] = mark
            self.ci.addItem(vb, row=1, col=col)
            self.cells[(name, layer)] = (vb, img, None)
        grid = self.ci.layout
        for col, stretch in enumerate((2, 3, 4)):
            grid.setColumnStretchFactor(col, stretch)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._last: tuple[str, str, int] | None = None
        self.keep_last = True  # the last unit stays chosen when the pointer leaves the maps

    def set_pictures(self, name: str, mosaics: dict[str, tuple]) -> None:
        """Show ``name``'s mosaics: layer -> (float32 image with NaN gaps, its Grid, level)."""
        for (model, layer), (vb, img, _) in list(self.cells.items()):
            if model != name or layer not in mosaics:
                continue
            image, grid, level = mosaics[layer]
            img.setImage(diverging_rgba(image, level), autoLevels=False, levels=None)
            h, w = image.shape
            vb.setRange(QRectF(0, 0, w, h), padding=0.04)  # room for the hover outline
            self.cells[(model, layer)] = (vb, img, grid)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        for (model, layer), (vb, img, grid) in self.cells.items():
            if grid is None or not vb.sceneBoundingRect().contains(pos):
                continue
            p = img.mapFromScene(pos)
            index = grid.locate(p.y(), p.x())
            if index is not None:
                self._emit((model, layer, unit_at(grid, layer, index)))
                return
        self._emit(None)

    def _emit(self, key) -> None:
        if key == self._last or (key is None and self._last is not None and self.keep_last):
            return
        self._last = key
        self._mark(key)
        self.hovered.emit(*(key or ("", "", -1)))

    def _mark(self, key) -> None:
        """Outline the hovered unit: its kernel (conv1, a template) or its row (conv2)."""
        for mark in self.marks.values():
            mark.setVisible(False)
        if key is None:
            return
        model, layer, unit = key
        _, _, grid = self.cells.get((model, layer), (None, None, None))
        if grid is None:
            return
        top, left, h, w = unit_outline(grid, layer, unit)
        mark = self.marks[(model, layer)]
        mark.setRect(QRectF(left - 0.5, top - 0.5, w + 1, h + 1))
        mark.setVisible(True)

    def hover(self, model: str, layer: str, unit: int) -> None:
        """Act as if the pointer were on ``unit`` (the page's default unit, tests, self-test)."""
        self._last = None
        self._emit((model, layer, unit))


class DigitStrip(pg.GraphicsLayoutWidget):
    """A row of MNIST digits (a unit's strongest), in one image."""

    def __init__(self, count: int = 9, parent=None):
        super().__init__(parent)
        self.count = count
        self.setFixedHeight(64)
        self.ci.setContentsMargins(0, 0, 0, 0)
        self.vb = image_box()
        self.addItem(self.vb)
        self.image = pg.ImageItem(np.zeros((28, 29 * count - 1), np.uint8), levels=(0, 255))
        self.vb.addItem(self.image)
        self.vb.setRange(QRectF(0, 0, 29 * count - 1, 28), padding=0)
        self.indices: list[int] = []

    def show_digits(self, digits: np.ndarray | None, indices=()) -> None:
        """``digits`` uint8 ``(n, 28, 28)`` 0..255 (None: clear); ``indices`` their MNIST test
        indices."""
        strip = np.full((28, 29 * self.count - 1), 255, np.uint8)
        self.indices = list(indices)
        if digits is not None:
            for i, d in enumerate(digits[: self.count]):
                strip[:, i * 29 : i * 29 + 28] = d
        self.image.setImage(strip, autoLevels=False, levels=(0, 255))


class LayersPage(QWidget):
    """The weights as pictures, a label naming the hovered unit, and its strongest digits.

    Attributes
    ----------
    top : model -> layer -> int32 ``(units, k)`` MNIST test indices, strongest first.
    digits : uint8 ``(10000, 28, 28)`` the MNIST test digits, or None until they arrive.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filters = FiltersView()
        self.filters.hovered.connect(self._on_hovered)
        self.strip = DigitStrip()
        self.label = hint(
            "Hover a kernel or a template to see the MNIST test digits that "
            "drive its unit hardest. Red: positive weight, blue: negative."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filters, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.strip)
        self.top: dict[str, dict[str, np.ndarray]] = {}
        self.digits: np.ndarray | None = None
        self._hovered: tuple[str, str, int] | None = None

    def set_pictures(self, name: str, mosaics: dict[str, tuple]) -> None:
        """New weights for ``name``: its mosaics shown, its top digits to be found again."""
        self.top.pop(name, None)
        self.filters.set_pictures(name, mosaics)

    def set_top(self, name: str, top: dict[str, np.ndarray]) -> None:
        """``name``'s top digits per layer arrived: show them for the hovered unit (conv1
        kernel 0 until one is hovered) without waiting for the pointer to move."""
        self.top[name] = top
        model, layer, unit = self._hovered or ("cnn", "conv1", 0)
        if model == name:
            self.filters.hover(model, layer, unit)

    def set_digits(self, digits: np.ndarray) -> None:
        """The MNIST test digits the indices point into, uint8 ``(n, 28, 28)``."""
        self.digits = digits

    def _on_hovered(self, model: str, layer: str, unit: int) -> None:
        if not layer:
            return
        self._hovered = (model, layer, unit)
        top = self.top.get(model, {}).get(layer)
        found = top is not None and self.digits is not None and unit < len(top)
        self.label.setText(unit_label(model_title(model), layer, unit, found))
        if not found:
            self.strip.show_digits(None)
            return
        indices = top[unit]
        self.strip.show_digits(self.digits[indices], indices)
