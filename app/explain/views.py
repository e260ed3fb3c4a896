"""The Explain tab's views: saliency over the input, the preprocessing steps, the answer's
history, the weights as pictures, the receptive-field table and the at-scale sums.

Views render only: items are created once and updated in place with fixed levels; the
numbers come from :mod:`digitlab.model.explain.saliency`, :mod:`digitlab.model.explain.filters`, :mod:`digitlab.model.explain.receptive_field`
and :mod:`digitlab.model.explain.at_scale` (computed in the explanation thread where they are heavy).
"""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.widgets.styles import MODEL_COLOURS
from digitlab.model.nets.wording import model_title

BACKGROUND = (255, 255, 255)


# --------------------------------------------------------------------------- colours


@functools.lru_cache(maxsize=1)
def heat_lut() -> np.ndarray:
    """uint8 ``(256, 4)``: transparent for 0 rising to opaque yellow-red for 1 (the overlay)."""
    t = np.linspace(0.0, 1.0, 256)
    r = np.clip(0.95 + 0.05 * t, 0, 1)
    g = np.clip(0.15 + 0.8 * t ** 1.5, 0, 1)
    b = np.clip(0.1 * (1 - t), 0, 1)
    a = np.clip(t * 1.6, 0, 1)
    lut = (np.stack([r, g, b, a], 1) * 255 + 0.5).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def heat_rgba(values: np.ndarray, level: float) -> np.ndarray:
    """float ``(h, w)`` -> uint8 RGBA through :func:`heat_lut`, ``0..level`` (negatives clear)."""
    level = level if level > 0 else 1.0
    idx = np.clip(np.asarray(values, np.float32) / level * 255.0, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(heat_lut()[idx])


def diverging_rgba(image: np.ndarray, level: float) -> np.ndarray:
    """float ``(h, w)`` weights -> uint8 RGBA: blue negative, white zero, red positive,
    saturating at ``+-level``; NaN (gaps) shows the background."""
    a = np.asarray(image, np.float32)
    gap = ~np.isfinite(a)
    t = np.clip(np.nan_to_num(a) / (level if level > 0 else 1.0), -1.0, 1.0)
    pos, neg = np.clip(t, 0, 1), np.clip(-t, 0, 1)
    red = np.array([178, 24, 43], np.float32)
    blue = np.array([33, 102, 172], np.float32)
    white = np.array([247, 247, 247], np.float32)
    rgb = (white * (1 - pos - neg)[..., None] + red * pos[..., None] + blue * neg[..., None])
    rgb[gap] = BACKGROUND
    out = np.concatenate([rgb, np.full(a.shape + (1,), 255, np.float32)], axis=-1)
    return np.ascontiguousarray((out + 0.5).astype(np.uint8))


def _grey(image: np.ndarray) -> np.ndarray:
    """float 0..1 -> uint8, ink white on black like the model input."""
    return np.ascontiguousarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))


def _viewbox() -> pg.ViewBox:
    vb = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
    vb.setDefaultPadding(0.0)
    return vb


