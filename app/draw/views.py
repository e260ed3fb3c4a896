"""The live views: the model input, both models' probability bars, and the activation maps.

Views render only: they are built once, take a :class:`digitlab.app.live.live_models.LiveResult` in their
``update_*`` slot and change their plot items in place (no item is created per stroke). Each
graphics view records which canvas revision it last painted (:attr:`painted_revision`), which
the latency benchmark and the self-test read.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QTextDocument
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.widgets.styles import viridis_lut
from digitlab.app.live.live_models import LayerView, LiveResult, ModelInfo, colour_mosaic
from digitlab.model.explain.mosaic import GAP_INDEX, build_mosaic, receptive_field
from digitlab.model.preprocess.frame import Preprocessed

pg.setConfigOptions(imageAxisOrder="row-major", background="w", foreground="#3a3f4b",
                    antialias=False)

MODEL_TITLES = {"cnn": "CNN", "dense": "Dense network", "custom": "Your model"}
MODEL_COLOURS = {"cnn": "#3b6fd8", "dense": "#7a4fc9", "custom": "#0f8a7e"}
TICK_CHARS = 10
"""Longer class names are shortened on the bars' axis (the header shows them whole)."""
BAR_IDLE = "#c5cad3"
DISAGREE = "#e07b1a"
AGREE = "#2e9e5b"


def model_title(name: str) -> str:
    return MODEL_TITLES.get(name, name)


def confidence_words(p: float) -> str:
    """A probability in plain words (the number follows in brackets)."""
    if p >= 0.95:
        return "almost certain"
    if p >= 0.8:
        return "fairly sure"
    if p >= 0.6:
        return "leaning"
    if p >= 0.4:
        return "unsure"
    return "guessing"


class _TrackedView(pg.GraphicsLayoutWidget):
    """A graphics view that remembers the canvas revision it last painted."""

    # Emitted after each paint with the revision shown.
    painted = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.shown_revision = -1
        self.painted_revision = -1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event):
        super().paintEvent(event)
        self.painted_revision = self.shown_revision
        self.painted.emit(self.shown_revision)


def _cache(*items) -> None:
    """Keep static items (axes, titles, colour bars) as pixmaps: repainting a neighbouring
    image then blits them instead of running their Python paint code again."""
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _fixed_viewbox() -> pg.ViewBox:
    vb = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
    vb.setDefaultPadding(0.0)
    return vb


# --------------------------------------------------------------------------- model input


