"""The training tab: set up a run, watch it learn, cancel or pause it, evaluate, use the result.

The tab only wires its parts together: the run set-up form (:mod:`.run_setup`), the run's
life cycle (:mod:`.run_control`), the model list (:mod:`.model_list`), the evaluation thread
(:mod:`.evaluation_runner`) and the message banner (:mod:`.banner`). Training and evaluation
run in :mod:`digitlab.app.training.worker` threads on their own model copies; the live
drawing view's models change only through the model list, when the user asks for it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from digitlab.app import storage
from digitlab.app.live.remembered import RememberedLive
from digitlab.app.threads import STOP_TIMEOUT_MS, WorkerThread
from digitlab.app.training.banner import MessageBanner
from digitlab.app.training.curves import TrainingCurves
from digitlab.app.training.custom_data_panel import CustomDataPanel
from digitlab.app.training.evaluation_runner import EvaluationRunner
from digitlab.app.training.evaluation_view import EvaluationView
from digitlab.app.training.model_list import ModelEntry, ModelList, guess_slot
from digitlab.app.training.run_control import RunControl, format_duration
from digitlab.app.training.run_setup import ARCHITECTURES, DEFAULTS, TRAIN_SIZES, RunSetup
from digitlab.app.training.worker import (
    PROGRESS_INTERVAL_S,
    TrainingOutcome,
    TrainingWorker,
    is_custom,
)
from digitlab.app.widgets.layout import stretch_splitter
from digitlab.model.data.mnist import load_mnist
from digitlab.model.nets.training import Recipe

__all__ = [
    "ARCHITECTURES",
    "DEFAULTS",
    "TRAIN_SIZES",
    "ModelEntry",
    "TrainingTab",
    "format_duration",
    "guess_slot",
]

SETTINGS_SAVE_DELAY_MS = 500
"""A changed set-up is written this long after the last change (a held spin-box arrow makes
one write, not one per step); hiding the tab and quitting write it at once."""


class TrainingTab(QWidget):
    """Retrain either model in a worker thread, watch it learn, evaluate and swap it in live.

    Parameters
    ----------
    live_models : the main window's ``LiveModels`` (see :mod:`.model_list` for the three
        calls used), or None when there is no live view.
    remembered : keeps the model put live for the next start (the window's), or None.
    """

    # A run ended: the TrainingOutcome.
    run_finished = Signal(object)
    # A run failed: the message.
    run_failed = Signal(str)
    # An evaluation is shown: the entry label.
    evaluation_shown = Signal(str)
    # A message was shown to the user: text, level ("info", "ok", "error").
    message_shown = Signal(str, str)
    # What can be pressed changed (a run started or ended, another model was chosen, ...).
    controls_changed = Signal()

    def __init__(
        self,
        live_models=None,
        parent: QWidget | None = None,
        remembered: RememberedLive | None = None,
    ):
        super().__init__(parent)
        self.live_models = live_models
        self.fine_tune: QWidget | None = None
        self._build(remembered)
        self.apply_settings({**DEFAULTS, **storage.load_settings()})
        self._saved_settings = self.settings()
        self._settings_timer = QTimer(self)
        self._settings_timer.setSingleShot(True)
        self._settings_timer.setInterval(SETTINGS_SAVE_DELAY_MS)
        self._settings_timer.timeout.connect(self.save_settings)
        self.setup.changed.connect(self._settings_timer.start)
        self._update_controls()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.save_settings)
            app.aboutToQuit.connect(self.shutdown)

    # --- layout ----------------------------------------------------------------------------
    def _build(self, remembered: RememberedLive | None) -> None:
        self.data_panel = CustomDataPanel()
        self.data_panel.changed.connect(self._on_data_source_changed)
        self.data_panel.loaded.connect(lambda data: self.setup.fit_batch_to(len(data.x_train)))
        self.setup = RunSetup(load_mnist().x_train[:8])
        self.setup.seed.valueChanged.connect(self.data_panel.set_seed)
        self.curves = TrainingCurves()
        self.run = RunControl(self.curves)
        self.run.train_button.clicked.connect(self.start_training)
        self.run.running_changed.connect(self._update_controls)
        self.banner = MessageBanner()
        self.banner.shown.connect(self.message_shown)
        self.models = ModelList(self.live_models, remembered)
        self.models.message.connect(self.show_message)
        self.models.current_changed.connect(self._on_entry_changed)
        self.models.evaluate_requested.connect(self.evaluate_current)
        self.evaluation = EvaluationView()
        self.evaluations = EvaluationRunner(self.evaluation, self)
        self.evaluations.message.connect(self.show_message)
        self.evaluations.evaluated.connect(self._on_evaluated)
        self.evaluations.busy_changed.connect(self._update_controls)
        # The parts' widgets, under the names the tab has always offered.
        setup, run, models = self.setup, self.run, self.models
        self.architecture, self.epochs, self.batch_size = (
            setup.architecture,
            setup.epochs,
            setup.batch_size,
        )
        self.learning_rate, self.train_size, self.augment = (
            setup.learning_rate,
            setup.train_size,
            setup.augment,
        )
        self.copies, self.seed, self.preview = setup.copies, setup.seed, setup.preview
        self.train_button, self.pause_button, self.cancel_button = (
            run.train_button,
            run.pause_button,
            run.cancel_button,
        )
        self.progress, self.status = run.progress, run.status
        self.model_choice, self.use_button = models.model_choice, models.use_button

        left = QVBoxLayout()
        left.addWidget(self.data_panel)
        left.addWidget(self.setup)
        left.addWidget(self.run)
        left.addWidget(self.banner)
        left.addStretch(1)
        self.left_column = left  # features add boxes above the stretch (add_side_box)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setFixedWidth(360)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.addWidget(self.models)
        bottom_layout.addWidget(self.evaluation, 1)
        self.splitter = stretch_splitter(Qt.Orientation.Vertical, (self.curves, 2), (bottom, 3))

        # The set-up column scrolls rather than making the window taller than the screen
        # (your own data's class list adds to it).
        left_scroll = QScrollArea()
        left_scroll.setWidget(left_widget)
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setFixedWidth(360 + left_scroll.verticalScrollBar().sizeHint().width())
        left_scroll.setMinimumHeight(200)
        layout = QHBoxLayout(self)
        layout.addWidget(left_scroll)
        layout.addWidget(self.splitter, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def add_side_box(self, box: QWidget) -> None:
        """Add a box at the foot of the left column (e.g. "Fine-tune on my handwriting")."""
        self.left_column.insertWidget(self.left_column.count() - 1, box)

    def add_fine_tune(self, panel: QWidget) -> None:
        """Show the fine-tune box (built by the window, which has the personal samples) as
        :attr:`fine_tune`."""
        self.fine_tune = panel
        self.add_side_box(panel)

    # --- settings --------------------------------------------------------------------------
    def settings(self) -> dict:
        """The run set-up as shown (JSON-friendly)."""
        return self.setup.settings()

    def apply_settings(self, settings: dict) -> None:
        """Show ``settings`` (unknown or bad values fall back to the defaults)."""
        self.setup.apply_settings(settings)

    def recipe(self) -> Recipe:
        """The training recipe of the set-up shown."""
        return self.setup.recipe()

    @Slot()
    def save_settings(self) -> None:
        """Write the set-up shown to the user data folder now, if it changed (the next start
        shows it); changes are also written by themselves, shortly after they are made."""
        self._settings_timer.stop()
        settings = self.settings()
        if settings != self._saved_settings:
            storage.save_settings(settings)
            self._saved_settings = settings

    def hideEvent(self, event) -> None:
        self.save_settings()  # another tab is chosen, or the window closes
        super().hideEvent(event)

    def _on_data_source_changed(self) -> None:
        """MNIST or your own pictures: the digit-only options follow."""
        self.setup.show_data_source(self.data_panel.is_custom())
        self._update_controls()

    # --- messages --------------------------------------------------------------------------
    @property
    def last_message(self) -> tuple[str, str]:
        """The banner's last ``(text, level)``."""
        return self.banner.last_message

    def show_message(self, text: str, level: str = "info") -> None:
        self.banner.show_message(text, level)

    def show_status(self, text: str) -> None:
        """A line under the progress bar on what the run is doing."""
        self.run.show_status(text)

    # --- training --------------------------------------------------------------------------
    def is_training(self) -> bool:
        return self.run.is_running()

    @property
    def training_worker(self) -> TrainingWorker | None:
        return self.run.worker

    @property
    def last_progress(self) -> dict | None:
        """The newest progress of the run (step, total_steps, epoch, loss, ...), or None."""
        return self.run.last_progress

    def start_training(
        self,
        *,
        data=None,
        validate: bool = True,
        evaluate_after: bool = True,
        throttle_s: float = PROGRESS_INTERVAL_S,
    ) -> TrainingWorker | None:
        """Start a run with the set-up shown; returns the worker (None if one is running)."""
        if self.is_training():
            return None
        if data is None and self.data_panel.is_custom():
            if not self.data_panel.ready():
                self.show_message(
                    "Choose a folder of class subfolders or an .npz under "
                    "“Training data” first (or switch back to MNIST).",
                    "error",
                )
                return None
            data = self.data_panel.dataset
        settings = self.settings()
        self.save_settings()
        recipe = self.recipe()
        custom = is_custom(data)
        if custom:  # your own pictures: all of them, undistorted
            recipe = replace(recipe, train_size=None, augment=False)
        worker = TrainingWorker(
            settings["architecture"],
            recipe,
            data=data,
            validate=validate,
            evaluate_after=evaluate_after,
            throttle_s=throttle_s,
        )
        worker.preparing.connect(self.run.show_preparing)
        worker.evaluating.connect(self._on_evaluating)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        n_all = len(data.x_train) if data is not None else len(load_mnist().x_train)
        n = n_all if recipe.train_size is None else min(recipe.train_size, n_all)
        self.run_worker(
            worker,
            batches_per_epoch=max(1, math.ceil(n / recipe.batch_size)),
            epochs=recipe.epochs,
            status_text=f"Building a fresh {settings['architecture'].upper()} and "
            f"loading {'your pictures' if custom else 'MNIST'}…",
        )
        return worker

    def run_worker(
        self,
        worker,
        *,
        batches_per_epoch: int,
        epochs: int | None = None,
        progress_text: str = "starting…",
        status_text: str = "",
    ) -> bool:
        """Show a run like a training run: progress bar, curves, Pause and Cancel (the
        fine-tune box runs its worker through here). False when a run is already going.

        ``worker`` has the training worker's signals and pause/resume/cancel (see
        :mod:`.run_control`); what its ``finished`` and ``failed`` mean is the caller's to
        show, with :meth:`end_run`.
        """
        started = self.run.start(
            worker,
            batches_per_epoch=batches_per_epoch,
            epochs=epochs,
            progress_text=progress_text,
            status_text=status_text,
        )
        if started:
            self.banner.dismiss()
        return started

    def end_run(
        self, progress_text: str, *, complete: bool = False, message: tuple[str, str] | None = None
    ) -> None:
        """A run's result is known: ``progress_text`` on the bar (full when ``complete``),
        "Ready." below it, and ``message`` ``(text, level)`` in the banner (None: none)."""
        self.run.end(progress_text, complete=complete)
        if message is None:
            self.banner.dismiss()
        else:
            self.show_message(*message)

    def cancel_training(self) -> None:
        self.run.cancel()

    def toggle_pause(self) -> None:
        self.run.toggle_pause()

    @Slot()
    def _on_evaluating(self) -> None:
        custom = self.data_panel.is_custom()
        self.run.show_stage(
            "evaluating on the test pictures…" if custom else "evaluating on 10,000 test digits…",
            "Training done; evaluating on the "
            + ("held-out test pictures…" if custom else "MNIST test set…"),
        )

    @Slot(object)
    def _on_finished(self, outcome: TrainingOutcome) -> None:
        elapsed = format_duration(outcome.seconds)
        if outcome.nan:
            where = (
                f" at epoch {outcome.nan_at[0]}, batch {outcome.nan_at[1]}"
                if outcome.nan_at
                else ""
            )
            self.end_run(
                "stopped: loss became NaN",
                message=(
                    f"Training stopped: the loss became NaN{where}. The learning rate "
                    f"({outcome.recipe.learning_rate:g}) is probably far too high; try 0.002. "
                    "The broken model was discarded and the live models are unchanged.",
                    "error",
                ),
            )
        elif outcome.stopped:
            if outcome.model is not None and outcome.epochs_run:
                self.models.add_trained(outcome, suffix=" (cancelled)")
            self.end_run(
                "cancelled",
                message=(
                    f"Training cancelled after {elapsed}. The live models are unchanged.",
                    "info",
                ),
            )
        else:
            entry = self.models.add_trained(outcome)
            accuracy = (
                f"; test accuracy {outcome.evaluation.accuracy * 100:.2f}%"
                if outcome.evaluation is not None
                else ""
            )
            self.end_run(
                f"done in {elapsed}",
                complete=True,
                message=(
                    f"{entry.label}: trained in {elapsed}{accuracy}. Press “Use this model” to put "
                    "it in the live view.",
                    "ok",
                ),
            )
        self.run_finished.emit(outcome)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.end_run(
            "failed",
            message=(f"Training failed: {message}. The live models are unchanged.", "error"),
        )
        self.run_failed.emit(message)

    def _update_controls(self, *_args) -> None:
        training = self.is_training()
        custom = self.data_panel.is_custom()
        self.setup.update_state(training, custom)
        self.data_panel.set_enabled_for_training(not training)
        self.run.update_state(self.data_panel.ready())
        self.models.update_state(self.evaluations.is_busy())
        self.controls_changed.emit()

    # --- models ----------------------------------------------------------------------------
    def current_entry(self) -> ModelEntry | None:
        return self.models.current_entry()

    def add_model(self, entry: ModelEntry, kind: str) -> ModelEntry:
        """Add ``entry`` to the model list under a new ``"<kind>:<n>"`` key and choose it."""
        return self.models.add(entry, kind)

    def use_current(self) -> bool:
        """Put the chosen model in the live view (``live_models.set_model``); True on success."""
        return self.models.use_current()

    def restore_bundled(self) -> bool:
        """Put the shipped models back in the live view and forget the user's live choices."""
        return self.models.restore_bundled()

    def save_current(self, path) -> bool:
        """Write the chosen model to ``path`` atomically (``.keras`` added when missing)."""
        return self.models.save_current(path)

    def load_from(self, path) -> bool:
        """Load a ``.keras`` file as a new entry; a bad file is refused with a message."""
        return self.models.load_from(path)

    def evaluate_current(self) -> None:
        """Evaluate the chosen model on the MNIST test set in a worker thread."""
        entry = self.current_entry()
        if entry is not None:
            self.evaluations.evaluate(self.models.current_key(), entry, self.data_panel.dataset)

    def _on_entry_changed(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.evaluation is not None:
            self.evaluation.set_report(entry.evaluation, entry.label)
            self.evaluation_shown.emit(entry.label)
        elif entry is not None and self.evaluations.key != self.models.current_key():
            self.evaluation.clear(f"{entry.label}: not evaluated yet. Press Evaluate.")
        self._update_controls()

    def _on_evaluated(self, key: str, _report) -> None:
        if self.models.current_key() == key:
            self._on_entry_changed()  # it shows the entry's new report

    # The worker threads the shutdown joins: the run's and the evaluation's.
    @property
    def _training(self) -> WorkerThread | None:
        return self.run.holder

    @property
    def _evaluation(self) -> WorkerThread | None:
        return self.evaluations.holder

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

    def closeEvent(self, event):
        self.shutdown()
        super().closeEvent(event)
