"""The training tab: set up a run, watch it learn, cancel or pause it, evaluate, use the result.

The tab only renders and wires: training and evaluation run in
:mod:`digitlab.app.training.worker` threads on their own model copies; the live drawing view's models
change only through ``live_models.set_model`` when the user asks for it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.app import storage
from digitlab.app.training.custom_data_panel import CustomDataPanel
from digitlab.app.training.evaluation_view import EvaluationView
from digitlab.app.widgets.layout import stretch_splitter
from digitlab.app.training.augment_preview import AugmentPreview
from digitlab.app.training.curves import TrainingCurves
from digitlab.app.training.worker import (
    PROGRESS_INTERVAL_S,
    EvaluationReport,
    EvaluationWorker,
    TrainingOutcome,
    TrainingWorker,
)
from digitlab.app.threads import STOP_TIMEOUT_MS, WorkerThread
from digitlab.model.nets.wording import model_title
from digitlab.model.data.mnist import load_mnist as mnist  # rename the calls after the split
from digitlab.model.nets.training import Recipe

ARCHITECTURES = (("cnn", "CNN · 225k parameters"), ("dense", "Dense network · 102k parameters"))
TRAIN_SIZES = ((5000, "Quick: 5,000 images"), (20000, "Medium: 20,000 images"), (None, "All 60,000 images"))
DEFAULTS = {"architecture": "cnn", "epochs": 3, "batch_size": 128, "learning_rate": 2e-3,
            "train_size": None, "augment": False, "augmented_copies": 1, "seed": 0}

_STYLES = {
    "info": "background:#eef4ff; border:1px solid #b8cdf0; color:#123;",
    "ok": "background:#eaf7ea; border:1px solid #a9d8a9; color:#143;",
    "error": "background:#fdecea; border:1px solid #f0a8a0; color:#611;",
}


def format_duration(seconds: float | None) -> str:
    """``75.2`` -> ``"1:15"``; ``None`` or not finite -> ``"–"``."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def guess_slot(model) -> str:
    """``"cnn"`` for a model with convolution layers, else ``"dense"``."""
    names = {type(layer).__name__ for layer in getattr(model, "layers", [])}
    return "cnn" if any(name.startswith("Conv") for name in names) else "dense"


@dataclass
class ModelEntry:
    """One model the tab can evaluate, use or save."""

    label: str
    slot: str  # the live slot it fits: "cnn" or "dense"
    model: object | None = None  # a Keras model used only from the UI thread
    path: Path | None = None  # bundled entries are loaded from here
    evaluation: EvaluationReport | None = None
    bundled: bool = False
    class_names: tuple[str, ...] = ()  # a model of your own classes (slot "custom")
    data: object | None = None  # the CustomDataset it was trained on, for evaluation


