"""Evaluate a model of the Train tab's list in a worker thread, one at a time, and show the
report (accuracy, confusion matrix, gallery) in the tab's :class:`EvaluationView`."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from digitlab.app.threads import WorkerThread
from digitlab.app.training.evaluation_view import EvaluationView
from digitlab.app.training.evaluation_worker import EvaluationWorker
from digitlab.app.training.model_list import ModelEntry
from digitlab.model.nets.evaluation_report import EvaluationReport
from digitlab.model.nets.wording import plural


def matching_dataset(entry: ModelEntry, loaded):
    """``loaded`` (a dataset of your own classes, or None) when its class names and picture
    size are those of ``entry``'s model, else None."""
    model = entry.model
    if loaded is None or model is None or tuple(loaded.class_names) != tuple(entry.class_names):
        return None
    return loaded if int(model.input_shape[1]) == loaded.image_size else None


class EvaluationRunner(QObject):
    """Runs one :class:`EvaluationWorker` at a time and shows what it finds.

    Parameters
    ----------
    view : where the report, the busy line or the failure is shown.
    """

    # A report arrived for the entry under this key (the entry keeps it): key, report.
    evaluated = Signal(str, object)
    # Something to tell the user: text, level ("info", "ok", "error").
    message = Signal(str, str)
    # An evaluation started (True) or its thread ended (False).
    busy_changed = Signal(bool)

    def __init__(self, view: EvaluationView, parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.holder: WorkerThread | None = None  # the tab's shutdown joins it
        self.key: str | None = None  # the key of the entry being evaluated
        self._entry: ModelEntry | None = None

    def is_busy(self) -> bool:
        return self.holder is not None

    def evaluate(self, key: str, entry: ModelEntry, loaded_data=None) -> bool:
        """Evaluate ``entry`` on the MNIST test set, or for a model of your own classes on
        ``loaded_data`` when it matches (see :func:`matching_dataset`); False when it cannot
        start (the reason is in :attr:`message`) or another evaluation is running."""
        if self.holder is not None:
            return False
        from digitlab.model.nets.inference import copy_model

        try:
            target = entry.path if entry.model is None else copy_model(entry.model)
        except Exception as exc:
            self.message.emit(f"Cannot evaluate {entry.label}: {exc}", "error")
            return False
        data = None
        if entry.class_names:
            data = entry.data or matching_dataset(entry, loaded_data)
            if data is None:
                self.message.emit(
                    f"To evaluate {entry.label}, load a dataset with its classes "
                    f"({', '.join(entry.class_names)}) under “Training data”.",
                    "info",
                )
                return False
        worker = EvaluationWorker(target) if data is None else EvaluationWorker(target, data=data)
        worker.finished.connect(self._on_evaluated)
        worker.failed.connect(self._on_failed)
        holder = WorkerThread(worker, self)
        holder.ended.connect(self._on_thread_ended)
        self.holder, self.key, self._entry = holder, key, entry
        self.view.set_busy(
            f"Evaluating {entry.label} on "
            + (
                f"{plural(len(data.x_test), 'test picture')}…"
                if data is not None
                else "10,000 MNIST test digits…"
            )
        )
        self.busy_changed.emit(True)
        holder.start()
        return True

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        label = self._entry.label if self._entry is not None else "Model"
        self.view.clear(f"{label}: evaluation failed.")
        self.message.emit(f"Evaluation failed: {message}", "error")

    @Slot(object)
    def _on_evaluated(self, report: EvaluationReport) -> None:
        if self._entry is None:
            return
        self._entry.evaluation = report
        self.evaluated.emit(self.key, report)

    def _on_thread_ended(self) -> None:
        holder = self.holder
        self.holder, self.key, self._entry = None, None, None
        if holder is not None:
            holder.dispose()
        self.busy_changed.emit(False)
