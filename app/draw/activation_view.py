"""The Draw tab's activation maps: every shown layer of every model as one mosaic image, with a
fixed colour scale each, and what the unit under the pointer is and sees."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from digitlab.app.draw.colour_bar import ColourBar
from digitlab.app.draw.pixel_view import PixelView
from digitlab.app.widgets import styles
from digitlab.app.widgets.styles import HINT, model_colour, viridis_words
from digitlab.model.explain.mosaic import GAP_INDEX, apply_lut, build_mosaic
from digitlab.model.explain.receptive_field import receptive_field
from digitlab.model.nets.describe import LayerView, ModelInfo
from digitlab.model.nets.live_answer import LiveResult
from digitlab.model.nets.wording import model_title, unit_description

SHORT_TITLES = {"cnn": "CNN", "dense": "Dense", "custom": "Yours"}


def colour_mosaic(mosaic: np.ndarray) -> np.ndarray:
    """uint32 ``(h, w)`` opaque ``0xAARRGGBB`` words of a uint8 ``(h, w)`` mosaic
    (:func:`digitlab.model.explain.mosaic.build_mosaic`) through the viridis table: what the
    activation views show."""
    return apply_lut(mosaic, viridis_words())


def layer_caption(layer: LayerView) -> str:
    """``conv1 · 26×26×32``: the layer's name and output shape."""
    return f"{layer.name} · {'×'.join(str(s) for s in layer.shape)}"


class _LayerCell:
    """The widgets of one layer in the activation view (created once per model load)."""

    def __init__(self, layer: LayerView, lut: np.ndarray):
        self.layer = layer
        colour = model_colour(layer.model)
        self.title = QLabel(
            f"<span style='color:{colour}'>{SHORT_TITLES.get(layer.model, layer.model)}</span> "
            f"<b>{layer_caption(layer)}</b>"
        )
        font = QFont(self.title.font())
        font.setPointSizeF(8.5)  # four titles side by side fit a 1024-px window
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.blank = lut[np.full(layer.layout.shape, GAP_INDEX, np.uint8)]
        self.blank_empty = lut[build_mosaic(np.zeros(layer.shape, np.float32), layer.layout, 1)]
        labels: tuple[str, ...] = ()
        if len(layer.shape) == 1 and layer.layout.rows == 1:
            labels = tuple(str(i) for i in range(layer.layout.cols))  # the output's classes
        self.image = PixelView(self.blank, labels)
        self.bar = ColourBar((0.0, layer.level))

    def set_level(self, layer: LayerView) -> None:
        self.layer = layer
        self.bar.set_levels((0.0, layer.level))


class ActivationView(QWidget):
    """Every shown layer of every model as one mosaic image, with a fixed colour scale each.

    The CNN's four spatial layers fill the first row; the vector layers of both models (the
    CNN's dense and output, the dense network's hidden and output) the second. Each map is
    its own widget: a new answer repaints the eight images, never the titles or the scales.

    :attr:`shown_revision` is the canvas revision of the answer shown; :attr:`painted_revision`
    follows when its images are painted (``painted`` is emitted then), which the latency
    benchmark and the self-test read.

    Signals
    -------
    hovered(str, object)
        A description of the unit under the pointer (or "") and its receptive field on the
        28x28 input as ``(top, left, height, width)`` (or None).
    """

    # The unit under the pointer: description, receptive field (top, left, h, w) or None.
    hovered = Signal(str, object)
    # Emitted once the maps are painted with a new revision: that revision.
    painted = Signal(int)
    COLUMNS = 4

    def __init__(self, parent=None):
        super().__init__(parent)
        self.shown_revision = -1
        self.painted_revision = -1
        self.setMinimumSize(400, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a Tab stop, read by its name
        self.setAccessibleName("Activation maps")
        self.setAccessibleDescription(
            "Every unit of every shown layer of the models, coloured by how strongly it "
            "responds to the drawing, updated as you draw; hover a map to read one unit."
        )
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(3, 3, 3, 3)
        self.grid.setSpacing(3)
        self.cells: dict[tuple[str, str], _LayerCell] = {}
        self._lut = viridis_words()
        self._latest: LiveResult | None = None
        self._hover_key: tuple | None = None
        self._message = QLabel("Loading the models…")
        self._message.setStyleSheet(f"color: {HINT}; font-size: 11pt;")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.addWidget(self._message, 0, 0)
        self._paint_background()

    def _paint_background(self) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(styles.PAPER))
        self.setPalette(palette)

    def set_models(self, infos: dict[str, ModelInfo]) -> None:
        """Lay the layers out (once per model load, and when the theme changes; strokes only
        change pixels)."""
        self._lut = viridis_words()  # its gap colour is the theme's plot background
        self._paint_background()
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None and widget is not self._message:
                widget.hide()  # now: deleteLater leaves it on screen until the next loop
                widget.deleteLater()
        self._message.hide()
        self.cells.clear()
        for c in range(self.grid.columnCount()):
            self.grid.setColumnStretch(c, 0)
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 0)
        layers = [layer for info in infos.values() for layer in info.shown]
        spatial = [layer for layer in layers if len(layer.shape) == 3]
        vectors = [layer for layer in layers if len(layer.shape) != 3]
        rows = [spatial[i : i + self.COLUMNS] for i in range(0, len(spatial), self.COLUMNS)]
        rows += [vectors[i : i + self.COLUMNS] for i in range(0, len(vectors), self.COLUMNS)]
        for r, row in enumerate(rows):
            for c, layer in enumerate(row):
                cell = _LayerCell(layer, self._lut)
                key = (layer.model, layer.name)
                self.grid.addWidget(cell.title, 2 * r, 2 * c, 1, 2)
                self.grid.addWidget(cell.image, 2 * r + 1, 2 * c)
                self.grid.addWidget(cell.bar, 2 * r + 1, 2 * c + 1)
                cell.image.painted.connect(self._on_painted)
                cell.image.pointed.connect(lambda at, key=key: self._on_pointed(key, at))
                self.cells[key] = cell
        for c in range(self.COLUMNS):
            self.grid.setColumnStretch(2 * c, 1)
        for r in range(len(rows)):
            self.grid.setRowStretch(2 * r + 1, 3 if r == 0 else 2)
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
            cell.image.setImage(rgba, result.revision)
        self.shown_revision = result.revision
        if not self.cells:
            self.update()  # nothing to repaint but the message: count it painted
        if self._hover_key is not None:
            self._describe(*self._hover_key)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self._on_painted()

    def _on_painted(self, _revision: int = -1) -> None:
        # Eight maps paint for each answer: the view counts (and says) it painted once.
        if self.painted_revision != self.shown_revision:
            self.painted_revision = self.shown_revision
            self.painted.emit(self.shown_revision)

    # ---------------------------------------------------------------- hover

    def _on_pointed(self, key: tuple[str, str], at: tuple[float, float] | None) -> None:
        cell = self.cells.get(key)
        unit = None if at is None or cell is None else cell.layer.layout.locate(*at)
        if unit is None:
            self._hover_key = None
            self.hovered.emit("", None)
            return
        self._hover_key = (key, unit)
        self._describe(key, unit)

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