def _caption(text: str = "", small: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    if small:
        label.setStyleSheet("color: #55606e;")
    return label


# --------------------------------------------------------------------------- saliency


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
        self.vb = _viewbox()
        self.view.addItem(self.vb)
        self.image = pg.ImageItem(np.zeros((28, 28), np.uint8), levels=(0, 255))
        self.overlay = pg.ImageItem(np.zeros((28, 28, 4), np.uint8), levels=None)
        self.vb.addItem(self.image)
        self.vb.addItem(self.overlay)
        self.vb.setRange(QRectF(0, 0, 28, 28), padding=0)
        self.caption = _caption("")
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

    def show_map(self, image: np.ndarray, values: np.ndarray | None, caption: str) -> None:
        """``image`` float ``(28, 28)`` 0..1; ``values`` float ``(28, 28)`` (None: no map)."""
        self.image.setImage(_grey(image), autoLevels=False, levels=(0, 255))
        if values is None:
            self.values = np.zeros((28, 28), np.float32)
            self.overlay.setImage(np.zeros((28, 28, 4), np.uint8), autoLevels=False, levels=None)
        else:
            self.values = np.asarray(values, np.float32)
            top = float(self.values.max())
            self.overlay.setImage(heat_rgba(self.values, top if top > 0 else 1.0),
                                  autoLevels=False, levels=None)
        self.caption.setText(caption)

    def set_overlay(self, visible: bool, opacity: float) -> None:
        self.overlay.setVisible(visible)
        self.overlay.setOpacity(opacity)


class DrawOverlay(QWidget):
    """The Draw tab's saliency overlay: a heat map over "what the models see", a switch, a
    choice of map and an opacity slider, added to an existing :class:`digitlab.app.draw.input_view.InputView`.

    Off by default: while it is off, drawing asks for no explanation at all.
    """

    # The switch or the choice of map changed.
    changed = Signal()

    MAPS = (("cnn-occlusion", "CNN · occlusion"), ("cnn-gradcam", "CNN · Grad-CAM"),
            ("dense-occlusion", "Dense · occlusion"))

    def __init__(self, input_view, parent=None):
        super().__init__(parent)
        self.toggle = QCheckBox("Where it looked")
        self.toggle.setToolTip("Overlay the parts of the input that made the answer (computed in "
                               "the background, up to 8 times a second; the Explain tab has more)")
        self.choice = QComboBox()
        for key, title in self.MAPS:
            self.choice.addItem(title, key)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(70)
        self.opacity.setMaximumWidth(90)
        self.opacity.setToolTip("Opacity of the overlay")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.toggle)
        row.addWidget(self.choice, 1)
        row.addWidget(self.opacity)
        self.overlay = pg.ImageItem(np.zeros((28, 28, 4), np.uint8), levels=None)
        self.overlay.setZValue(5)
        self.overlay.setVisible(False)
        input_view.vb.addItem(self.overlay)
        input_view.layout().insertWidget(2, self)
        self.values = np.zeros((28, 28), np.float32)
        self.toggle.toggled.connect(self._on_changed)
        self.choice.currentIndexChanged.connect(self._on_changed)
        self.opacity.valueChanged.connect(
            lambda v: self.overlay.setOpacity(v / 100.0))
        self.overlay.setOpacity(0.7)

    @property
    def enabled(self) -> bool:
        return self.toggle.isChecked()

    def _on_changed(self, *_) -> None:
        if not self.enabled:
            self.overlay.setVisible(False)
        self.changed.emit()

    def show_explanation(self, ex) -> None:
        """Show the chosen map of ``ex`` (an :class:`digitlab.app.explain.worker.Explanation`, or None)."""
        if ex is None or not self.enabled:
            self.overlay.setVisible(False)
            return
        key = self.choice.currentData()
        model, kind = key.split("-")
        if kind == "gradcam":
            cam = ex.gradcam.get(model)
            values = None if cam is None else cam.input_map
        else:
            occ = ex.occlusion.get(model)
            values = None if occ is None else np.clip(occ, 0, None)
        if values is None:
            self.overlay.setVisible(False)
            return
        self.values = np.asarray(values, np.float32)
        top = float(self.values.max())
        self.overlay.setImage(heat_rgba(self.values, top if top > 0 else 1.0), autoLevels=False,
                              levels=None)
        self.overlay.setVisible(True)


# --------------------------------------------------------------------------- steps


