"""The inference worker: the latest drawing wins, empty drawings ask no model, threads join."""

from __future__ import annotations

from gui_support import shared_core
import numpy as np
import pytest

from digitlab.app.live.live_models import InferenceWorker, LiveModels, describe_model
from digitlab.model.preprocess.strokes import Stroke

TIMEOUT_MS = 60_000
SEVEN = [Stroke(np.array([[80.0, 70], [200, 70], [130, 230]]))]
CANVAS = (280.0, 280.0)


@pytest.fixture(scope="module")
def worker():
    """The worker's own code, run in the test thread (no QThread)."""
    w = InferenceWorker(core_factory=shared_core)
    w.core = shared_core()
    calibration = np.zeros((2, 28, 28, 1), np.float32)
    w._calibration = calibration
    w.infos = {n: describe_model(w.core, n, calibration) for n in w.core.names}
    return w


def test_an_empty_drawing_is_answered_without_asking_a_model(worker):
    runs = worker.runs
    result = worker.answer(3, [], CANVAS)
    assert result.empty and result.revision == 3 and result.probabilities == {}
    erased = [Stroke(SEVEN[0].points, None, True)]
    assert worker.answer(4, erased, CANVAS).empty
    assert worker.runs == runs


def test_a_drawing_gets_both_models_probabilities_activations_and_mosaics(worker):
    result = worker.answer(7, SEVEN, CANVAS)
    assert set(result.probabilities) == {"cnn", "dense"}
    for probs in result.probabilities.values():
        assert probs.shape == (10,) and abs(float(probs.sum()) - 1) < 1e-4
    assert result.activations["cnn"]["conv1"].shape == (26, 26, 32)
    assert result.mosaics["cnn"]["pool2"].dtype == np.uint8
    assert set(result.mosaics["dense"]) == {"hidden", "output"}


def test_the_live_models_answer_only_the_newest_drawing(qtbot):
    core = shared_core()
    live = LiveModels(core_factory=lambda: core)
    results = []
    live.result.connect(results.append)
    try:
        with qtbot.waitSignal(live.models_ready, timeout=TIMEOUT_MS):
            live.start()
        # A burst of drawings faster than the models: at most one per drawing, and the last
        # one always.
        for revision in range(1, 30):
            pts = SEVEN[0].points + [revision, 0]
            live.request(revision, [Stroke(pts)], CANVAS)
        qtbot.waitUntil(lambda: bool(results) and results[-1].revision == 29, timeout=TIMEOUT_MS)
        revisions = [r.revision for r in results]
        assert revisions == sorted(revisions) and len(set(revisions)) == len(revisions)
        # Clearing answers at once with the empty state and drops what is still pending.
        live.request(30, [], CANVAS)
        assert results[-1].revision == 30 and results[-1].empty
    finally:
        live.stop()
    assert live._thread.isFinished()
    live.stop()  # twice is fine