class InputView(QWidget):
    """The 28x28 image the models read, its notes, and the hovered unit's receptive field."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = _TrackedView()
        self.view.setMinimumSize(140, 140)
        self.view.setMaximumHeight(300)
        self.view.sizeHint = lambda: QSize(200, 200)  # a graphics view asks for its scene's size
        self.view.ci.setContentsMargins(2, 2, 2, 2)
        self.vb = _fixed_viewbox()
        self.view.addItem(self.vb)
        self.image = pg.ImageItem(np.zeros((28, 28), np.uint8), levels=(0, 255))
        self.vb.addItem(self.image)
        self.vb.setRange(QRectF(0, 0, 28, 28), padding=0)
        self.field = QGraphicsRectItem()
        pen = QPen(QColor("#ff4d4d"), 0)
        pen.setCosmetic(True)
        pen.setWidthF(2.0)
        self.field.setPen(pen)
        self.field.setVisible(False)
        self.vb.addItem(self.field)
        title = QLabel("<b>What the models see</b> · 28×28, as in MNIST")
        title.setToolTip("Your strokes, cropped, redrawn with an MNIST-like pen, scaled so the\n"
                         "longer side is 20 px and centred by mass in a 28×28 field.")
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #8a5a00;")
        # Room for two lines whether or not there is a note: a note that appears mid-stroke
        # must not shrink the paper above while the pen is on it.
        self.notes.setFixedHeight(2 * self.notes.fontMetrics().lineSpacing() + 2)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.notes)

    def update_result(self, result: LiveResult) -> None:
        # uint8 with levels 0..255 is pyqtgraph's fast path (a float image is rescaled per paint).
        pixels = (result.preprocessed.image * 255.0 + 0.5).astype(np.uint8)
        self.image.setImage(pixels, autoLevels=False, levels=(0, 255))
        notes = result.preprocessed.notes
        text = "⚠ " + "; ".join(notes) if notes else ""
        if self.notes.text() != text:
            self.notes.setText(text)
            self.notes.setToolTip(text)  # the whole text, should three notes need a third line
        self.view.shown_revision = result.revision

    def show_field(self, rect: tuple[int, int, int, int] | None) -> None:
        """Outline ``(top, left, height, width)`` in input pixels, or hide the outline."""
        if rect is None:
            self.field.setVisible(False)
            return
        top, left, h, w = rect
        self.field.setRect(QRectF(left, top, w, h))
        self.field.setVisible(True)


# --------------------------------------------------------------------------- probabilities


_NO_PEN = pg.mkPen(None)
_DISAGREE_PEN = pg.mkPen(DISAGREE, width=2.5)


class ProbabilityPlot(_TrackedView):
    """One model's probability for each class, as bars (items created once)."""

    def __init__(self, name: str, classes: int = 10, parent=None):
        super().__init__(parent)
        self.name = name
        self.setMinimumHeight(140)
        self.plot = self.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1.05, padding=0)
        self.plot.getAxis("left").setTicks([[(0, "0%"), (0.5, "50%"), (1.0, "100%")]])
        self.plot.showGrid(y=True, alpha=0.25)
        self.bars = pg.BarGraphItem(x=np.arange(classes), height=np.zeros(classes), width=0.72,
                                    brush=BAR_IDLE, pen=None)
        self.plot.addItem(self.bars)
        self.set_classes(classes)
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.plot.getAxis("bottom").setStyle(tickFont=font)
        _cache(self.plot.getAxis("bottom"), self.plot.getAxis("left"))

    def set_classes(self, classes: int, names: tuple[str, ...] = ()) -> None:
        """``classes`` bars labelled with ``names`` (default the digits 0, 1, ...)."""
        self.classes = classes
        labels = [(n if len(n) <= TICK_CHARS else n[: TICK_CHARS - 1] + "…")
                  for n in (names or [str(i) for i in range(classes)])]
        self.plot.setXRange(-0.6, classes - 0.4, padding=0)
        self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
        self.bars.setOpts(x=np.arange(classes), height=np.zeros(classes), brushes=None,
                          brush=BAR_IDLE, pens=None, pen=None)

    def show_probabilities(self, probs: np.ndarray | None, revision: int,
                           other_top: int | None = None) -> None:
        if probs is None:
            self.bars.setOpts(height=np.zeros(self.classes), brushes=None, brush=BAR_IDLE,
                              pens=None, pen=None)
        else:
            top = int(np.argmax(probs))
            brushes = [BAR_IDLE] * self.classes
            brushes[top] = MODEL_COLOURS.get(self.name, "#3b6fd8")
            pens = [_NO_PEN] * self.classes
            if other_top is not None and other_top != top:
                pens[other_top] = _DISAGREE_PEN  # where the other model's answer stands
            self.bars.setOpts(height=np.asarray(probs, np.float64), brushes=brushes, pens=pens)
        self.shown_revision = revision


class TextStrip(QWidget):
    """A one-line rich-text strip whose text changes while the pen moves.

    A QLabel asks its window to re-lay itself out on every new text, which here repaints
    every widget in the window (about 5 ms a stroke); this strip only repaints itself.
    """

    def __init__(self, height: int, centred: bool = False, font_scale: float = 1.0,
                 bold: bool = False, parent=None):
        super().__init__(parent)
        self._doc = QTextDocument()
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * font_scale)
        font.setBold(bold)
        self._doc.setDefaultFont(font)
        self._doc.setDocumentMargin(2)
        self._html = ""
        self._centred = centred
        self._background: QColor | None = None
        self._colour = QColor("#3a3f4b")
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def text(self) -> str:
        """The text without markup (for tests and accessibility)."""
        return self._doc.toPlainText()

    def set_html(self, html: str, colour: str | None = None, background: str | None = None):
        if colour is not None:
            self._colour = QColor(colour)
        self._background = QColor(background) if background else None
        if html != self._html:
            self._html = html
            self._doc.setDefaultStyleSheet(f"body {{ color: {self._colour.name()}; }}")
            self._doc.setHtml(f"<body>{html}</body>")
            self.setToolTip(self.text())
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())  # opaque: parents need not paint
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._background is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._background)
            painter.drawRoundedRect(QRectF(self.rect()), 6, 6)
        self._doc.setTextWidth(-1)
        size = self._doc.size()
        x = (self.width() - size.width()) / 2 if self._centred else 0.0
        y = (self.height() - size.height()) / 2
        painter.translate(max(0.0, x), y)
        self._doc.drawContents(painter, QRectF(0, 0, self.width(), size.height()))
        painter.end()


