"""The Train tab's "Run set-up" box: model, epochs, batch size, learning rate, training set,
augmentation (with its live preview) and seed, read back as settings or a training recipe."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.training.augment_preview import AugmentPreview
from digitlab.model.nets.training import Recipe

ARCHITECTURES = (("cnn", "CNN · 225k parameters"), ("dense", "Dense network · 102k parameters"))
TRAIN_SIZES = (
    (5000, "Quick: 5,000 images"),
    (20000, "Medium: 20,000 images"),
    (None, "All 60,000 images"),
)
DEFAULTS = {
    "architecture": "cnn",
    "epochs": 3,
    "batch_size": 128,
    "learning_rate": 2e-3,
    "train_size": None,
    "augment": False,
    "augmented_copies": 1,
    "seed": 0,
}

_RANGES = {
    "epochs": (1, 200),
    "batch_size": (8, 4096),
    "augmented_copies": (1, 5),
    "seed": (0, 2**31 - 1),
    "train_size": (1, 60_000),
}
"""What the form's spin boxes and lists take (saved values outside are refused)."""


def clean_settings(raw) -> tuple[dict, list[str]]:
    """A saved run set-up checked field by field: ``(settings, names of the fields that fell
    back to their default)``. Unknown keys are ignored; a value of the wrong type, out of
    range, infinite or NaN falls back, the other fields are kept."""
    raw = raw if isinstance(raw, dict) else {}
    settings, bad = dict(DEFAULTS), []
    for key, value in raw.items():
        if key not in DEFAULTS:
            continue
        if key == "architecture":
            ok = value in ("cnn", "dense")
        elif key == "augment":
            ok = isinstance(value, bool)
        elif key == "learning_rate":
            ok = (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value > 0
            )
        else:
            low, high = _RANGES[key]
            whole = isinstance(value, int) and not isinstance(value, bool)
            ok = (whole and low <= value <= high) or (key == "train_size" and value is None)
        if ok:
            settings[key] = value
        else:
            bad.append(key)
    return settings, bad


_AUGMENT_TIP = (
    "Random thickness, rotation, shear and elastic warps: better on drawn digits. "
    "Preparing each copy of 60,000 digits takes ~40 s on 2 cores."
)


