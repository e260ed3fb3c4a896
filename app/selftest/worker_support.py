"""Running a training worker to its end from a self-test check: shared by the checks that
train (``train``, ``cancel``, ``save_load``, ``custom_dataset``, ``teach``).

Kept apart from :mod:`digitlab.app.selftest.support` because it imports Keras (through the
training worker), which the runner must not import before the window is shown.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop, QObject, Slot
from PySide6.QtWidgets import QApplication

from digitlab.app.threads import WorkerThread
from digitlab.app.training.worker import TrainingOutcome, TrainingWorker


class RunWatcher(QObject):
    """Collects a worker's signals in the UI thread: the steps seen, the ``outcome`` or the
    ``error``; cancels the run at its first progress at or after ``cancel_at_step``."""

    def __init__(self, worker: TrainingWorker, cancel_at_step: int | None = None):
        super().__init__()
        self.worker = worker
        self.cancel_at_step = cancel_at_step
        self.steps: list[int] = []
        self.outcome: TrainingOutcome | None = None
        self.error = ""
        self.cancelled_after: int | None = None
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)

    @Slot(object)
    def _on_progress(self, info: dict) -> None:
        self.steps.append(int(info["step"]))
        if (
            self.cancel_at_step is not None
            and info["step"] >= self.cancel_at_step
            and self.cancelled_after is None
        ):
            self.worker.cancel()
            self.cancelled_after = self.worker.steps_done

    @Slot(object)
    def _on_finished(self, outcome) -> None:
        self.outcome = outcome

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.error = message


def run_to_end(
    worker: TrainingWorker, timeout_s: float = 120.0, cancel_at_step: int | None = None
) -> RunWatcher:
    """Run ``worker`` (a :class:`TrainingWorker` or subclass) in its thread, spinning the Qt
    event loop until it ends or ``timeout_s`` passes; then join the thread and deliver the
    queued signals. The watcher holds the steps seen, the ``outcome`` or the ``error``."""
    watcher = RunWatcher(worker, cancel_at_step)
    holder = WorkerThread(worker)
    holder.start()
    deadline = time.perf_counter() + timeout_s
    while holder.is_running() and time.perf_counter() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        holder.join(10)
    holder.stop(30_000)
    QApplication.processEvents()  # deliver the queued finished/failed signals
    return watcher
