"""The training tab: set up a run, watch it learn, cancel or pause it, evaluate, use the result.

The tab only wires its parts together: the run set-up form (:mod:`.run_setup`), the run's
life cycle (:mod:`.run_control`), the model list (:mod:`.model_list`), the evaluation thread
(:mod:`.evaluation_runner`), the message banner (:mod:`.banner`), the left column
(:mod:`.side_column`) and the set-up's saving (:mod:`.settings_saver`); what it says about a
run is worded in :mod:`digitlab.model.nets.training_wording`. Training and evaluation run in
worker threads (:mod:`.worker`, :mod:`.evaluation_worker`) on their own model copies; the live
drawing view's models change only through the model list, when the user asks for it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from digitlab.app import storage
from digitlab.app.live.remembered import RememberedLive
from digitlab.app.threads import STOP_TIMEOUT_MS
from digitlab.app.training.banner import MessageBanner
from digitlab.app.training.curves import TrainingCurves
from digitlab.app.training.custom_data_panel import CustomDataPanel
from digitlab.app.training.evaluation_runner import EvaluationRunner
from digitlab.app.training.evaluation_view import EvaluationView
from digitlab.app.training.model_list import ModelEntry, ModelList
from digitlab.app.training.run_control import RunControl, format_duration
from digitlab.app.training.run_setup import DEFAULTS, RunSetup
from digitlab.app.training.settings_saver import SettingsSaver
from digitlab.app.training.side_column import SideColumn
from digitlab.app.training.worker import PROGRESS_INTERVAL_S, TrainingOutcome, TrainingWorker
from digitlab.app.widgets.layout import stretch_splitter
from digitlab.model.data.mnist import load_mnist
from digitlab.model.nets.evaluation_report import is_custom
from digitlab.model.nets.run_plan import batches_per_epoch, fit_recipe
from digitlab.model.nets.training import Recipe
from digitlab.model.nets.training_wording import (
    NO_DATA_CHOSEN,
    evaluating_texts,
    failure_message,
    run_ending,
    starting_text,
)


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
        if self.setup.settings_refused:
            self.show_message(
                f"{storage.SETTINGS_FILE}: {', '.join(self.setup.settings_refused)} "
                "could not be used; the defaults are shown for them",
                "info",
            )
        self._settings_saver = SettingsSaver(self.setup.settings_to_keep, self)
        self.setup.changed.connect(self._settings_saver.schedule)
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
        if self.live_models is not None:  # a run trains: the drawing is answered less often
            self.run.running_changed.connect(self.live_models.pace_answers)
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
        self.architecture = setup.architecture
        self.epochs = setup.epochs
        self.batch_size = setup.batch_size
        self.learning_rate = setup.learning_rate
        self.train_size = setup.train_size
        self.augment = setup.augment
        self.copies, self.seed, self.preview = setup.copies, setup.seed, setup.preview
        self.train_button = run.train_button
        self.pause_button = run.pause_button
        self.cancel_button = run.cancel_button
        self.progress, self.status = run.progress, run.status
        self.model_choice, self.use_button = models.model_choice, models.use_button

        # Features add boxes at the column's foot (add_side_box).
        self.side_column = SideColumn(self.data_panel, self.setup, self.run, self.banner)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.addWidget(self.models)
        bottom_layout.addWidget(self.evaluation, 1)
        self.splitter = stretch_splitter(Qt.Orientation.Vertical, (self.curves, 2), (bottom, 3))
        layout = QHBoxLayout(self)
        layout.addWidget(self.side_column)
        layout.addWidget(self.splitter, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def add_side_box(self, box: QWidget) -> None:
        """Add a box at the foot of the left column (e.g. "Fine-tune on my handwriting")."""
        self.side_column.add_box(box)

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
        self._settings_saver.save()

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
                self.show_message(*NO_DATA_CHOSEN)
                return None
            data = self.data_panel.dataset
        settings = self.settings()
        self.save_settings()
        custom = is_custom(data)
        recipe = fit_recipe(self.recipe(), custom)
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
        available = len(data.x_train) if data is not None else len(load_mnist().x_train)
        self.run_worker(
            worker,
            batches_per_epoch=batches_per_epoch(recipe, available),
            epochs=recipe.epochs,
            status_text=starting_text(settings["architecture"], custom),
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
        self.run.show_stage(*evaluating_texts(self.data_panel.is_custom()))

    @Slot(object)
    def _on_finished(self, outcome: TrainingOutcome) -> None:
        entry = None
        if outcome.completed:
            entry = self.models.add_trained(outcome)
        elif not outcome.nan and outcome.model is not None and outcome.epochs_run:
            entry = self.models.add_trained(outcome, suffix=" (cancelled)")
        progress_text, message = run_ending(
            nan=outcome.nan,
            stopped=outcome.stopped,
            elapsed=format_duration(outcome.seconds),
            learning_rate=outcome.recipe.learning_rate,
            nan_at=outcome.nan_at,
            label=entry.label if entry is not None else "",
            accuracy=None if outcome.evaluation is None else outcome.evaluation.accuracy,
            epochs_run=outcome.epochs_run,
            batches_run=outcome.batches_run,
            batches_per_epoch=outcome.batches_per_epoch,
        )
        self.end_run(progress_text, complete=outcome.completed, message=message)
        self.run_finished.emit(outcome)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.end_run("failed", message=failure_message(message))
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

    # --- shutdown --------------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Cancel any run, quit and join the worker threads; True if all ended in time.

        Call it from the main window's ``closeEvent``; it is safe to call twice.
        """
        ok = True
        # The worker threads to join: the run's and the evaluation's.
        holders = [h for h in (self.run.holder, self.evaluations.holder) if h is not None]
        if holders:
            storage.save_settings(self.setup.settings_to_keep())
        for holder in holders:
            ok = holder.stop(timeout_ms) and ok
        ok = self.data_panel.shutdown(timeout_ms) and ok
        # Deliver the queued finished/ended signals now, so nothing refers to dead threads.
        QCoreApplication.sendPostedEvents()
        return ok

    def closeEvent(self, event):
        self.shutdown()
        super().closeEvent(event)