class TrainingTab(QWidget):
    """Retrain either model in a worker thread, watch it learn, evaluate and swap it in live.

    Parameters
    ----------
    live_models : any object with ``set_model(name, keras_model_or_path)`` (the main window's
        ``LiveModels``), or None when there is no live view.
    """

    # A run ended: the TrainingOutcome.
    run_finished = Signal(object)
    # A run failed: the message.
    run_failed = Signal(str)
    # An evaluation is shown: the entry label.
    evaluation_shown = Signal(str)
    # A message was shown to the user: text, level ("info", "ok", "error").
    message_shown = Signal(str, str)

    def __init__(self, live_models=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.live_models = live_models
        self._training: WorkerThread | None = None
        self._evaluation: WorkerThread | None = None
        self._evaluating_key: str | None = None
        self._entries: dict[str, ModelEntry] = {}
        self._run_count = 0
        self._batches_per_epoch = 1
        self._last_progress: dict | None = None
        self.last_message = ("", "")
        self._build()
        self._add_bundled_entries()
        self.apply_settings({**DEFAULTS, **storage.load_settings()})
        self._update_controls()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.architecture = QComboBox()
        for key, label in ARCHITECTURES:
            self.architecture.addItem(label, key)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(8, 4096)
        self.batch_size.setSingleStep(32)
        self.learning_rate = QLineEdit()
        validator = QDoubleValidator(1e-8, 1e12, 10)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.learning_rate.setValidator(validator)
        self.learning_rate.setToolTip("Adam's peak learning rate; it decays along a cosine to ~0. "
                                      "Default 0.002.")
        self.train_size = QComboBox()
        for size, label in TRAIN_SIZES:
            self.train_size.addItem(label, size)
        self.augment = QCheckBox("Pen-like distortions")
        self.augment.setToolTip("Random thickness, rotation, shear and elastic warps: better on drawn "
                                "digits. Preparing each copy of 60,000 digits takes ~40 s on 2 cores.")
        self.copies = QSpinBox()
        self.copies.setRange(1, 5)
        self.copies.setPrefix("copies: ")
        self.copies.setToolTip("Distorted versions prepared per digit; each epoch draws from them")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)

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
        self._setup_form = form
        self._augment_row = augment_row

        data = mnist()
        self.preview = AugmentPreview(data.x_train[:8])
        self.preview.setToolTip("Top row: MNIST digits. Below: what augmentation makes of them.")
        self.reshuffle = QPushButton("New samples")
        self.reshuffle.clicked.connect(lambda: self.preview.refresh())
        self.augment.toggled.connect(self._on_augment_toggled)
        preview_head = QHBoxLayout()
        self.preview_label = QLabel("Augmentation preview")
        preview_head.addWidget(self.preview_label, 1)
        preview_head.addWidget(self.reshuffle)

        setup = QGroupBox("Run set-up")
        setup_layout = QVBoxLayout(setup)
        setup_layout.addLayout(form)
        setup_layout.addLayout(preview_head)
        setup_layout.addWidget(self.preview)
        self.setup_box = setup

        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self.start_training)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current batch; the live models stay as they are")
        self.cancel_button.clicked.connect(self.cancel_training)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 2)
        buttons.addWidget(self.pause_button, 1)
        buttons.addWidget(self.cancel_button, 1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("idle")
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(40)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setVisible(False)

        self.data_panel = CustomDataPanel()
        self.data_panel.changed.connect(self._on_data_source_changed)
        self.data_panel.loaded.connect(self._on_custom_data_loaded)
        self.seed.valueChanged.connect(self.data_panel.set_seed)

        left = QVBoxLayout()
        left.addWidget(self.data_panel)
        left.addWidget(setup)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.status)
        left.addWidget(self.banner)
        left.addStretch(1)
        self.left_column = left  # features add boxes above the stretch
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setFixedWidth(360)

        self.curves = TrainingCurves()

        self.model_choice = QComboBox()
        # Not AdjustToContents: a long entry ("Custom Dense network #4 (3 classes: …)") would
        # widen the whole window; the list that drops down shows entries whole.
        self.model_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_choice.setMinimumContentsLength(18)
        self.model_choice.currentIndexChanged.connect(self._on_entry_changed)
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip("Accuracy and confusion matrix on the 10,000 MNIST test digits")
        self.evaluate_button.clicked.connect(self.evaluate_current)
        self.use_button = QPushButton("Use this model")
        self.use_button.setToolTip("Put this model in the live drawing view now")
        self.use_button.clicked.connect(self.use_current)
        self.save_button = QPushButton("Save…")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.load_button = QPushButton("Load…")
        self.load_button.clicked.connect(self._on_load_clicked)
        self.restore_button = QPushButton("Restore bundled models")
        self.restore_button.setToolTip("Put the shipped CNN and dense models back in the live view")
        self.restore_button.clicked.connect(self.restore_bundled)
        # Two rows, so that the window still fits a 1024-px-wide screen.
        model_bar = QVBoxLayout()
        model_bar.setSpacing(4)
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Model"))
        choose.addWidget(self.model_choice, 1)
        choose.addWidget(self.evaluate_button)
        choose.addWidget(self.use_button)
        files = QHBoxLayout()
        files.addWidget(self.save_button)
        files.addWidget(self.load_button)
        files.addStretch(1)
        files.addWidget(self.restore_button)
        model_bar.addLayout(choose)
        model_bar.addLayout(files)

        self.evaluation = EvaluationView()
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.addLayout(model_bar)
        bottom_layout.addWidget(self.evaluation, 1)

        splitter = stretch_splitter(Qt.Orientation.Vertical, (self.curves, 2), (bottom, 3))
        self.splitter = splitter

        layout = QHBoxLayout(self)
        # The set-up column scrolls rather than making the window taller than the screen
        # (your own data's class list adds to it).
        left_scroll = QScrollArea()
        left_scroll.setWidget(left_widget)
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setFixedWidth(360 + left_scroll.verticalScrollBar().sizeHint().width())
        left_scroll.setMinimumHeight(200)
        layout.addWidget(left_scroll)
        layout.addWidget(splitter, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # --- settings --------------------------------------------------------------------------
    def settings(self) -> dict:
        """The run set-up as shown (JSON-friendly)."""
        return {
            "architecture": self.architecture.currentData(),
            "epochs": self.epochs.value(),
            "batch_size": self.batch_size.value(),
            "learning_rate": self._learning_rate(),
            "train_size": self.train_size.currentData(),
            "augment": self.augment.isChecked(),
            "augmented_copies": self.copies.value(),
            "seed": self.seed.value(),
        }

    def apply_settings(self, settings: dict) -> None:
        """Show ``settings`` (unknown or bad values fall back to the defaults)."""
        s = {**DEFAULTS, **{k: v for k, v in settings.items() if k in DEFAULTS}}
        index = self.architecture.findData(s["architecture"])
        self.architecture.setCurrentIndex(max(0, index))
        try:
            self.epochs.setValue(int(s["epochs"]))
            self.batch_size.setValue(int(s["batch_size"]))
            self.copies.setValue(int(s["augmented_copies"]))
            self.seed.setValue(int(s["seed"]))
            rate = float(s["learning_rate"])
        except (TypeError, ValueError):
            rate = DEFAULTS["learning_rate"]
        self.learning_rate.setText(f"{rate:g}")
        size = s["train_size"]
        index = self.train_size.findData(size)
        if index < 0 and isinstance(size, int) and size > 0:
            self.train_size.addItem(f"First {size:,} images", size)
            index = self.train_size.count() - 1
        self.train_size.setCurrentIndex(max(0, index))
        self.augment.setChecked(bool(s["augment"]))
        self._on_augment_toggled(self.augment.isChecked())

    def _learning_rate(self) -> float:
        try:
            rate = float(self.learning_rate.text())
        except ValueError:
            return DEFAULTS["learning_rate"]
        return rate if rate > 0 and math.isfinite(rate) else DEFAULTS["learning_rate"]

    def recipe(self) -> Recipe:
        s = self.settings()
        return Recipe(epochs=s["epochs"], batch_size=s["batch_size"], learning_rate=s["learning_rate"],
                      augment=s["augment"], augmented_copies=s["augmented_copies"],
                      train_size=s["train_size"], seed=s["seed"])

    def _on_augment_toggled(self, on: bool) -> None:
        self.copies.setEnabled(on and not self.is_training())
        self.reshuffle.setEnabled(on)
        self.preview.set_augment(on)
        self.preview_label.setText("Augmentation preview" if on else "Augmentation preview (off)")

    def _on_data_source_changed(self) -> None:
        """MNIST or your own pictures: the digit-only options follow."""
        custom = self.data_panel.is_custom()
        # Digit-only options: all of your pictures are used, never distorted.
        self._setup_form.setRowVisible(self.train_size, not custom)
        self._setup_form.setRowVisible(self._augment_row, not custom)
        self.preview.setVisible(not custom)
        self.preview_label.setVisible(not custom)
        self.reshuffle.setVisible(not custom)
        self.augment.setToolTip(
            "Pen-like distortions are made for handwritten digits: off for your own pictures."
            if custom else "Random thickness, rotation, shear and elastic warps: better on "
            "drawn digits. Preparing each copy of 60,000 digits takes ~40 s on 2 cores.")
        self._update_controls()

    def _on_custom_data_loaded(self, data) -> None:
        # A few hundred pictures in batches of 128 are two steps an epoch: too few to learn.
        if self.batch_size.value() == DEFAULTS["batch_size"] and len(data.x_train) < 20 * 128:
            self.batch_size.setValue(32)

    # --- messages --------------------------------------------------------------------------
    def show_message(self, text: str, level: str = "info") -> None:
        self.last_message = (text, level)
        self.banner.setStyleSheet(f"QLabel {{ {_STYLES.get(level, _STYLES['info'])} padding:6px; "
                                  "border-radius:4px; }")
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self.message_shown.emit(text, level)

    # --- training --------------------------------------------------------------------------
    def is_training(self) -> bool:
        return self._training is not None

    def start_training(self, *, data=None, validate: bool = True, evaluate_after: bool = True,
                       throttle_s: float = PROGRESS_INTERVAL_S) -> TrainingWorker | None:
        """Start a run with the set-up shown; returns the worker (None if one is running)."""
        if self._training is not None:
            return None
        if data is None and self.data_panel.is_custom():
            if not self.data_panel.ready():
                self.show_message("Choose a folder of class subfolders or an .npz under "
                                  "“Training data” first (or switch back to MNIST).", "error")
                return None
            data = self.data_panel.dataset
        settings = self.settings()
        storage.save_settings(settings)
        recipe = self.recipe()
        if getattr(data, "class_names", ()):  # your own pictures: all of them, undistorted
            recipe = replace(recipe, train_size=None, augment=False)
        worker = TrainingWorker(settings["architecture"], recipe, data=data, validate=validate,
                                evaluate_after=evaluate_after, throttle_s=throttle_s)
        worker.started.connect(self._on_started)
        worker.preparing.connect(self._on_preparing)
        worker.progress.connect(self._on_progress)
        worker.epoch_ended.connect(self._on_epoch_ended)
        worker.evaluating.connect(self._on_evaluating)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        holder = WorkerThread(worker, self)
        holder.ended.connect(self._on_training_thread_ended)
        self._training = holder
        self._run_started = time.perf_counter()
        self._last_progress = None
        n_all = len(data.x_train) if data is not None else len(mnist().x_train)
        n = n_all if recipe.train_size is None else min(recipe.train_size, n_all)
        self._batches_per_epoch = max(1, math.ceil(n / recipe.batch_size))
        self.curves.reset(self._batches_per_epoch, recipe.epochs)
        self.progress.setRange(0, 0)  # busy until the first batch
        self.progress.setFormat("starting…")
        self.status.setText(f"Building a fresh {settings['architecture'].upper()} and loading "
                            f"{'your pictures' if getattr(data, 'class_names', ()) else 'MNIST'}…")
        self.banner.setVisible(False)
        self._update_controls()
        holder.start()
        return worker

    @property
    def training_worker(self) -> TrainingWorker | None:
        return None if self._training is None else self._training.worker

    def cancel_training(self) -> None:
        if self._training is None:
            return
        self._training.worker.cancel()
        self.status.setText("Cancelling after the current batch…")
        self.cancel_button.setEnabled(False)
        self.pause_button.setEnabled(False)

    def toggle_pause(self) -> None:
        worker = self.training_worker
        if worker is None or worker.cancelled:
            return
        if worker.paused:
            worker.resume()
            self.pause_button.setText("Pause")
            self.status.setText("Resumed.")
        else:
            worker.pause()
            self.pause_button.setText("Resume")
            self.progress.setFormat("paused · " + self.progress.format())
            self.status.setText("Paused after the current batch. Resume or cancel.")

    @Slot(int)
    def _on_started(self, total_steps: int) -> None:
        self.progress.setRange(0, max(1, total_steps))
        self.progress.setValue(0)
        self.progress.setFormat("starting… (tracing the model)")

    @Slot(int, int)
    def _on_preparing(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(f"preparing augmented digits {done}/{total}")
        self.status.setText("Distorting training digits (once per run)…")

    @Slot(object)
    def _on_progress(self, info: dict) -> None:
        self._last_progress = info
        if self.progress.maximum() != info["total_steps"]:
            self.progress.setRange(0, info["total_steps"])
        self.progress.setValue(info["step"])
        paused = self.training_worker is not None and self.training_worker.paused
        self.progress.setFormat(
            f"{'paused · ' if paused else ''}{info['step'] / max(1, info['total_steps']) * 100:.0f}% · "
            f"{format_duration(info['elapsed_s'])} elapsed · ~{format_duration(info['eta_s'])} left")
        self.status.setText(
            f"Epoch {info['epoch']}/{info['epochs']} · batch {info['batch']}/{info['batches']}\n"
            f"loss {info['loss']:.4f} · accuracy {info['accuracy'] * 100:.1f}%")
        self.curves.add_batches(info["points"], info["batches"])

    @Slot(object)
    def _on_epoch_ended(self, info: dict) -> None:
        self.curves.add_epoch(info["epoch"], info["logs"])
        logs = info["logs"]
        if "val_accuracy" in logs:
            self.status.setText(
                f"Epoch {info['epoch']}/{info['epochs']} done · validation accuracy "
                f"{logs['val_accuracy'] * 100:.2f}% · loss {logs.get('val_loss', math.nan):.4f}")

    @Slot()
    def _on_evaluating(self) -> None:
        custom = self.data_panel.is_custom()
        self.progress.setFormat("evaluating on the test pictures…" if custom
                                else "evaluating on 10,000 test digits…")
        self.status.setText("Training done; evaluating on the "
                            + ("held-out test pictures…" if custom else "MNIST test set…"))

    @Slot(object)
    def _on_finished(self, outcome: TrainingOutcome) -> None:
        elapsed = format_duration(outcome.seconds)
        if outcome.nan:
            where = (f" at epoch {outcome.nan_at[0]}, batch {outcome.nan_at[1]}"
                     if outcome.nan_at else "")
            self.show_message(
                f"Training stopped: the loss became NaN{where}. The learning rate "
                f"({outcome.recipe.learning_rate:g}) is probably far too high; try 0.002. "
                "The broken model was discarded and the live models are unchanged.", "error")
            self.progress.setFormat("stopped: loss became NaN")
        elif outcome.stopped:
            if outcome.model is not None and outcome.epochs_run:
                self._add_trained_entry(outcome, suffix=" (cancelled)")
            self.show_message(f"Training cancelled after {elapsed}. The live models are unchanged.",
                              "info")
            self.progress.setFormat("cancelled")
        else:
            entry = self._add_trained_entry(outcome)
            accuracy = (f"; test accuracy {outcome.evaluation.accuracy * 100:.2f}%"
                        if outcome.evaluation is not None else "")
            self.show_message(
                f"{entry.label}: trained in {elapsed}{accuracy}. Press “Use this model” to put it "
                "in the live view.", "ok")
            self.progress.setValue(self.progress.maximum())
            self.progress.setFormat(f"done in {elapsed}")
        self.status.setText("Ready.")
        self.run_finished.emit(outcome)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.show_message(f"Training failed: {message}. The live models are unchanged.", "error")
        self.progress.setFormat("failed")
        self.status.setText("Ready.")
        self.run_failed.emit(message)

    @Slot()
    def _on_training_thread_ended(self) -> None:
        holder = self._training
        self._training = None
        if holder is not None:
            holder.dispose()
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.pause_button.setText("Pause")
        self._update_controls()

    def _update_controls(self) -> None:
        training = self._training is not None
        for widget in (self.architecture, self.epochs, self.batch_size, self.learning_rate,
                       self.train_size, self.augment, self.seed):
            widget.setEnabled(not training)
        custom = self.data_panel.is_custom()
        self.augment.setEnabled(not training and not custom)
        self.train_size.setEnabled(not training and not custom)
        self.copies.setEnabled(not training and self.augment.isChecked() and not custom)
        self.data_panel.set_enabled_for_training(not training)
        self.train_button.setEnabled(not training and self.data_panel.ready())
        self.pause_button.setEnabled(training)
        self.cancel_button.setEnabled(training)
        entry = self.current_entry()
        has_entry = entry is not None
        self.evaluate_button.setEnabled(has_entry and self._evaluation is None)
        self.use_button.setEnabled(has_entry and self.live_models is not None)
        self.save_button.setEnabled(has_entry)
        if getattr(self, "fine_tune", None) is not None:
            self.fine_tune.update_state()

    # --- models ----------------------------------------------------------------------------
    def _add_bundled_entries(self) -> None:
        from digitlab.model.data.bundled import bundled_model_path

        for slot, label in (("cnn", "Bundled CNN"), ("dense", "Bundled Dense network")):
            self._add_entry(f"bundled:{slot}", ModelEntry(label, slot, path=bundled_model_path(slot),
                                                          bundled=True), select=False)

    def _add_entry(self, key: str, entry: ModelEntry, select: bool = True) -> ModelEntry:
        self._entries[key] = entry
        self.model_choice.addItem(entry.label, key)
        if select:
            self.model_choice.setCurrentIndex(self.model_choice.count() - 1)
        return entry

    def _add_trained_entry(self, outcome: TrainingOutcome, suffix: str = "") -> ModelEntry:
        self._run_count += 1
        r = outcome.recipe
        names = getattr(outcome, "class_names", ())
        if names:
            shown = ", ".join(names[:3]) + ("…" if len(names) > 3 else "")
            label = (f"Custom {model_title(outcome.architecture)}"
                     f" #{self._run_count} ({len(names)} classes: {shown}; {outcome.epochs_run} ep)"
                     f"{suffix}")
            entry = ModelEntry(label, "custom", model=outcome.model, evaluation=outcome.evaluation,
                               class_names=tuple(names), data=outcome.data)
            return self._add_entry(f"run:{self._run_count}", entry)
        size = "60k" if r.train_size is None else f"{r.train_size / 1000:g}k"
        label = (f"Trained {model_title(outcome.architecture)}"
                 f" #{self._run_count} ({outcome.epochs_run} ep, {size}, lr {r.learning_rate:g})"
                 f"{suffix}")
        entry = ModelEntry(label, outcome.architecture, model=outcome.model,
                           evaluation=outcome.evaluation)
        return self._add_entry(f"run:{self._run_count}", entry)

    def current_entry(self) -> ModelEntry | None:
        key = self.model_choice.currentData()
        return self._entries.get(key)

    def _on_entry_changed(self, _index: int) -> None:
        entry = self.current_entry()
        if entry is not None and entry.evaluation is not None:
            self.evaluation.set_report(entry.evaluation, entry.label)
            self.evaluation_shown.emit(entry.label)
        elif entry is not None and self._evaluating_key != self.model_choice.currentData():
            self.evaluation.clear(f"{entry.label}: not evaluated yet. Press Evaluate.")
        self._update_controls()

    def evaluate_current(self) -> None:
        """Evaluate the chosen model on the MNIST test set in a worker thread."""
        entry = self.current_entry()
        if entry is None or self._evaluation is not None:
            return
        from digitlab.model.nets.inference import copy_model

        try:
            target = entry.path if entry.model is None else copy_model(entry.model)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Cannot evaluate {entry.label}: {exc}", "error")
            return
        data = None
        if entry.class_names:
            data = entry.data or self._matching_dataset(entry)
            if data is None:
                self.show_message(f"To evaluate {entry.label}, load a dataset with its classes "
                                  f"({', '.join(entry.class_names)}) under “Training data”.", "info")
                return
        worker = EvaluationWorker(target, data=data) if data is not None else EvaluationWorker(target)
        key = self.model_choice.currentData()
        worker.finished.connect(self._on_evaluated)
        worker.failed.connect(self._on_evaluation_failed)
        holder = WorkerThread(worker, self)
        holder.ended.connect(self._on_evaluation_thread_ended)
        self._evaluation = holder
        self._evaluating_key = key
        self.evaluation.set_busy(f"Evaluating {entry.label} on "
                                 + (f"{len(data.x_test):,} test pictures…" if data is not None
                                    else "10,000 MNIST test digits…"))
        self._update_controls()
        holder.start()

    @Slot(str)
    def _on_evaluation_failed(self, message: str) -> None:
        entry = self._entries.get(self._evaluating_key)
        self.evaluation.clear(f"{entry.label if entry else 'Model'}: evaluation failed.")
        self.show_message(f"Evaluation failed: {message}", "error")

    @Slot(object)
    def _on_evaluated(self, report: EvaluationReport) -> None:
        key = self._evaluating_key
        entry = self._entries.get(key)
        if entry is None:
            return
        entry.evaluation = report
        if self.model_choice.currentData() == key:
            self.evaluation.set_report(report, entry.label)
            self.evaluation_shown.emit(entry.label)

    def _on_evaluation_thread_ended(self) -> None:
        holder = self._evaluation
        self._evaluation = None
        self._evaluating_key = None
        if holder is not None:
            holder.dispose()
        self._update_controls()

    def _matching_dataset(self, entry: ModelEntry):
        """The panel's loaded dataset when its classes and picture size are the entry's."""
        data = self.data_panel.dataset
        model = entry.model
        if data is None or model is None or tuple(data.class_names) != tuple(entry.class_names):
            return None
        return data if int(model.input_shape[1]) == data.image_size else None

    def _use_custom(self, entry: ModelEntry) -> bool:
        """Show a model of your own classes live, alone, with its class names on the bars."""
        from digitlab.model.nets.inference import copy_model

        size = tuple(entry.model.input_shape[1:3])
        if size != (28, 28):
            self.show_message(
                f"{entry.label} reads {size[0]}×{size[1]} pictures; the drawing is read at "
                "28×28, so it cannot be used live. Train it with 28 px pictures to draw for it "
                "(it can still be evaluated and saved).", "error")
            return False
        show = getattr(self.live_models, "show_models", None)
        if show is None:
            self.show_message("This live view cannot show models of other classes.", "error")
            return False
        try:
            show({"custom": copy_model(entry.model)}, {"custom": tuple(entry.class_names)})
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Could not use {entry.label}: {exc}", "error")
            return False
        self.show_message(f"{entry.label} is now live in the Draw tab, alone: its bars show "
                          f"{', '.join(entry.class_names)}. “Restore bundled models” brings the "
                          "digit models back.", "ok")
        return True

    def use_current(self) -> bool:
        """Put the chosen model in the live view (``live_models.set_model``); True on success."""
        entry = self.current_entry()
        if entry is None or self.live_models is None:
            return False
        if entry.class_names:
            return self._use_custom(entry)
        from digitlab.model.nets.inference import copy_model
        from digitlab.model.nets.model_files import save_model

        try:
            if entry.model is None:
                self.live_models.set_model(entry.slot, entry.path)
                storage.active_model_path(entry.slot).unlink(missing_ok=True)
            else:
                self.live_models.set_model(entry.slot, copy_model(entry.model))
                try:  # remembered for the next start; the live swap already happened
                    save_model(entry.model, storage.active_model_path(entry.slot))
                except Exception:  # noqa: BLE001 - a convenience, never fatal
                    pass
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Could not use {entry.label}: {exc}", "error")
            return False
        self.show_message(f"{entry.label} is now the live {model_title(entry.slot)}.", "ok")
        return True

    def restore_bundled(self) -> bool:
        """Put the shipped models back in the live view and forget the user's live choices."""
        from digitlab.model.data.bundled import bundled_model_path

        for slot in ("cnn", "dense"):
            storage.active_model_path(slot).unlink(missing_ok=True)
        if self.live_models is None:
            self.show_message("The bundled models will be used.", "ok")
            return True
        try:
            restore = getattr(self.live_models, "restore_digit_models", None)
            if restore is not None:
                restore()  # also replaces a model of your own classes
            else:
                for slot in ("cnn", "dense"):
                    self.live_models.set_model(slot, bundled_model_path(slot))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Could not restore the bundled models: {exc}", "error")
            return False
        self.show_message("The bundled CNN and Dense network are live again.", "ok")
        return True

    def _on_save_clicked(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        default = storage.user_models_dir() / f"{entry.slot}-{time.strftime('%Y%m%d-%H%M')}.keras"
        path, _ = QFileDialog.getSaveFileName(self, "Save model", str(default), "Keras models (*.keras)")
        if path:
            self.save_current(path)

    def save_current(self, path: str | Path) -> bool:
        """Write the chosen model to ``path`` atomically (``.keras`` added when missing)."""
        from digitlab.model.nets.model_files import load_model, save_model
        from digitlab.model.data.bundled import MODELS_DIR

        entry = self.current_entry()
        if entry is None:
            return False
        path = Path(path)
        if path.suffix.lower() != ".keras":
            path = path.with_name(path.name + ".keras")
        try:
            if path.resolve().parent == MODELS_DIR.resolve():
                raise ValueError("the bundled models folder is read-only; choose another folder")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                model = entry.model if entry.model is not None else load_model(entry.path)
                save_model(model, path, class_names=entry.class_names or None)
            finally:
                QApplication.restoreOverrideCursor()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Could not save to {path}: {exc}", "error")
            return False
        self.show_message(f"Saved {entry.label} to {path}.", "ok")
        return True

    def _on_load_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load model", str(storage.user_models_dir()),
                                              "Keras models (*.keras)")
        if path:
            self.load_from(path)

    def load_from(self, path: str | Path) -> bool:
        """Load a ``.keras`` file as a new entry; a bad file is refused with a message."""
        from digitlab.model.nets.model_files import ModelFileError, load_model, read_class_names

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            model = load_model(path, num_classes=None, input_shape=None)
        except ModelFileError as exc:
            self.show_message(f"Not loaded: {exc}", "error")
            return False
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Not loaded: {path}: {type(exc).__name__}: {exc}", "error")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._run_count += 1
        names = read_class_names(path)
        outputs, size = int(model.output_shape[-1]), tuple(model.input_shape[1:3])
        if names is None and outputs != 10:
            names = tuple(f"class {i}" for i in range(outputs))
        if (names is not None and tuple(names) != tuple(str(i) for i in range(10))) or size != (28, 28):
            names = tuple(names or (str(i) for i in range(outputs)))
            entry = ModelEntry(f"Loaded {Path(path).name} ({len(names)} classes)", "custom",
                               model=model, class_names=names)
            self._add_entry(f"file:{self._run_count}", entry)
            self.show_message(f"Loaded {path}: a model of {len(names)} classes "
                              f"({', '.join(names)}). Use it, or load its dataset to evaluate it.",
                              "ok")
            return True
        entry = ModelEntry(f"Loaded {Path(path).name}", guess_slot(model), model=model)
        self._add_entry(f"file:{self._run_count}", entry)
        self.show_message(f"Loaded {path} (fits the {entry.slot} slot). Evaluate it or use it.", "ok")
        return True

    # --- shutdown --------------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Cancel any run, quit and join the worker threads; True if all ended in time.

        Call it from the main window's ``closeEvent``; it is safe to call twice.
        """
        ok = True
        if self._training is not None or self._evaluation is not None:
            storage.save_settings(self.settings())
        for holder in (self._training, self._evaluation):
            if holder is not None:
                ok = holder.stop(timeout_ms) and ok
        ok = self.data_panel.shutdown(timeout_ms) and ok
        # Deliver the queued finished/ended signals now, so nothing refers to dead threads.
        QCoreApplication.sendPostedEvents()
        return ok

    def closeEvent(self, event):  # noqa: N802 - Qt API
        self.shutdown()
        super().closeEvent(event)
