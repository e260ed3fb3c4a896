"""The Draw tab's activation maps: every shown layer of every model as one mosaic image, with a
fixed colour scale each, and what the unit under the pointer is and sees."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSimpleTextItem

from digitlab.app.draw.colour_bar import ColourBar
from digitlab.app.draw.graphics import PixelImage, TrackedView, cache_static, fixed_viewbox
from digitlab.app.live.live_models import colour_mosaic
from digitlab.app.widgets.styles import HINT, TEXT, model_colour, viridis_lut
from digitlab.model.explain.mosaic import GAP_INDEX, build_mosaic
from digitlab.model.explain.receptive_field import receptive_field
from digitlab.model.nets.describe import LayerView, ModelInfo
from digitlab.model.nets.live_answer import LiveResult
from digitlab.model.nets.wording import model_title, unit_description

SHORT_TITLES = {"cnn": "CNN", "dense": "Dense", "custom": "Yours"}


def layer_caption(layer: LayerView) -> str:
    """``conv1 · 26×26×32``: the layer's name and output shape."""
    return f"{layer.name} · {'×'.join(str(s) for s in layer.shape)}"


def _class_label(text: str, x: float, y: float) -> QGraphicsSimpleTextItem:
    """``text`` centred under ``(x, y)`` in view coordinates, at the screen's own size.

    A plain Qt text item that ignores the view's scaling: pyqtgraph's ``TextItem`` does the
    same in Python, recomputing its transform and bounds at every paint of the view (for
    the two output rows' 20 labels, about a millisecond of each live repaint)."""
    label = QGraphicsSimpleTextItem(text)
    label.setBrush(QColor(TEXT))
    label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    label.setPos(x, y)
    label.setTransform(QTransform.fromTranslate(-label.boundingRect().width() / 2, 3))
    return label


class _LayerCell:
    """The items of one layer in the activation view (created once per model load)."""

    def __init__(self, layer: LayerView, lut: np.ndarray):
        self.layer = layer
        colour = model_colour(layer.model)
        self.title = pg.LabelItem(
            f"<span style='color:{colour}'>{SHORT_TITLES.get(layer.model, layer.model)}</span> "
            f"<b>{layer_caption(layer)}</b>",
            size="8.5pt",  # four titles side by side fit a 1024-px window
        )
        self.vb = fixed_viewbox()
        self.blank = lut[np.full(layer.layout.shape, GAP_INDEX, np.uint8)]
        self.blank_empty = lut[build_mosaic(np.zeros(layer.shape, np.float32), layer.layout, 1)]
        self.image = PixelImage(self.blank)
        self.vb.addItem(self.image)
        h, w = layer.layout.shape
        extra = 0.0
        if len(layer.shape) == 1 and layer.layout.rows == 1:
            # One row of units (the output): label each with its class, once.
            for i in range(layer.layout.cols):
                self.vb.addItem(_class_label(str(i), i + 0.5, 1.05))
            extra = 1.0
        self.vb.setRange(QRectF(0, 0, w, h + extra), padding=0)
        self.bar = ColourBar((0.0, layer.level))
        cache_static(self.title, self.bar, self.bar.axis, self.bar.vb, self.bar.image)

    def set_level(self, layer: LayerView) -> None:
        self.layer = layer
        self.bar.set_levels((0.0, layer.level))