class StepsView(QWidget):
    """What the model saw, step by step: five small pictures in order, live."""

    STEPS = (("raw", "1 · drawn"), ("cropped", "2 · cropped"), ("fitted", "3 · fit 20 px"),
             ("placed", "4 · centred"), ("input", "5 · input"))

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
            label = pg.LabelItem(title, size="8.5pt", color="#3a3f4b")
            self.view.ci.addItem(label, row=0, col=col)
            vb = _viewbox()
            vb.setBackgroundColor("#eef1f5")
            img = pg.ImageItem(np.zeros((28, 28), np.uint8), levels=(0, 255))
            vb.addItem(img)
            self.view.ci.addItem(vb, row=1, col=col)
            self.boxes[key], self.images[key], self.labels[key] = vb, img, label
            vb.setRange(QRectF(0, 0, 28, 28), padding=0)
        pen = QPen(QColor("#ff4d4d"), 0)
        pen.setCosmetic(True)
        pen.setWidthF(1.5)
        self.box_outline = QGraphicsRectItem()
        self.box_outline.setPen(pen)
        self.boxes["placed"].addItem(self.box_outline)
        self.com = pg.ScatterPlotItem(size=9, symbol="+", pen=pg.mkPen("#ff4d4d", width=2),
                                      brush=None)
        self.boxes["placed"].addItem(self.com)
        self.centre = pg.ScatterPlotItem([14.0], [14.0], size=7, symbol="o",
                                         pen=pg.mkPen("#3ec1ff", width=1.5), brush=None)
        self.boxes["placed"].addItem(self.centre)
        self.note = _caption("Draw a digit: each step the preprocessing takes shows here.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        self.shown: dict[str, tuple[int, ...]] = {}

    def _set(self, key: str, image: np.ndarray) -> None:
        img = _grey(image) if image.size else np.zeros((1, 1), np.uint8)
        self.images[key].setImage(img, autoLevels=False, levels=(0, 255))
        h, w = img.shape
        side = max(h, w)
        self.boxes[key].setRange(QRectF((w - side) / 2, (h - side) / 2, side, side), padding=0.02)
        self.shown[key] = img.shape

    def show_steps(self, pre, raw: np.ndarray | None) -> None:
        """``pre``: a :class:`digitlab.model.preprocess.frame.Preprocessed`; ``raw``: the canvas as drawn."""
        if pre.empty:
            for key, _ in self.STEPS:
                self._set(key, np.zeros((28, 28), np.float32))
            self.box_outline.setVisible(False)
            self.com.setData([], [])
            self.note.setText("Draw a digit: each step the preprocessing takes shows here.")
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
        ch, cw = pre.cropped.shape
        self.note.setText(
            f"Cropped ink {cw}×{ch} px (re-drawn with an MNIST-like pen) → scaled to {w}×{h} "
            f"→ placed at row {top}, column {left} so its centre of mass (red +) lands on the "
            f"field's centre (blue ○) → the 28×28 input both models read.")


# --------------------------------------------------------------------------- history


class HistoryPlot(pg.PlotWidget):
    """Both models' top probability after each stroke, the digit read written at each point,
    and a cursor for the replay."""

    MAX_LABELS = 40

    def __init__(self, names=("cnn", "dense"), parent=None):
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.setYRange(0, 1.12, padding=0)
        plot.getAxis("left").setTicks([[(0, "0%"), (0.5, "50%"), (1.0, "100%")]])
        plot.setLabel("bottom", "strokes")
        plot.setLabel("left", "top probability")
        plot.showGrid(y=True, alpha=0.25)
        # Bottom right: the points (top probabilities) sit high, and the newest on the right.
        self.legend = plot.addLegend(offset=(-8, -8), labelTextSize="8pt")
        self.curves = {}
        self.labels: dict[str, list[pg.TextItem]] = {}
        for name in names:
            colour = MODEL_COLOURS.get(name, "#333")
            self.curves[name] = plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o",
                                          symbolSize=6, symbolBrush=colour, symbolPen=None,
                                          name=model_title(name))
            self.labels[name] = []
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#e07b1a", width=2,
                                                             style=Qt.PenStyle.DashLine))
        self.cursor.setVisible(False)
        plot.addItem(self.cursor)
        self.history: dict[str, np.ndarray] = {}

    def _label(self, name: str, i: int) -> pg.TextItem:
        items = self.labels[name]
        while len(items) <= i:
            item = pg.TextItem("", color=MODEL_COLOURS.get(name, "#333"),
                               anchor=(0.5, 1.0 if name == "cnn" else 0.0))
            self.getPlotItem().addItem(item)
            items.append(item)
        return items[i]

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        """``history``: model -> float ``(strokes, classes)`` (NaN rows: nothing drawn yet)."""
        self.history = history
        n = max((len(h) for h in history.values()), default=0)
        self.getPlotItem().setXRange(0.5, max(n, 1) + 0.5, padding=0)
        ticks = [(i, str(i)) for i in range(1, n + 1)] if n <= 20 else None
        self.getPlotItem().getAxis("bottom").setTicks([ticks] if ticks else None)
        for name, curve in self.curves.items():
            h = history.get(name)
            if h is None or len(h) == 0:
                curve.setData([], [])
                for item in self.labels[name]:
                    item.setVisible(False)
                continue
            x = np.arange(1, len(h) + 1, dtype=np.float64)
            top = np.nan_to_num(np.nanmax(np.nan_to_num(h, nan=-1.0), axis=1), nan=0.0)
            top = np.where(np.isnan(h).all(1), np.nan, top)
            curve.setData(x, top, connect="finite")
            for i in range(min(len(h), self.MAX_LABELS)):
                item = self._label(name, i)
                if np.isnan(top[i]):
                    item.setVisible(False)
                    continue
                item.setText(str(int(np.nanargmax(h[i]))))
                item.setPos(x[i], top[i] + (0.02 if name == "cnn" else -0.02))
                item.setVisible(True)
            for item in self.labels[name][min(len(h), self.MAX_LABELS):]:
                item.setVisible(False)

    def set_cursor(self, strokes: float | None) -> None:
        if strokes is None:
            self.cursor.setVisible(False)
        else:
            self.cursor.setValue(strokes)
            self.cursor.setVisible(True)


