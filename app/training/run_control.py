"""A run's life cycle on the Train tab: Train, Pause and Cancel, the progress bar, the status
line, and the worker thread of the one run at a time (a training run or a fine-tuning run).

:meth:`RunControl.start` takes any worker with the training worker's signals (``started``,
``progress``, ``epoch_ended``, ``done``) and ``pause``/``resume``/``cancel``; the curves follow
its progress. What a run's ``finished`` and ``failed`` mean is the starter's to say:
:meth:`RunControl.end` shows it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from digitlab.app.threads import WorkerThread
from digitlab.app.training.curves import TrainingCurves


def format_duration(seconds: float | None) -> str:
    """``75.2`` -> ``"1:15"``; ``None`` or not finite -> ``"–"``."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunControl(QWidget):
    """The run buttons, progress bar and status line, and the running worker's thread.

    Parameters
    ----------
    curves : the plot the run's batch and epoch points go to.
    """

    # A run started (True) or its thread ended (False).
    running_changed = Signal(bool)

    def __init__(self, curves: TrainingCurves, parent: QWidget | None = None):
        super().__init__(parent)
        self.curves = curves
        self.holder: WorkerThread | None = None  # the run's thread (the tab's shutdown joins it)
        self.last_progress: dict | None = None  # the newest progress info of the run

        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.train_button.setToolTip(
            "Train a new model with this set-up; the live models stay as they are"
        )
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Hold the run after the current batch; press again to go on")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(
            "Stop after the current batch; the live models stay as they are"
        )
        self.cancel_button.clicked.connect(self.cancel)
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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    # --- state -----------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.holder is not None

    @property
    def worker(self):
        """The running worker, or None."""
        return None if self.holder is None else self.holder.worker

    def update_state(self, can_train: bool) -> None:
        """Enable Train when no run goes and ``can_train``; Pause and Cancel during a run."""
        running = self.is_running()
        self.train_button.setEnabled(not running and can_train)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)

    # --- a run -----------------------------------------------------------------------------
    def start(
        self,
        worker,
        *,
        batches_per_epoch: int,
        epochs: int | None = None,
        progress_text: str = "starting…",
        status_text: str = "",
    ) -> bool:
        """Run ``worker`` in its own thread and show its progress; False if a run is going.

        ``batches_per_epoch`` and ``epochs`` (None: no cap) lay out the curves' x axis.
        """
        if self.holder is not None:
            return False
        worker.started.connect(self._on_started)
        worker.progress.connect(self._on_progress)
        worker.epoch_ended.connect(self._on_epoch_ended)
        holder = WorkerThread(worker, self)
        holder.ended.connect(self._on_thread_ended)
        self.holder = holder
        self.last_progress = None
        self.curves.reset(batches_per_epoch, epochs)
        self.progress.setRange(0, 0)  # busy until the first batch
        self.progress.setFormat(progress_text)
        self.status.setText(status_text)
        self.running_changed.emit(True)
        holder.start()
        return True

    def cancel(self) -> None:
        """Stop the run after the current batch."""
        if self.holder is None:
            return
        self.holder.worker.cancel()
        self.status.setText("Cancelling after the current batch…")
        self.cancel_button.setEnabled(False)
        self.pause_button.setEnabled(False)

    def toggle_pause(self) -> None:
        """Pause the run after the current batch, or resume it."""
        worker = self.worker
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

    def show_status(self, text: str) -> None:
        """Say what the run is doing now (a line under the progress bar)."""
        self.status.setText(text)

    def show_stage(self, progress_text: str, status_text: str) -> None:
        """A stage without batches (e.g. evaluating after training): the bar's text and the
        status line."""
        self.progress.setFormat(progress_text)
        self.status.setText(status_text)

    @Slot(int, int)
    def show_preparing(self, done: int, total: int) -> None:
        """Augmented copies being made before the first batch: ``done`` of ``total``."""
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(f"preparing augmented digits {done}/{total}")
        self.status.setText("Distorting training digits (once per run)…")

    def end(self, progress_text: str, *, complete: bool = False) -> None:
        """The run's result is known: ``progress_text`` on the bar (full when ``complete``)
        and "Ready." below. The thread itself ends a moment later (``running_changed``)."""
        if complete:
            self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(progress_text)
        self.status.setText("Ready.")

    # --- the worker's signals --------------------------------------------------------------
    @Slot(int)
    def _on_started(self, total_steps: int) -> None:
        self.progress.setRange(0, max(1, total_steps))
        self.progress.setValue(0)
        self.progress.setFormat("starting… (tracing the model)")

    @Slot(object)
    def _on_progress(self, info: dict) -> None:
        self.last_progress = info
        if self.progress.maximum() != info["total_steps"]:
            self.progress.setRange(0, info["total_steps"])
        self.progress.setValue(info["step"])
        paused = self.worker is not None and self.worker.paused
        done = info["step"] / max(1, info["total_steps"]) * 100
        elapsed, left = format_duration(info["elapsed_s"]), format_duration(info["eta_s"])
        self.progress.setFormat(
            f"{'paused · ' if paused else ''}{done:.0f}% · {elapsed} elapsed · ~{left} left"
        )
        self.status.setText(
            f"Epoch {info['epoch']}/{info['epochs']} · batch {info['batch']}/{info['batches']}\n"
            f"loss {info['loss']:.4f} · accuracy {info['accuracy'] * 100:.1f}%"
        )
        self.curves.add_batches(info["points"], info["batches"])

    @Slot(object)
    def _on_epoch_ended(self, info: dict) -> None:
        self.curves.add_epoch(info["epoch"], info["logs"])
        logs = info["logs"]
        if "val_accuracy" in logs:
            self.status.setText(
                f"Epoch {info['epoch']}/{info['epochs']} done · validation accuracy "
                f"{logs['val_accuracy'] * 100:.2f}% · loss {logs.get('val_loss', math.nan):.4f}"
            )

    @Slot()
    def _on_thread_ended(self) -> None:
        holder = self.holder
        self.holder = None
        info = self.last_progress
        if (
            holder is not None
            and holder.worker.cancelled
            and (info is None or info["step"] < info["total_steps"])
        ):
            self.curves.mark_stopped("cancelled")
        if holder is not None:
            holder.dispose()
            from digitlab.model.nets.run_progress import settle_garbage  # Keras: loaded by now

            settle_garbage()  # here, between events: never in the run's thread
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.pause_button.setText("Pause")
        self.running_changed.emit(False)
