"""The "Break it" page: click units of a layer's activation map to switch them off (or scale
them), add noise to a model's weights, and watch both answers and the accuracy fall.

The page keeps the breakage (which units, what noise) and asks the Explore thread for the
accuracy of the broken models on 1,000 MNIST test digits whenever it changes (newest wins);
the drawing's broken answers arrive with the tab's answers. The map is one image (colour-map
indices through one 256-entry table) with one overlay image for the switched-off units,
both made once and updated in place.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import HINT_STYLE, model_colour, viridis_lut
from digitlab.model.explain.mosaic import layout_for
from digitlab.model.explore.ablation import ACCURACY_DIGITS, BREAKABLE, Breakage, switched_off
from digitlab.model.nets.wording import model_title

LAYER_SHAPES = {
    ("cnn", "conv1"): (26, 26, 32),
    ("cnn", "conv2"): (11, 11, 64),
    ("cnn", "dense"): (128,),
    ("dense", "hidden"): (128,),
}
"""Output shapes of the breakable layers of the seed models (no batch axis)."""
OFF_RGBA = (255, 60, 60, 150)
"""The overlay on a switched-off (or scaled) unit: translucent red."""


def _coloured(text: str, model: str) -> str:
    return f'<span style="color:{model_colour(model)}"><b>{text}</b></span>'


class BreakPage(QWidget):
    """:attr:`layer` (combo), :attr:`mosaic` (ImageItem), :attr:`overlay`, :attr:`scale`
    (the scale a click gives, 0 = off), :attr:`noise`, :attr:`restore`, :attr:`answers`,
    :attr:`accuracy` (labels); :meth:`breakage` the current one."""

    # The breakage changed: Breakage.
    changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._scales: dict[tuple[str, str], np.ndarray] = {}
        self._noise: dict[str, float] = {}
        self.layer = QComboBox()
        for model, layers in BREAKABLE.items():
            for layer in layers:
                self.layer.addItem(f"{model_title(model)} {layer}", f"{model}/{layer}")
        self.layer.currentIndexChanged.connect(lambda _: self._on_layer())
        self.layer.setToolTip("The layer to damage; click its units below to switch them off")
        self.scale = QSlider(Qt.Orientation.Horizontal)
        self.scale.setRange(0, 20)
        self.scale.setValue(0)
        self.scale_label = QLabel()
        self.scale.valueChanged.connect(lambda _: self._update_scale_label())
        self.scale.setToolTip("Shrink every weight of the layer towards zero")
        self.noise = QSlider(Qt.Orientation.Horizontal)
        self.noise.setRange(0, 100)
        self.noise_label = QLabel()
        self.noise.valueChanged.connect(lambda _: self._on_noise())
        self.noise.setToolTip("Add random noise to the layer's weights")
        self.whole = QPushButton("Switch off the whole layer")
        self.whole.clicked.connect(self.switch_off_layer)
        self.whole.setToolTip("Set every unit of this layer to zero")
        self.restore = QPushButton("Restore")
        self.restore.clicked.connect(self.restore_all)
        self.restore.setToolTip("Undo every change to every layer: the models as bundled")

        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumHeight(160)
        self.vb = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
        self.view.addItem(self.vb)
        self.mosaic = pg.ImageItem(np.zeros((1, 1), np.uint8))
        self.mosaic.setLookupTable(viridis_lut())
        self.overlay = pg.ImageItem(np.zeros((1, 1, 4), np.uint8))
        self.vb.addItem(self.mosaic)
        self.vb.addItem(self.overlay)
        self.view.scene().sigMouseClicked.connect(self._on_click)

        self.answers = QLabel("Draw a digit under the map.")
        self.answers.setWordWrap(True)
        self.accuracy = QLabel()
        self.accuracy.setWordWrap(True)
        note = QLabel(
            "Click a unit's map (a whole feature map of a conv layer, one cell of a dense "
            "layer) to switch it off, or to scale it by the slider's value; click again to "
            "bring it back. The files on disk are never changed."
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)

        top = QHBoxLayout()
        top.addWidget(QLabel("Layer"))
        top.addWidget(self.layer)
        top.addWidget(self.whole)
        top.addWidget(self.restore)
        top.addStretch(1)
        sliders = QHBoxLayout()
        for label, slider in ((self.scale_label, self.scale), (self.noise_label, self.noise)):
            col = QVBoxLayout()
            col.addWidget(label)
            col.addWidget(slider)
            sliders.addLayout(col)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(sliders)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        layout.addWidget(self.answers)
        layout.addWidget(self.accuracy)
        self._update_scale_label()
        self._update_noise_label()
        self._on_layer()

    # ---------------------------------------------------------------- state

    def selected(self) -> tuple[str, str]:
        model, layer = self.layer.currentData().split("/")
        return model, layer

    def breakage(self) -> Breakage:
        return Breakage(dict(self._scales), dict(self._noise))

    def units(self) -> int:
        return LAYER_SHAPES[self.selected()][-1]

    def toggle_unit(self, unit: int) -> None:
        """Switch ``unit`` of the selected layer off (to the slider's scale), or back on."""
        key = self.selected()
        scales = self._scales.get(key, switched_off(self.units())).copy()
        scales[unit] = self.scale.value() / 10.0 if scales[unit] == 1.0 else 1.0
        self._scales[key] = scales
        self._changed()

    def switch_off_layer(self) -> None:
        """Every unit of the selected layer off."""
        self._scales[self.selected()] = np.zeros(self.units(), np.float32)
        self._changed()

    def restore_all(self) -> None:
        """Everything as trained: no unit off, no noise."""
        self._scales.clear()
        self._noise.clear()
        self.noise.blockSignals(True)
        self.noise.setValue(0)
        self.noise.blockSignals(False)
        self._update_noise_label()
        self._changed()

    def _on_layer(self) -> None:
        model = self.selected()[0]
        self.noise.blockSignals(True)
        self.noise.setValue(int(round(self._noise.get(model, 0.0) * 100)))
        self.noise.blockSignals(False)
        self._update_noise_label()
        self._paint_overlay(layout_for(LAYER_SHAPES[self.selected()]))
        self.changed.emit(self.breakage())

    def _on_noise(self) -> None:
        self._noise[self.selected()[0]] = self.noise.value() / 100.0
        self._update_noise_label()
        self._changed()

    def _update_scale_label(self) -> None:
        v = self.scale.value() / 10.0
        self.scale_label.setText(
            "A click switches a unit off" if v == 0 else f"A click scales a unit ×{v:.1f}"
        )

    def _update_noise_label(self) -> None:
        model = self.selected()[0]
        self.noise_label.setText(
            f"Noise on the {model_title(model)}'s weights: {self.noise.value()}% of their spread"
        )

    def _changed(self) -> None:
        self._paint_overlay(layout_for(LAYER_SHAPES[self.selected()]))
        self.changed.emit(self.breakage())

    # ---------------------------------------------------------------- showing

    def _paint_overlay(self, grid) -> None:
        rgba = np.zeros((*grid.shape, 4), np.uint8)
        scales = self._scales.get(self.selected())
        if scales is not None:
            for unit in np.nonzero(scales != 1.0)[0]:
                top, left = grid.cell_origin(int(unit))
                rgba[top : top + grid.h, left : left + grid.w] = OFF_RGBA
        self.overlay.setImage(rgba, autoLevels=False, levels=(0, 255))
        self._grid = grid

    def show_answer(self, answer) -> None:
        """A :class:`~digitlab.model.explore.ablation.BrokenAnswer` for the drawing."""
        if answer.mosaic is not None and answer.layer == self.selected():
            first = self.mosaic.image is None or self.mosaic.image.shape != answer.mosaic.shape
            self.mosaic.setImage(answer.mosaic, autoLevels=False, levels=(0, 255))
            if first:
                h, w = answer.mosaic.shape
                self.vb.setRange(QRectF(0, 0, w, h), padding=0.02)
        parts = []
        for name, p in answer.original.items():
            was, now = int(np.argmax(p)), int(np.argmax(answer.broken[name]))
            parts.append(
                f"{_coloured(model_title(name), name)} reads {was} ({p[was]:.0%})"
                + (
                    f" → broken: {now} ({answer.broken[name][now]:.0%})"
                    if self.breakage().touches(name)
                    else ""
                )
            )
        self.answers.setText("<br>".join(parts))

    def show_accuracy(self, result) -> None:
        """A :class:`~digitlab.app.explore.jobs.AccuracyResult` (ignored when stale)."""
        if result.breakage.key("cnn") != self.breakage().key("cnn") or result.breakage.key(
            "dense"
        ) != self.breakage().key("dense"):
            return
        parts = []
        for name, (was, now) in result.accuracy.items():
            text = f"{_coloured(model_title(name), name)} {was:.1%}"
            if result.breakage.touches(name):
                text += f" → broken {now:.1%}"
            parts.append(text)
        self.accuracy.setText(
            f"MNIST test accuracy on {ACCURACY_DIGITS:,} digits: " + "; ".join(parts)
        )

    def _on_click(self, event) -> None:
        pos = self.vb.mapSceneToView(event.scenePos())
        cell = getattr(self, "_grid", None)
        hit = None if cell is None else cell.cell_at(pos.y(), pos.x())
        if hit is not None:
            self.toggle_unit(hit[0])