class ProbabilityPanel(QWidget):
    """Both models' bars side by side, their readings in words, and whether they agree.

    Clicking a bar emits :attr:`class_clicked` with its class (the Explain tab explains it).
    """

    # A bar was clicked: its class.
    class_clicked = Signal(int)

    def __init__(self, names=("cnn", "dense"), parent=None):
        super().__init__(parent)
        self.banner = TextStrip(38, centred=True, font_scale=1.25, bold=True)
        self.headers: dict[str, TextStrip] = {}
        self.plots: dict[str, ProbabilityPlot] = {}
        self.labels: dict[str, tuple[str, ...]] = {}
        self._row = QHBoxLayout()
        self._row.setSpacing(12)
        self._columns: list[QWidget] = []
        self._build_columns({name: () for name in names})
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(self._row, 1)
        self.show_loading()

    def _build_columns(self, labels: dict[str, tuple[str, ...]]) -> None:
        for column in self._columns:
            column.setParent(None)
            column.deleteLater()
        self._columns, self.headers, self.plots = [], {}, {}
        for name, names in labels.items():
            column = QWidget()
            inner = QVBoxLayout(column)
            inner.setContentsMargins(0, 0, 0, 0)
            header = TextStrip(30)
            plot = ProbabilityPlot(name, len(names) or 10)
            if names:
                plot.set_classes(len(names), names)
            self.headers[name] = header
            self.plots[name] = plot
            plot.scene().sigMouseClicked.connect(
                lambda event, p=plot: self._on_clicked(p, event.scenePos()))
            inner.addWidget(header)
            inner.addWidget(plot, 1)
            self._row.addWidget(column, 1)
            self._columns.append(column)
        self.labels = {name: names or tuple(str(i) for i in range(10))
                       for name, names in labels.items()}

    def set_models(self, infos) -> None:
        """Show one column of bars per model in ``infos`` (name -> ModelInfo), labelled with
        its classes; nothing is rebuilt when the names and classes are the same."""
        labels = {name: tuple(info.labels) for name, info in infos.items()}
        if labels == self.labels:
            return
        self._build_columns(labels)
        self.show_loading() if not infos else self.update_result(
            LiveResult(-1, _EMPTY_INPUT), ready=True)

    def _set_banner(self, text: str, colour: str, background: str) -> None:
        self.banner.set_html(text, colour, background)

    def _on_clicked(self, plot: ProbabilityPlot, scene_pos) -> None:
        x = plot.plot.vb.mapSceneToView(scene_pos).x()
        digit = int(round(x))
        if 0 <= digit < plot.classes and abs(x - digit) <= 0.5:
            self.class_clicked.emit(digit)

    def _header(self, name: str, text: str) -> None:
        colour = MODEL_COLOURS.get(name, "#333")
        self.headers[name].set_html(
            f"<span style='color:{colour}; font-weight:600'>{model_title(name)}</span>"
            f"&nbsp;&nbsp;{text}")

    def show_loading(self) -> None:
        self._set_banner("Loading the models… you can start drawing", "#55606e", "#eef1f5")
        for name, plot in self.plots.items():
            self._header(name, "<span style='color:#888'>loading…</span>")
            plot.show_probabilities(None, plot.shown_revision)

    def update_result(self, result: LiveResult, ready: bool = True) -> None:
        if result.empty:
            if ready and len(self.plots) == 1:
                name = next(iter(self.plots))
                self._set_banner(f"Draw on the paper: {model_title(name)} sorts it into "
                                 f"{len(self.labels[name])} classes", "#55606e", "#eef1f5")
            elif ready:
                self._set_banner("Draw a digit on the paper", "#55606e", "#eef1f5")
            for name, plot in self.plots.items():
                self._header(name, "<span style='color:#888'>waiting for a drawing</span>")
                plot.show_probabilities(None, result.revision)
            return
        tops = {n: int(np.argmax(p)) for n, p in result.probabilities.items() if n in self.plots}
        for name, plot in self.plots.items():
            probs = result.probabilities.get(name)
            if probs is None or len(probs) != plot.classes:
                continue  # an answer from before the model set changed
            others = [t for n, t in tops.items() if n != name]
            plot.show_probabilities(probs, result.revision, others[0] if others else None)
            top = tops[name]
            p = float(probs[top])
            self._header(name, f"reads <b style='font-size:15pt'>{self._label(name, top)}</b> · "
                               f"{confidence_words(p)} ({p:.0%})")
        if len(tops) == 1:
            name, top = next(iter(tops.items()))
            self._set_banner(f"{model_title(name)} reads {self._label(name, top)}",
                             "#0b5e56", "#e0f3f0")
        elif len(set(tops.values())) == 1:
            digit = next(iter(tops.values()))
            self._set_banner(f"Both models read {digit}", "#1d6b3e", "#e3f4ea")
        elif tops:
            parts = " · ".join(f"{model_title(n)} reads {t}" for n, t in tops.items())
            self._set_banner(f"The models disagree: {parts}", "#8a4300", "#fde9d3")

    def _label(self, name: str, index: int) -> str:
        names = self.labels.get(name, ())
        return names[index] if 0 <= index < len(names) else str(index)

    @property
    def painted_revision(self) -> int:
        return min(p.painted_revision for p in self.plots.values())


