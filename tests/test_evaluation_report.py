"""The Qt-free evaluation report: wrong answers and confusion cells, most confident first,
and a report made on the test split of your own classes (no QApplication)."""

from __future__ import annotations

import keras
import numpy as np

from digitlab.model.data.custom_dataset import CustomDataset
from digitlab.model.nets.evaluation_report import EvaluationReport, evaluate_on_dataset, is_custom


def _report() -> EvaluationReport:
    labels = np.array([0, 1, 1, 2, 2], np.int64)
    predictions = np.array([0, 2, 2, 2, 1], np.int64)
    confidence = np.array([0.9, 0.6, 0.8, 0.7, 0.5], np.float32)
    confusion = np.zeros((3, 3), np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    return EvaluationReport(
        accuracy=0.4,
        confusion=confusion,
        predictions=predictions,
        confidence=confidence,
        labels=labels,
        images=np.zeros((5, 4, 4), np.uint8),
    )


def test_wrong_answers_and_cells_come_most_confident_first():
    report = _report()
    assert report.misclassified.tolist() == [2, 1, 4]
    assert report.cell(1, 2).tolist() == [2, 1]
    assert report.cell(2, 2).tolist() == [3] and report.cell(0, 1).tolist() == []


def test_a_report_without_class_names_shows_the_digits():
    assert _report().labels_text == ("0", "1", "2")


def test_a_report_on_your_own_classes_names_them_and_counts_every_test_picture():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((6, 6, 1)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")]
    )
    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 256, (7, 6, 6), dtype=np.uint8)
    labels = np.array([0, 1, 0, 1, 1, 0, 1], np.uint8)
    data = CustomDataset(pictures, labels, pictures, labels, class_names=("circle", "cross"))
    assert is_custom(data) and not is_custom(None)
    report = evaluate_on_dataset(model, data)
    assert report.labels_text == ("circle", "cross") and report.data_label == "test pictures"
    assert report.confusion.shape == (2, 2) and report.confusion.sum() == 7
    assert report.labels.dtype == np.int64 and report.images is pictures
    assert 0.0 <= report.accuracy <= 1.0 and report.seconds >= 0.0
