"""The inference worker: the latest drawing wins, empty drawings ask no model, threads join."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from gui_support import shared_core

from digitlab.app.live.inference_worker import InferenceWorker
from digitlab.app.live.live_models import LiveModels
from digitlab.model.nets.describe import describe_model
from digitlab.model.preprocess.strokes import Stroke

TIMEOUT_MS = 60_000
SEVEN = [Stroke(np.array([[80.0, 70], [200, 70], [130, 230]]))]
CANVAS = (280.0, 280.0)


@pytest.fixture(scope="module")
def worker():
    """The worker's own code, run in the test thread (no QThread)."""
    calibration = np.zeros((2, 28, 28, 1), np.float32)
    w = InferenceWorker(core_factory=shared_core, calibration=calibration)
    w.core = shared_core()
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


class _GatedCore:
    """The shared core, except that once ``armed`` each drawing waits in ``run`` until the
    test opens ``gate``: the models are as slow as the test wants. Not a NumPy core, so the
    drawings go to the inference thread, whose mailbox is what is tested."""

    light = False

    def __init__(self, core):
        self._core = core
        self.armed = False
        self.entered = threading.Event()  # a drawing reached the models
        self.gate = threading.Event()

    def __getattr__(self, name):
        return getattr(self._core, name)

    def run(self, *args, **kwargs):
        if self.armed:
            self.entered.set()
            self.gate.wait(TIMEOUT_MS / 1000)  # bounded: a failing test must not hang
        return self._core.run(*args, **kwargs)


def _drawing(revision: int) -> list[Stroke]:
    return [Stroke(SEVEN[0].points + [revision, 0])]


def test_the_live_models_answer_only_the_newest_drawing(qtbot):
    core = _GatedCore(shared_core())
    live = LiveModels(core_factory=lambda: core)
    results = []
    live.result.connect(results.append)
    try:
        with qtbot.waitSignal(live.models_ready, timeout=TIMEOUT_MS):
            live.start()
        core.armed = True
        live.request(1, _drawing(1), CANVAS)
        qtbot.waitUntil(core.entered.is_set, timeout=TIMEOUT_MS)
        # The models are busy with drawing 1: a burst of 28 more drawings arrives meanwhile.
        for revision in range(2, 30):
            live.request(revision, _drawing(revision), CANVAS)
        core.gate.set()
        qtbot.waitUntil(lambda: bool(results) and results[-1].revision == 29, timeout=TIMEOUT_MS)
        revisions = [r.revision for r in results]
        assert revisions == sorted(revisions) and len(set(revisions)) == len(revisions)
        # Only the newest of the burst was answered after the first: not one by one.
        assert revisions == [1, 29]
        assert live.runs == 2
        # Clearing answers at once with the empty state and drops what is still pending.
        live.request(30, [], CANVAS)
        assert results[-1].revision == 30 and results[-1].empty
    finally:
        core.gate.set()
        live.stop()
    assert live.is_finished()
    live.stop()  # twice is fine
