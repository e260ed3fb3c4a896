"""The live thread answers through the NumPy path from the start, without TensorFlow, and
turns to TensorFlow only for a model NumPy cannot run."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from model_support import dropout_model

from digitlab.app.live.inference_worker import InferenceWorker
from digitlab.model.preprocess.strokes import Stroke

SEVEN = [Stroke(np.array([[80.0, 70], [200, 70], [130, 230]]))]
CANVAS = (280.0, 280.0)


@pytest.mark.slow
def test_the_first_live_answer_needs_no_tensorflow():
    code = (
        "import sys, json, numpy as np\n"
        "from digitlab.app.live.inference_worker import InferenceWorker\n"
        "from digitlab.model.preprocess.strokes import Stroke\n"
        "w = InferenceWorker(); ready = []; w.models_ready.connect(ready.append); w.setup()\n"
        "r = w.answer(1, [Stroke(np.array([[80.0, 70], [200, 70], [130, 230]]))], (280, 280))\n"
        "print(json.dumps([type(w.core).__name__, sorted(ready[0]), "
        "int(r.probabilities['cnn'].argmax()), sorted(r.mosaics['cnn']), "
        "'tensorflow' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    core, ready, label, mosaics, tensorflow = json.loads(done.stdout.strip().splitlines()[-1])
    assert core == "LightCore" and ready == ["cnn", "dense"]
    assert label == 7
    assert mosaics == ["conv1", "conv2", "dense", "output", "pool1", "pool2"]
    assert tensorflow is False


@pytest.fixture
def worker():
    """A worker set up on the bundled models, run in the test thread (no QThread)."""
    w = InferenceWorker(calibration=np.zeros((2, 28, 28, 1), np.float32))
    w.setup()
    return w


def test_a_trained_model_swapped_in_keeps_the_numpy_path(worker):
    from digitlab.model.nets.architectures import build

    model = build("dense")
    errors = []
    worker._swap("dense", model, errors.append)
    assert errors == [None]
    assert getattr(worker.core, "light", False)
    want = model(np.zeros((1, 28, 28, 1), np.float32)).numpy()[0]
    got = worker.core.run(np.zeros((1, 28, 28), np.float32))["dense"].probabilities[0]
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_a_model_numpy_cannot_run_moves_the_live_set_to_tensorflow(worker):
    errors = []
    worker._swap("dense", dropout_model(), errors.append)
    assert errors == [None]
    assert not getattr(worker.core, "light", False)
    assert worker.core.names == ("cnn", "dense")
    result = worker.answer(2, SEVEN, CANVAS)
    assert int(result.probabilities["cnn"].argmax()) == 7
    assert "drop" in result.activations["dense"]


def test_the_live_answer_judges_each_model_by_its_stored_rule(worker):
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.known import KnownRule, stored_rule

    for name in ("cnn", "dense"):
        rule = worker.infos[name].known_rule
        assert rule == stored_rule(bundled_model_path(name)) and rule.temperature == 2.0
    result = worker.answer(1, SEVEN, CANVAS)
    for name, p in result.probabilities.items():
        assert result.known[name] == bool(worker.infos[name].known_rule.known(p))
    errors = []
    worker._swap("dense", build("dense"), errors.append)  # a model in memory: nothing stored
    assert errors == [None]
    assert worker.infos["dense"].known_rule == KnownRule()  # threshold 0.5 at temperature 1