# --------------------------------------------------------------------------- filters


class FiltersView(pg.GraphicsLayoutWidget):
    """Weights as pictures (conv1, conv2, the dense network's templates); hovering a unit
    shows the MNIST test digits that drive it hardest.

    Signals
    -------
    hovered(str, str, int)
        Model, layer and unit under the pointer (layer "" when none).
    """

    # The unit under the pointer: model, layer ("" for none), unit.
    hovered = Signal(str, str, int)

    PANELS = (("cnn", "conv1", "CNN conv1 · 32 kernels 3×3"),
              ("cnn", "conv2", "CNN conv2 · 64 rows × 32 inputs, 3×3 each"),
              ("dense", "hidden", "Dense hidden · 128 templates 28×28"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(420, 200)
        self.ci.setSpacing(4)
        self.cells: dict[tuple[str, str], tuple[pg.ViewBox, pg.ImageItem, object]] = {}
        self.marks: dict[tuple[str, str], QGraphicsRectItem] = {}
        for col, (name, layer, title) in enumerate(self.PANELS):
            label = pg.LabelItem(title, size="8.5pt", color=MODEL_COLOURS.get(name, "#333"))
            self.ci.addItem(label, row=0, col=col)
            vb = _viewbox()
            img = pg.ImageItem(np.zeros((1, 1, 4), np.uint8), levels=None)
            vb.addItem(img)
            mark = QGraphicsRectItem()
            pen = QPen(QColor("#111111"), 0)
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
                unit = index // grid.cols if layer == "conv2" else index
                self._emit((model, layer, unit))
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
        if layer == "conv2":
            top, left, h, w = unit * (grid.h + grid.gap), 0, grid.h, grid.shape[1]
        else:
            r, c = divmod(unit, grid.cols)
            top, left, h, w = r * (grid.h + grid.gap), c * (grid.w + grid.gap), grid.h, grid.w
        mark = self.marks[(model, layer)]
        mark.setRect(QRectF(left - 0.5, top - 0.5, w + 1, h + 1))
        mark.setVisible(True)

    def hover(self, model: str, layer: str, unit: int) -> None:
        """Act as if the pointer were on ``unit`` (tests, self-test)."""
        self._last = None
        self._emit((model, layer, unit))


class DigitStrip(pg.GraphicsLayoutWidget):
    """A row of MNIST digits (a unit's strongest), in one image."""

    def __init__(self, count: int = 9, parent=None):
        super().__init__(parent)
        self.count = count
        self.setFixedHeight(64)
        self.ci.setContentsMargins(0, 0, 0, 0)
        self.vb = _viewbox()
        self.addItem(self.vb)
        self.image = pg.ImageItem(np.zeros((28, 29 * count - 1), np.uint8), levels=(0, 255))
        self.vb.addItem(self.image)
        self.vb.setRange(QRectF(0, 0, 29 * count - 1, 28), padding=0)
        self.indices: list[int] = []

    def show_digits(self, digits: np.ndarray | None, indices=()) -> None:
        """``digits`` uint8 ``(n, 28, 28)`` (None: clear)."""
        strip = np.full((28, 29 * self.count - 1), 255, np.uint8)
        self.indices = list(indices)
        if digits is not None:
            for i, d in enumerate(digits[: self.count]):
                strip[:, i * 29:i * 29 + 28] = d
        self.image.setImage(strip, autoLevels=False, levels=(0, 255))