class ActivationView(TrackedView):
    """Every shown layer of every model as one mosaic image, with a fixed colour scale each.

    The CNN's four spatial layers fill the first row; the vector layers of both models (the
    CNN's dense and output, the dense network's hidden and output) the second.

    Signals
    -------
    hovered(str, object)
        A description of the unit under the pointer (or "") and its receptive field on the
        28x28 input as ``(top, left, height, width)`` (or None).
    """

    # The unit under the pointer: description, receptive field (top, left, h, w) or None.
    hovered = Signal(str, object)
    COLUMNS = 4

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(400, 200)
        self.setAccessibleName("Activation maps")
        self.setAccessibleDescription(
            "Every unit of every shown layer of the models, coloured by how strongly it "
            "responds to the drawing, updated as you draw; hover a map to read one unit."
        )
        self.ci.setSpacing(3)
        self.cells: dict[tuple[str, str], _LayerCell] = {}
        self._lut = viridis_lut()
        self._latest: LiveResult | None = None
        self._hover_key: tuple | None = None
        self._message = self.ci.addLabel("Loading the models…", size="11pt", color=HINT)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_models(self, infos: dict[str, ModelInfo]) -> None:
        """Lay the layers out (once per model load, and when the theme changes; strokes only
        change pixels)."""
        self._lut = viridis_lut()  # its gap colour is the theme's plot background
        self.ci.clear()
        self.cells.clear()
        layers = [layer for info in infos.values() for layer in info.shown]
        spatial = [layer for layer in layers if len(layer.shape) == 3]
        vectors = [layer for layer in layers if len(layer.shape) != 3]
        rows = [spatial[i : i + self.COLUMNS] for i in range(0, len(spatial), self.COLUMNS)]
        rows += [vectors[i : i + self.COLUMNS] for i in range(0, len(vectors), self.COLUMNS)]
        for r, row in enumerate(rows):
            for c, layer in enumerate(row):
                cell = _LayerCell(layer, self._lut)
                self.ci.addItem(cell.title, row=2 * r, col=2 * c, colspan=2)
                self.ci.addItem(cell.vb, row=2 * r + 1, col=2 * c)
                self.ci.addItem(cell.bar, row=2 * r + 1, col=2 * c + 1)
                self.cells[(layer.model, layer.name)] = cell
        grid = self.ci.layout
        for c in range(self.COLUMNS):
            grid.setColumnStretchFactor(2 * c, 1)
            grid.setColumnStretchFactor(2 * c + 1, 0)
        for r in range(len(rows)):
            grid.setRowStretchFactor(2 * r, 0)
            grid.setRowStretchFactor(2 * r + 1, 3 if r == 0 else 2)
        if self._latest is not None:
            self.update_result(self._latest)

    def update_model(self, info: ModelInfo) -> None:
        """A model was swapped: new colour scales (the layout is the same architecture)."""
        for layer in info.shown:
            cell = self.cells.get((info.name, layer.name))
            if cell is not None:
                cell.set_level(layer)

    def update_result(self, result: LiveResult) -> None:
        self._latest = result
        for (name, layer), cell in self.cells.items():
            rgba = result.coloured.get(name, {}).get(layer)
            act = result.activations.get(name, {}).get(layer)
            if rgba is None and act is not None:  # answered while no maps were wanted
                rgba = colour_mosaic(build_mosaic(act, cell.layer.layout, cell.layer.level))
            if rgba is None:  # empty drawing, or a model without this layer: blank maps
                rgba = cell.blank_empty if result.empty else cell.blank
            cell.image.setImage(rgba)
        self.shown_revision = result.revision
        if self._hover_key is not None:
            self._describe(*self._hover_key)

    # ---------------------------------------------------------------- hover

    def _on_mouse_moved(self, pos: QPointF) -> None:
        for key, cell in self.cells.items():
            if cell.vb.sceneBoundingRect().contains(pos):
                p = cell.image.mapFromScene(pos)
                unit = cell.layer.layout.locate(p.y(), p.x())
                if unit is not None:
                    self._hover_key = (key, unit)
                    self._describe(key, unit)
                    return
        self._hover_key = None
        self.hovered.emit("", None)

    def _describe(self, key, unit) -> None:
        name, layer_name = key
        cell = self.cells[key]
        channel, row, col = unit
        layer = cell.layer
        value = None
        if self._latest is not None and not self._latest.empty:
            act = self._latest.activations.get(name, {}).get(layer_name)
            if act is not None:
                value = float(act[row, col, channel] if act.ndim == 3 else act[channel])
        spatial = len(layer.shape) == 3
        rect = receptive_field(layer.steps, layer_name, row, col) if spatial else None
        text = unit_description(model_title(name), layer_name, unit, value, layer.level, rect)
        self.hovered.emit(text, rect or (0, 0, 28, 28))  # a vector unit sees the whole input

    def leaveEvent(self, event):
        self._hover_key = None
        self.hovered.emit("", None)
        super().leaveEvent(event)
