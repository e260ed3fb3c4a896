"""A model's answers on a labelled test set, Qt-free: the :class:`EvaluationReport` and the
two ways of making one (the MNIST test set, or the test split of your own classes).

The Train tab's workers, the command line and the tests call these from the thread that owns
the model; the report holds NumPy arrays only, so it may then travel to any thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from digitlab.model.data.mnist import load_mnist, mnist_test_inputs, to_model_input
from digitlab.model.nets.training import evaluate

NUM_CLASSES = 10
"""The digits 0..9 of MNIST."""


@dataclass
class EvaluationReport:
    """A model's answers on a labelled test set.

    images : uint8 ``(n, size, size)`` the test images (shared, do not modify).
    labels : int ``(n,)`` true labels.
    predictions : int ``(n,)``; confidence : float ``(n,)`` probability of the prediction.
    confusion : int ``(classes, classes)``, rows are true labels.
    class_names : one per class; () means the digits 0..9 of the MNIST test set.
    """

    accuracy: float
    confusion: np.ndarray
    predictions: np.ndarray
    confidence: np.ndarray
    labels: np.ndarray
    images: np.ndarray
    seconds: float = 0.0
    class_names: tuple[str, ...] = ()
    data_label: str = "MNIST test digits"

    @property
    def labels_text(self) -> tuple[str, ...]:
        """The class names to show (the digits when none are set)."""
        return self.class_names or tuple(str(i) for i in range(len(self.confusion)))

    @property
    def misclassified(self) -> np.ndarray:
        """Indices of wrong answers, the most confident first."""
        wrong = np.flatnonzero(self.predictions != self.labels)
        return wrong[np.argsort(-self.confidence[wrong], kind="stable")]

    def cell(self, true: int, pred: int) -> np.ndarray:
        """Indices of test digits labelled ``true`` and answered ``pred``, most confident first."""
        hits = np.flatnonzero((self.labels == true) & (self.predictions == pred))
        return hits[np.argsort(-self.confidence[hits], kind="stable")]


def _report(
    start: float,
    model,
    x: np.ndarray,
    labels: np.ndarray,
    images: np.ndarray,
    num_classes: int,
    **details,
) -> EvaluationReport:
    """Evaluate ``model`` on float32 inputs ``x`` with int64 ``labels``; ``images`` are the
    uint8 pictures to show, ``details`` the report's class names and data label, ``start``
    the ``perf_counter`` the report's seconds count from."""
    result = evaluate(model, x, labels, num_classes)
    return EvaluationReport(
        accuracy=result["accuracy"],
        confusion=np.asarray(result["confusion"], np.int64),
        predictions=np.asarray(result["predictions"], np.int64),
        confidence=np.asarray(result["confidence"], np.float32),
        labels=labels,
        images=images,
        seconds=time.perf_counter() - start,
        **details,
    )


def evaluate_on_mnist(model) -> EvaluationReport:
    """Evaluate ``model`` on the 10,000 MNIST test images (call from the thread that owns it)."""
    start = time.perf_counter()
    data = load_mnist()
    return _report(
        start, model, mnist_test_inputs(), data.y_test.astype(np.int64), data.x_test, NUM_CLASSES
    )


def evaluate_on_dataset(model, data) -> EvaluationReport:
    """Evaluate ``model`` on the test split of a
    :class:`digitlab.model.data.custom_dataset.CustomDataset`."""
    start = time.perf_counter()
    return _report(
        start,
        model,
        to_model_input(data.x_test),
        data.y_test.astype(np.int64),
        data.x_test,
        data.num_classes,
        class_names=tuple(data.class_names),
        data_label="test pictures",
    )


def is_custom(data) -> bool:
    """True for a dataset of your own classes (it carries class names)."""
    return bool(getattr(data, "class_names", ()))
