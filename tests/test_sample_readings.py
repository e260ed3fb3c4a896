"""How the live digit models' readings of your samples are scored and worded, Qt-free: only
digit models count, stale readings are ignored, and the captions and tooltips name them."""

from __future__ import annotations

import math

import numpy as np

from digitlab.model.nets.sample_readings import (
    accuracies,
    digit_readings,
    grid_text,
    misreadings,
    reading_tooltip,
)


def _probabilities(digits, sure=0.9) -> np.ndarray:
    p = np.full((len(digits), 10), (1 - sure) / 9, np.float32)
    p[np.arange(len(digits)), digits] = sure
    return p


def test_only_the_digit_models_are_read():
    readings, confidence = digit_readings(
        {"cnn": _probabilities([7, 1]), "custom": _probabilities([0, 0])}
    )
    assert list(readings) == ["cnn"] and readings["cnn"].tolist() == [7, 1]
    assert np.allclose(confidence["cnn"], 0.9)
    assert digit_readings({"custom": _probabilities([3])}) == ({}, {})


def test_misreadings_name_each_model_that_reads_another_digit():
    readings = {"cnn": np.array([7, 2]), "dense": np.array([1, 2]), "old": np.array([4])}
    labels = [7, 2]
    assert misreadings(readings, labels, 0) == [("dense", 1)]  # "old" is stale: ignored
    assert misreadings(readings, labels, 1) == []
    assert grid_text(7, [("dense", 1), ("cnn", 9)]) == "7\nDense 1, CNN 9"
    assert grid_text(2, []) == "2"


def test_a_tooltip_gives_the_label_the_time_and_every_reading():
    readings = {"cnn": np.array([7]), "dense": np.array([1])}
    confidence = {"cnn": np.array([0.97]), "dense": np.array([0.55])}
    text = reading_tooltip(7, "2024-05-01T10:00:00", readings, confidence, 0)
    assert text.splitlines() == [
        "Labelled 7",
        "added 2024-05-01 10:00:00",
        "CNN reads 7 (97%)",
        "Dense network reads 1 (55%)",
    ]


def test_accuracy_counts_the_right_readings_and_is_nan_without_samples():
    labels = np.array([7, 2, 3], np.int64)
    scores = accuracies({"cnn": np.array([7, 2, 3]), "dense": np.array([7, 1, 3])}, labels)
    assert scores["cnn"] == (3, 1.0) and scores["dense"][0] == 2
    assert math.isclose(scores["dense"][1], 2 / 3)
    right, share = accuracies({"cnn": np.array([], np.int64)}, np.array([], np.int64))["cnn"]
    assert right == 0 and math.isnan(share)


def test_an_answer_under_the_models_threshold_reads_as_no_digit():
    from digitlab.model.data.personal_data import NOT_A_DIGIT

    readings, _ = digit_readings({"cnn": _probabilities([7, 1], sure=0.6)}, {"cnn": 0.7})
    assert readings["cnn"].tolist() == [NOT_A_DIGIT, NOT_A_DIGIT]
    # A negative sample the model does not know is read right; a digit is misread as "?".
    assert misreadings(readings, [NOT_A_DIGIT, 1], 0) == []
    assert misreadings(readings, [NOT_A_DIGIT, 1], 1) == [("cnn", NOT_A_DIGIT)]
    assert grid_text(NOT_A_DIGIT, []) == "no digit"
