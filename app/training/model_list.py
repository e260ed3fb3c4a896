"""The Train tab's model list: the bundled, trained, loaded, fine-tuned and remembered models,
and what can be done with the chosen one (use it live, save it, load another, restore the
bundled models). Evaluation is :mod:`digitlab.app.training.evaluation_runner`'s.

The live models are reached through three calls: ``set_model(slot, model_or_path)`` for a
digit model, ``show_models({"custom": model}, {"custom": class_names})`` for a model of your
own classes and ``restore_digit_models()`` (the main window's ``LiveModels`` has them all).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.live.remembered import RememberedLive
from digitlab.app.training.worker import EvaluationReport, TrainingOutcome
from digitlab.app.widgets import file_dialogs
from digitlab.model.nets.live_source import bundled_label, remembered_label
from digitlab.model.nets.wording import model_title

LIVE_MARK = "  ● live"
"""Added to the list's text of each entry that is live now."""


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


class ModelList(QWidget):
    """The model chooser and its buttons (two rows, so the window fits a 1024-px screen).

    Parameters
    ----------
    live_models : the live models (see the module docstring), or None without a live view.
    remembered : keeps the digit model put live for the next start, or None to keep nothing.
    """

    # Something to tell the user: text, level ("info", "ok", "error").
    message = Signal(str, str)
    # Another entry was chosen (or the list changed).
    current_changed = Signal()
    # The user asked to evaluate the chosen entry.
    evaluate_requested = Signal()

    def __init__(
        self,
        live_models=None,
        remembered: RememberedLive | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.live_models = live_models
        self.remembered = remembered
        self._entries: dict[str, ModelEntry] = {}
        self._count = 0  # entries added by the user's actions, for their keys
        # Trained models' own numbers (#1, #2, ...: loads and tunings leave no gaps).
        self._trained = 0

        self.model_choice = QComboBox()
        # Not AdjustToContents: a long entry ("Custom Dense network #4 (3 classes: …)") would
        # widen the whole window; the list that drops down shows entries whole.
        self.model_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model_choice.setMinimumContentsLength(18)
        self.model_choice.setToolTip("Models to evaluate, use live or save (● live: in use now)")
        self.model_choice.currentIndexChanged.connect(lambda _index: self.current_changed.emit())
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip(
            "Accuracy and confusion matrix on the 10,000 MNIST test digits"
        )
        self.evaluate_button.clicked.connect(self.evaluate_requested)
        self.use_button = QPushButton("Use this model")
        self.use_button.setToolTip("Put this model in the live drawing view now")
        self.use_button.clicked.connect(self.use_current)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the chosen model to a .keras file")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.load_button = QPushButton("Load…")
        self.load_button.setToolTip("Add a model from a .keras file to this list")
        self.load_button.clicked.connect(self._on_load_clicked)
        self.restore_button = QPushButton("Restore bundled models")
        self.restore_button.setToolTip("Put the shipped CNN and dense models back in the live view")
        self.restore_button.clicked.connect(self.restore_bundled)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        choose = QHBoxLayout()
        model_label = QLabel("&Model")
        model_label.setBuddy(self.model_choice)
        choose.addWidget(model_label)
        choose.addWidget(self.model_choice, 1)
        choose.addWidget(self.evaluate_button)
        choose.addWidget(self.use_button)
        files = QHBoxLayout()
        files.addWidget(self.save_button)
        files.addWidget(self.load_button)
        files.addStretch(1)
        files.addWidget(self.restore_button)
        layout.addLayout(choose)
        layout.addLayout(files)
        self._add_bundled()
        changed = getattr(live_models, "sources_changed", None)
        if changed is not None:
            changed.connect(self._mark_live)
        if remembered is not None:
            for slot, model in remembered.restored_models.items():
                self.add_remembered(slot, model)
            remembered.restored.connect(self.add_remembered)
            remembered.save_failed.connect(lambda text: self.message.emit(text, "error"))

    # --- entries ---------------------------------------------------------------------------
    def current_entry(self) -> ModelEntry | None:
        return self._entries.get(self.model_choice.currentData())

    def current_key(self) -> str | None:
        """The chosen entry's key (``"bundled:cnn"``, ``"run:3"``, ...)."""
        return self.model_choice.currentData()

    def add(self, entry: ModelEntry, kind: str, select: bool = True) -> ModelEntry:
        """Add ``entry`` under a new key ``"<kind>:<n>"`` (chosen when ``select``)."""
        self._count += 1
        return self._add(f"{kind}:{self._count}", entry, select)

    def add_trained(self, outcome: TrainingOutcome, suffix: str = "") -> ModelEntry:
        """Add and choose a training run's model, labelled with its recipe (or classes)."""
        self._trained += 1
        n = self._trained
        r = outcome.recipe
        names = outcome.class_names
        if names:
            shown = ", ".join(names[:3]) + ("…" if len(names) > 3 else "")
            label = (
                f"Custom {model_title(outcome.architecture)}"
                f" #{n} ({len(names)} classes: {shown}; {outcome.epochs_run} ep){suffix}"
            )
            return self.add(
                ModelEntry(
                    label,
                    "custom",
                    model=outcome.model,
                    evaluation=outcome.evaluation,
                    class_names=tuple(names),
                    data=outcome.data,
                ),
                "run",
            )
        size = "60k" if r.train_size is None else f"{r.train_size / 1000:g}k"
        label = (
            f"Trained {model_title(outcome.architecture)}"
            f" #{n} ({outcome.epochs_run} ep, {size}, lr {r.learning_rate:g}){suffix}"
        )
        return self.add(
            ModelEntry(
                label, outcome.architecture, model=outcome.model, evaluation=outcome.evaluation
            ),
            "run",
        )

    def add_remembered(self, slot: str, model) -> ModelEntry:
        """Add (not choose) the model remembered from last time and live again in ``slot``."""
        entry = ModelEntry(remembered_label(slot), slot, model=model)
        return self._add(f"remembered:{slot}", entry, select=False)

    def update_state(self, evaluating: bool) -> None:
        has_entry = self.current_entry() is not None
        self.evaluate_button.setEnabled(has_entry and not evaluating)
        self._update_use_button()
        self.save_button.setEnabled(has_entry)

    def _add_bundled(self) -> None:
        from digitlab.model.data.bundled import bundled_model_path

        for slot in ("cnn", "dense"):
            self._add(
                f"bundled:{slot}",
                ModelEntry(bundled_label(slot), slot, path=bundled_model_path(slot), bundled=True),
                select=False,
            )

    def is_live(self, entry: ModelEntry | None) -> bool:
        """Whether ``entry`` is the model live now in its slot (as the live models name it)."""
        sources = getattr(self.live_models, "sources", None) or {}
        return entry is not None and sources.get(entry.slot) == entry.label

    def _mark_live(self, _sources=None) -> None:
        """Mark the live entries in the list (and the Use button) after a swap."""
        for index in range(self.model_choice.count()):
            entry = self._entries.get(self.model_choice.itemData(index))
            if entry is not None:
                live = self.is_live(entry)
                self.model_choice.setItemText(index, entry.label + (LIVE_MARK if live else ""))
        self._update_use_button()

    def _update_use_button(self) -> None:
        entry = self.current_entry()
        live = self.is_live(entry)
        self.use_button.setEnabled(entry is not None and self.live_models is not None and not live)
        self.use_button.setText("Live now" if live else "Use this model")

    def _add(self, key: str, entry: ModelEntry, select: bool) -> ModelEntry:
        self._entries[key] = entry
        self.model_choice.addItem(entry.label + (LIVE_MARK if self.is_live(entry) else ""), key)
        if select:
            self.model_choice.setCurrentIndex(self.model_choice.count() - 1)
        return entry

    # --- live ------------------------------------------------------------------------------
    def use_current(self) -> bool:
        """Put the chosen model in the live view; a digit model is also remembered for the
        next start (a bundled one forgets the remembered one). True on success."""
        entry = self.current_entry()
        if entry is None or self.live_models is None:
            return False
        if entry.class_names:
            return self._use_custom(entry)
        from digitlab.model.nets.inference import copy_model

        try:
            if entry.model is None:
                self.live_models.set_model(entry.slot, entry.path, source=entry.label)
                if self.remembered is not None:
                    self.remembered.forget((entry.slot,))
            else:
                self.live_models.set_model(entry.slot, copy_model(entry.model), source=entry.label)
                if self.remembered is not None:
                    # Saved in the file thread (~0.1 s), from a copy no other thread touches.
                    self.remembered.remember(entry.slot, copy_model(entry.model))
        except Exception as exc:
            self.message.emit(f"Could not use {entry.label}: {exc}", "error")
            return False
        self.message.emit(f"{entry.label} is now the live {model_title(entry.slot)}.", "ok")
        return True

    def _use_custom(self, entry: ModelEntry) -> bool:
        """Show a model of your own classes live, alone, with its class names on the bars."""
        from digitlab.model.nets.inference import copy_model

        size = tuple(entry.model.input_shape[1:3])
        if size != (28, 28):
            self.message.emit(
                f"{entry.label} reads {size[0]}×{size[1]} pictures; the drawing is read at "
                "28×28, so it cannot be used live. Train it with 28 px pictures to draw for it "
                "(it can still be evaluated and saved).",
                "error",
            )
            return False
        try:
            self.live_models.show_models(
                {"custom": copy_model(entry.model)},
                {"custom": tuple(entry.class_names)},
                sources={"custom": entry.label},
            )
        except Exception as exc:
            self.message.emit(f"Could not use {entry.label}: {exc}", "error")
            return False
        self.message.emit(
            f"{entry.label} is now live in the Draw tab, alone: its bars show "
            f"{', '.join(entry.class_names)}. “Restore bundled models” brings the "
            "digit models back.",
            "ok",
        )
        return True

    def restore_bundled(self) -> bool:
        """Put the shipped models back in the live view and forget the remembered ones."""
        if self.remembered is not None:
            self.remembered.forget()
        if self.live_models is None:
            self.message.emit("The bundled models will be used.", "ok")
            return True
        try:
            self.live_models.restore_digit_models()  # also replaces a model of your classes
        except Exception as exc:
            self.message.emit(f"Could not restore the bundled models: {exc}", "error")
            return False
        self.message.emit("The bundled CNN and Dense network are live again.", "ok")
        return True

    # --- files -----------------------------------------------------------------------------
    def _on_save_clicked(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        name = f"{entry.slot}-{time.strftime('%Y%m%d-%H%M')}.keras"
        path = file_dialogs.save_file_name(
            self, "Save model", file_dialogs.MODELS, name, "Keras models (*.keras)"
        )
        if path:
            self.save_current(path)

    def save_current(self, path: str | Path) -> bool:
        """Write the chosen model to ``path`` atomically (``.keras`` added when missing)."""
        from digitlab.model.data.bundled import MODELS_DIR
        from digitlab.model.nets.model_files import load_model, save_model

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
        except Exception as exc:
            self.message.emit(f"Could not save to {path}: {exc}", "error")
            return False
        self.message.emit(f"Saved {entry.label} to {path}.", "ok")
        return True

    def _on_load_clicked(self) -> None:
        path = file_dialogs.open_file_name(
            self, "Load model", file_dialogs.MODELS, "Keras models (*.keras)"
        )
        if path:
            self.load_from(path)

    def load_from(self, path: str | Path) -> bool:
        """Load a ``.keras`` file as a new entry; a bad file is refused with a message."""
        from digitlab.model.nets.model_files import ModelFileError, load_model, read_class_names

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            model = load_model(path, num_classes=None, input_shape=None)
        except ModelFileError as exc:
            self.message.emit(f"Not loaded: {exc}", "error")
            return False
        except Exception as exc:
            self.message.emit(f"Not loaded: {path}: {type(exc).__name__}: {exc}", "error")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        names = read_class_names(path)
        outputs, size = int(model.output_shape[-1]), tuple(model.input_shape[1:3])
        if names is None and outputs != 10:
            names = tuple(f"class {i}" for i in range(outputs))
        digits = tuple(str(i) for i in range(10))
        if (names is not None and tuple(names) != digits) or size != (28, 28):
            names = tuple(names or (str(i) for i in range(outputs)))
            self.add(
                ModelEntry(
                    f"Loaded {Path(path).name} ({len(names)} classes)",
                    "custom",
                    model=model,
                    class_names=names,
                ),
                "file",
            )
            self.message.emit(
                f"Loaded {path}: a model of {len(names)} classes "
                f"({', '.join(names)}). Use it, or load its dataset to evaluate "
                "it.",
                "ok",
            )
            return True
        entry = self.add(
            ModelEntry(f"Loaded {Path(path).name}", guess_slot(model), model=model), "file"
        )
        self.message.emit(
            f"Loaded {path} (fits the {entry.slot} slot). Evaluate it or use it.", "ok"
        )
        return True