class RunSetup(QGroupBox):
    """The run set-up form and the augmentation preview.

    Parameters
    ----------
    preview_digits : uint8 ``(8, 28, 28)`` MNIST digits (0..255) the preview distorts.
    """

    # A value of the set-up changed (by the user or by apply_settings).
    changed = Signal()

    def __init__(self, preview_digits, parent: QWidget | None = None):
        super().__init__("Run set-up", parent)
        self.settings_refused: list[str] = []
        self._running = False
        self._custom = False  # the data source shown: your own pictures (True) or MNIST
        # The batch size last shown for each data source (a small data set of your own
        # lowers it; MNIST gets its own back).
        self._batch_for: dict[bool, int] = {}
        self.architecture = QComboBox()
        for key, label in ARCHITECTURES:
            self.architecture.addItem(label, key)
        self.architecture.setToolTip(
            "The kind of network trained from scratch: the CNN reads shapes better, "
            "the Dense network is smaller and faster"
        )
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.epochs.setToolTip("How many times the run goes through all its training pictures")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(8, 4096)
        self.batch_size.setSingleStep(32)
        self.batch_size.setToolTip(
            "Pictures per training step. MNIST's default is 128; a small set of your own "
            "pictures gets 32, and each data source keeps its own"
        )
        self.learning_rate = QLineEdit()
        validator = QDoubleValidator(1e-8, 1e12, 10)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.learning_rate.setValidator(validator)
        self.learning_rate.setToolTip(
            "Adam's peak learning rate; it decays along a cosine to ~0. Default 0.002."
        )
        self.train_size = QComboBox()
        for size, label in TRAIN_SIZES:
            self.train_size.addItem(label, size)
        self.train_size.setToolTip("How many MNIST digits to learn from: fewer is quicker")
        self.augment = QCheckBox("Pen-like distortions")
        self.augment.setToolTip(_AUGMENT_TIP)
        self.copies = QSpinBox()
        self.copies.setRange(1, 5)
        self.copies.setPrefix("copies: ")
        self.copies.setToolTip("Distorted versions prepared per digit; each epoch draws from them")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(
            "Starts the random choices (first weights, order, distortions): "
            "the same seed and set-up give the same model"
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Model", self.architecture)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Training set", self.train_size)
        augment_row = QHBoxLayout()
        augment_row.addWidget(self.augment, 1)
        augment_row.addWidget(self.copies)
        form.addRow("Augment", augment_row)
        form.addRow("Seed", self.seed)
        self._form = form
        self._augment_row = augment_row

        self.preview = AugmentPreview(preview_digits)
        self.preview.setToolTip("Top row: MNIST digits. Below: what augmentation makes of them.")
        self.reshuffle = QPushButton("New samples")
        self.reshuffle.setToolTip("Show the preview with other digits and distortions")
        self.reshuffle.clicked.connect(lambda: self.preview.refresh())
        self.augment.toggled.connect(self._on_augment_toggled)
        preview_head = QHBoxLayout()
        self.preview_label = QLabel("Augmentation preview")
        preview_head.addWidget(self.preview_label, 1)
        preview_head.addWidget(self.reshuffle)

        for signal in (
            self.architecture.currentIndexChanged,
            self.epochs.valueChanged,
            self.batch_size.valueChanged,
            self.learning_rate.textChanged,
            self.train_size.currentIndexChanged,
            self.augment.toggled,
            self.copies.valueChanged,
            self.seed.valueChanged,
        ):
            signal.connect(self.changed)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(preview_head)
        layout.addWidget(self.preview)

    # --- settings --------------------------------------------------------------------------
    def settings(self) -> dict:
        """The run set-up as shown (JSON-friendly)."""
        return {
            "architecture": self.architecture.currentData(),
            "epochs": self.epochs.value(),
            "batch_size": self.batch_size.value(),
            "learning_rate": self.learning_rate_value(),
            "train_size": self.train_size.currentData(),
            "augment": self.augment.isChecked(),
            "augmented_copies": self.copies.value(),
            "seed": self.seed.value(),
        }

    def settings_to_keep(self) -> dict:
        """:meth:`settings` as the next start should show them: the data source is not kept
        (a start shows MNIST), so MNIST's batch size is kept while your own pictures are
        shown."""
        s = self.settings()
        if self._custom:
            s["batch_size"] = self._batch_for.get(False, s["batch_size"])
        return s

    def apply_settings(self, settings: dict) -> None:
        """Show ``settings`` (unknown or bad values fall back to the defaults, field by field;
        :attr:`settings_refused` names the fields that did)."""
        s, self.settings_refused = clean_settings(settings)
        index = self.architecture.findData(s["architecture"])
        self.architecture.setCurrentIndex(max(0, index))
        self.epochs.setValue(s["epochs"])
        self.batch_size.setValue(s["batch_size"])
        self.copies.setValue(s["augmented_copies"])
        self.seed.setValue(s["seed"])
        self.learning_rate.setText(f"{s['learning_rate']:g}")
        size = s["train_size"]
        index = self.train_size.findData(size)
        if index < 0 and isinstance(size, int) and size > 0:
            self.train_size.addItem(f"First {size:,} images", size)
            index = self.train_size.count() - 1
        self.train_size.setCurrentIndex(max(0, index))
        self.augment.setChecked(bool(s["augment"]))
        self._on_augment_toggled(self.augment.isChecked())

    def learning_rate_value(self) -> float:
        """The learning rate typed, or the default when it is not a positive number."""
        try:
            rate = float(self.learning_rate.text())
        except ValueError:
            return DEFAULTS["learning_rate"]
        return rate if rate > 0 and math.isfinite(rate) else DEFAULTS["learning_rate"]

    def recipe(self) -> Recipe:
        """The training recipe of the set-up shown."""
        s = self.settings()
        return Recipe(
            epochs=s["epochs"],
            batch_size=s["batch_size"],
            learning_rate=s["learning_rate"],
            augment=s["augment"],
            augmented_copies=s["augmented_copies"],
            train_size=s["train_size"],
            seed=s["seed"],
        )

    # --- state -----------------------------------------------------------------------------
    def update_state(self, running: bool, custom: bool) -> None:
        """Lock the form while a run goes; ``custom``: your own pictures are the training
        data, so the digit-only options (training-set size, distortions) are off."""
        self._running = running
        for widget in (
            self.architecture,
            self.epochs,
            self.batch_size,
            self.learning_rate,
            self.seed,
        ):
            widget.setEnabled(not running)
        self.augment.setEnabled(not running and not custom)
        self.train_size.setEnabled(not running and not custom)
        self.copies.setEnabled(not running and self.augment.isChecked() and not custom)

    def show_data_source(self, custom: bool) -> None:
        """MNIST or your own pictures: the digit-only rows and the preview show for MNIST,
        and each source gets back the batch size it had when it was left."""
        if custom != self._custom:
            self._batch_for[self._custom] = self.batch_size.value()
            self._custom = custom
            if custom in self._batch_for:
                self.batch_size.setValue(self._batch_for[custom])
        # Digit-only options: all of your pictures are used, never distorted.
        self._form.setRowVisible(self.train_size, not custom)
        self._form.setRowVisible(self._augment_row, not custom)
        self.preview.setVisible(not custom)
        self.preview_label.setVisible(not custom)
        self.reshuffle.setVisible(not custom)
        self.augment.setToolTip(
            "Pen-like distortions are made for handwritten digits: off for your own pictures."
            if custom
            else _AUGMENT_TIP
        )

    def fit_batch_to(self, training_pictures: int) -> None:
        """A few hundred pictures in batches of 128 are two steps an epoch, too few to learn:
        with under 20 default batches of pictures, the default batch size drops to 32."""
        if (
            self.batch_size.value() == DEFAULTS["batch_size"]
            and training_pictures < 20 * DEFAULTS["batch_size"]
        ):
            self.batch_size.setValue(32)

    def _on_augment_toggled(self, on: bool) -> None:
        self.copies.setEnabled(on and not self._running)
        self.reshuffle.setEnabled(on)
        self.preview.set_augment(on)
        self.preview_label.setText("Augmentation preview" if on else "Augmentation preview (off)")
