"""Evaluate one model off the UI thread: the QObject worker behind the Train tab's Evaluate.

It runs in a thread owned by a :class:`digitlab.app.threads.WorkerThread` (see
:mod:`.evaluation_runner`) and makes an
:class:`~digitlab.model.nets.evaluation_report.EvaluationReport` with the Qt-free
:mod:`digitlab.model.nets.evaluation_report`.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from digitlab.app.training.worker import describe_exception
from digitlab.model.nets.evaluation_report import evaluate_on_dataset, evaluate_on_mnist, is_custom


class EvaluationWorker(QObject):
    """Evaluates one model on the MNIST test images.

    Parameters
    ----------
    model : a Keras model this worker may use alone (pass a copy), or a ``.keras`` path.
    data : a dataset of your own classes to judge it on (default: the MNIST test set).
    """

    # The evaluation report (digitlab.model.nets.evaluation_report.EvaluationReport).
    finished = Signal(object)
    # A one-line message for the user.
    failed = Signal(str)
    # Always emitted last.
    done = Signal()

    def __init__(self, model, data=None):
        super().__init__()
        self._model = model
        self._data = data
        self.last_traceback = ""

    def cancel(self) -> None:
        """Evaluation takes a second or two; it is not interrupted."""

    @Slot()
    def run(self) -> None:
        try:
            model = self._model
            if isinstance(model, (str, Path)):
                from digitlab.model.nets.model_files import load_model

                model = load_model(model)
            self.finished.emit(
                evaluate_on_dataset(model, self._data)
                if is_custom(self._data)
                else evaluate_on_mnist(model)
            )
        except Exception as exc:
            self.last_traceback = traceback.format_exc()
            self.failed.emit(describe_exception(exc))
        finally:
            self._model = None
            self.done.emit()