_EMPTY_INPUT = Preprocessed(np.zeros((28, 28), np.float32), True)


# --------------------------------------------------------------------------- activations


SHORT_TITLES = {"cnn": "CNN", "dense": "Dense", "custom": "Yours"}


def layer_caption(layer: LayerView) -> str:
    """``conv1 · 26×26×32``: the layer's name and output shape."""
    return f"{layer.name} · {'×'.join(str(s) for s in layer.shape)}"


class _LayerCell:
    """The items of one layer in the activation view (created once per model load)."""

    def __init__(self, layer: LayerView, lut: np.ndarray):
        self.layer = layer
        colour = MODEL_COLOURS.get(layer.model, "#333")
        self.title = pg.LabelItem(
            f"<span style='color:{colour}'>{SHORT_TITLES.get(layer.model, layer.model)}</span> "
            f"<b>{layer_caption(layer)}</b>", size="9pt")
        self.vb = _fixed_viewbox()
        self.image = pg.ImageItem()
        self.blank = lut[np.full(layer.layout.shape, GAP_INDEX, np.uint8)]
        self.blank_empty = lut[build_mosaic(np.zeros(layer.shape, np.float32), layer.layout, 1)]
        self.image.setImage(self.blank, autoLevels=False, levels=None)
        self.vb.addItem(self.image)
        h, w = layer.layout.shape
        extra = 0.0
        if len(layer.shape) == 1 and layer.layout.rows == 1:
            # One row of units (the output): label each with its class, once.
            for i in range(layer.layout.cols):
                label = pg.TextItem(str(i), color="#3a3f4b", anchor=(0.5, 0.0))
                label.setPos(i + 0.5, 1.05)
                _cache(label)
                self.vb.addItem(label)
            extra = 1.0
        self.vb.setRange(QRectF(0, 0, w, h + extra), padding=0)
        self.bar = pg.ColorBarItem(values=(0.0, layer.level), colorMap="viridis",
                                   interactive=False, width=8, orientation="vertical")
        self.bar.getAxis("right").setStyle(tickLength=3, tickTextOffset=2)
        self.bar.getAxis("right").setWidth(30)
        _cache(self.title, self.bar, self.bar.getAxis("right"), *self.bar.childItems())

    def set_level(self, layer: LayerView) -> None:
        self.layer = layer
        self.bar.setLevels((0.0, layer.level))


class ActivationView(_TrackedView):
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
        self.setMinimumSize(400, 260)
        self.ci.setSpacing(3)
        self.cells: dict[tuple[str, str], _LayerCell] = {}
        self._lut = viridis_lut()
        self._latest: LiveResult | None = None
        self._hover_key: tuple | None = None
        self._message = self.ci.addLabel("Loading the models…", size="11pt", color="#55606e")
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_models(self, infos: dict[str, ModelInfo]) -> None:
        """Lay the layers out (once per model load; strokes only change pixels)."""
        self.ci.clear()
        self.cells.clear()
        layers = [layer for info in infos.values() for layer in info.shown]
        spatial = [layer for layer in layers if len(layer.shape) == 3]
        vectors = [layer for layer in layers if len(layer.shape) != 3]
        rows = [spatial[i:i + self.COLUMNS] for i in range(0, len(spatial), self.COLUMNS)]
        rows += [vectors[i:i + self.COLUMNS] for i in range(0, len(vectors), self.COLUMNS)]
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
            cell.image.setImage(rgba, autoLevels=False, levels=None)
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
        shown = "—" if value is None else f"{value:.3g}"
        if len(layer.shape) == 3:
            rect = receptive_field(layer.steps, layer_name, row, col)
            text = (f"{model_title(name)} · {layer_name} · channel {channel} · row {row}, "
                    f"col {col} · value {shown} (scale 0–{layer.level:.3g}) · sees the "
                    f"{rect[2]}×{rect[3]} input patch outlined in red")
        else:
            rect = (0, 0, 28, 28)
            label = f"class {channel}" if layer_name == "output" else f"unit {channel}"
            text = (f"{model_title(name)} · {layer_name} · {label} · value {shown} "
                    f"(scale 0–{layer.level:.3g}) · sees the whole input")
        self.hovered.emit(text, rect)

    def leaveEvent(self, event):
        self._hover_key = None
        self.hovered.emit("", None)
        super().leaveEvent(event)
