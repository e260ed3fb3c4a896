"""The "What a unit wants" page: for a conv filter, dense unit or output class, the input that
drives it most (computed in the Explore thread, cached per model) beside the MNIST test
digits that drive it most."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.explore.digit_views import DigitImage, DigitRow
from digitlab.app.widgets.styles import HINT_STYLE
from digitlab.model.explain.filters import TOP_K
from digitlab.model.explore.dream import DREAM_LAYERS
from digitlab.model.nets.wording import model_title

UNITS = {("cnn", "conv1"): 32, ("cnn", "conv2"): 64, ("cnn", "dense"): 128, ("cnn", "output"): 10}
UNITS.update({("dense", "hidden"): 128, ("dense", "output"): 10})
"""Units per dreamable layer of the seed models (the worker reports the real count)."""


class DreamPage(QWidget):
    """:attr:`layer`, :attr:`unit` (spin box), :attr:`image` (the dream), :attr:`top` (a
    :class:`DigitRow`), :attr:`caption`; :attr:`latest` the last DreamResult shown."""

    # A unit's dream is wanted: (model, layer, unit).
    asked = Signal(str, str, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.test_digits: np.ndarray | None = None
        self.latest = None
        self.layer = QComboBox()
        for model, layers in DREAM_LAYERS.items():
            for layer in layers:
                what = "class" if layer == "output" else "unit"
                self.layer.addItem(f"{model_title(model)} {layer} ({what})", f"{model}/{layer}")
        self.unit = QSpinBox()
        self.unit.setWrapping(True)
        self.show_button = QPushButton("Show")
        self.show_button.clicked.connect(self.ask)
        self.layer.setToolTip("The layer whose unit (or, for an output, class) to dream")
        self.unit.setToolTip("Which unit or class of the layer; the arrows wrap around")
        self.show_button.setToolTip("Find the input that excites this unit most")
        self.layer.currentIndexChanged.connect(lambda _: self._on_layer())
        self.unit.valueChanged.connect(lambda _: self.ask())
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        row.addWidget(self.layer)
        row.addWidget(QLabel("Unit"))
        row.addWidget(self.unit)
        row.addWidget(self.show_button)
        row.addStretch(1)

        self.image = DigitImage(168)
        self.caption = QLabel("Pick a layer and a unit.")
        self.caption.setWordWrap(True)
        dream_box = QGroupBox("The input it wants most")
        dream_row = QHBoxLayout(dream_box)
        dream_row.addWidget(self.image)
        dream_row.addWidget(self.caption, 1)
        self.top = DigitRow(TOP_K, 60)
        top_box = QGroupBox("The MNIST test digits that drive it most")
        QVBoxLayout(top_box).addWidget(self.top)
        note = QLabel(
            "Gradient ascent from faint noise on the unit's drive (before its ReLU; a class's "
            "logit), with a smoothness penalty and a pull toward black paper. A conv filter "
            "is asked at the middle of its map, so only its receptive field lights up."
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(dream_box)
        layout.addWidget(top_box)
        layout.addWidget(note)
        layout.addStretch(1)
        self.layer.setCurrentIndex(self.layer.findData("cnn/output"))
        self._on_layer(ask=False)
        self.unit.setValue(3)  # a class is the most legible first picture

    def selected(self) -> tuple[str, str, int]:
        model, layer = self.layer.currentData().split("/")
        return model, layer, self.unit.value()

    def select(self, model: str, layer: str, unit: int) -> None:
        self.layer.blockSignals(True)
        self.layer.setCurrentIndex(self.layer.findData(f"{model}/{layer}"))
        self.layer.blockSignals(False)
        self._on_layer(ask=False)
        self.unit.blockSignals(True)
        self.unit.setValue(unit)
        self.unit.blockSignals(False)
        self.ask()

    def _on_layer(self, ask: bool = True) -> None:
        model, layer, _ = self.selected()
        self.unit.blockSignals(True)
        self.unit.setRange(0, UNITS.get((model, layer), 1) - 1)
        self.unit.blockSignals(False)
        if ask:
            self.ask()

    def ask(self) -> None:
        model, layer, unit = self.selected()
        self.caption.setText(
            f"Finding what {model_title(model)} {layer} unit {unit} wants "
            "(the first time, TensorFlow loads and the top digits are read: seconds)…"
        )
        self.asked.emit(model, layer, unit)

    def set_digits(self, test: np.ndarray) -> None:
        self.test_digits = test

    def show_result(self, result) -> None:
        """A :class:`~digitlab.app.explore.jobs.DreamResult` (ignored when another unit is
        picked meanwhile)."""
        r = result.request
        if (r.model, r.layer, r.unit) != self.selected():
            return
        self.latest = result
        self.image.show_image(result.image)
        what = "class" if r.layer == "output" else "unit"
        self.caption.setText(
            f"{model_title(r.model)} {r.layer} {what} {r.unit} of {result.units}: its drive "
            f"is {result.drive:.2f} on this input."
        )
        if self.test_digits is not None and len(result.top):
            self.top.show_digits(self.test_digits[result.top])
        else:
            self.top.show_digits(None)
