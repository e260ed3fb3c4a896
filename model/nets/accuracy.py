"""How right a model's answers are on labelled inputs: accuracy and confusion matrix from the
probabilities alone (NumPy, no TensorFlow), so the Keras path and the NumPy path score alike."""

from __future__ import annotations

import numpy as np


def score_answers(probabilities: np.ndarray, y: np.ndarray, num_classes: int = 10) -> dict:
    """Score float ``(n, num_classes)`` probabilities against int labels ``y`` ``(n,)`` in
    ``0..num_classes-1``.

    Returns
    -------
    dict with ``accuracy`` (0..1, NaN when ``n == 0``), ``confusion`` (``num_classes`` x
    ``num_classes`` list of ints, rows = true label), ``predictions`` (int ``(n,)``),
    ``confidence`` (float ``(n,)``, the top probability) and ``probabilities`` (as given).
    """
    probs = np.asarray(probabilities)
    if not len(probs):
        probs = np.zeros((0, num_classes), np.float32)
    y = np.asarray(y, np.int64)
    pred = probs.argmax(1)
    confusion = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(confusion, (y, pred), 1)
    return {
        "accuracy": float((pred == y).mean()) if len(y) else float("nan"),
        "confusion": confusion.tolist(),
        "predictions": pred,
        "confidence": probs.max(1) if len(probs) else np.zeros(0),
        "probabilities": probs,
    }
