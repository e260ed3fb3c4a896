"""``digitlab classify`` and ``evaluate`` answer through the NumPy path without importing
TensorFlow, and through TensorFlow for a model the NumPy path does not implement."""

import json
import subprocess
import sys

import pytest
from cli_support import run_cli
from model_support import dropout_model

from digitlab.model.data.bundled import METRICS_PATH

SEVEN = {"strokes": [[[60, 60], [200, 60], [120, 230]]], "canvas": [280, 280]}


def _classify_in_a_fresh_process(tmp_path, *extra):
    strokes = tmp_path / "s.jsonl"
    strokes.write_text(json.dumps(SEVEN) + "\n")
    return _in_a_fresh_process(["classify", "--strokes", str(strokes), *extra])


def _in_a_fresh_process(argv):
    """[exit code, stdout, whether TensorFlow was imported] of a command run in a new process."""
    code = (
        "import io, sys, json\n"
        "from digitlab.app.cli.commands import run\n"
        "from digitlab.app.cli.main import build_parser\n"
        f"args = build_parser().parse_args({argv!r})\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "rc = run(args, stdout=out, stderr=err)\n"
        "print(json.dumps([rc, out.getvalue(), 'tensorflow' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("model", [[], ["--model", "cnn"]])
def test_classify_answers_without_importing_tensorflow(tmp_path, model):
    rc, out, tensorflow = _classify_in_a_fresh_process(tmp_path, *model)
    assert rc == 0
    answer = json.loads(out)
    assert answer["cnn"]["label"] == 7
    assert tensorflow is False


@pytest.mark.slow
def test_classify_falls_back_to_tensorflow_for_a_layer_the_light_path_lacks(tmp_path):
    from digitlab.model.nets.model_files import save_model

    path = save_model(dropout_model(), tmp_path / "dropout.keras")
    strokes = tmp_path / "s.jsonl"
    strokes.write_text(json.dumps(SEVEN) + "\n")
    rc, out, err = run_cli(["classify", "--model", str(path), "--strokes", str(strokes)])
    assert rc == 0, err
    assert len(json.loads(out)["dropout"]["probabilities"]) == 10
    rc, out, tensorflow = _classify_in_a_fresh_process(tmp_path, "--model", str(path))
    assert rc == 0 and tensorflow is True


@pytest.mark.slow
def test_evaluate_scores_mnist_without_tensorflow_as_keras_did():
    rc, out, tensorflow = _in_a_fresh_process(["evaluate", "--json"])
    assert rc == 0 and tensorflow is False
    metrics = json.loads(METRICS_PATH.read_text())
    for name, result in json.loads(out)["models"].items():
        # metrics.json's accuracy was measured through Keras when the model was installed.
        assert result["accuracy"] == metrics[name]["test_accuracy"], name
        assert sum(map(sum, result["confusion"])) == 10_000


def test_classify_still_refuses_a_model_of_other_classes_with_the_same_words(tmp_path):
    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.model_files import save_model

    path = save_model(build("dense", num_classes=3), tmp_path / "three.keras")
    strokes = tmp_path / "s.jsonl"
    strokes.write_text(json.dumps(SEVEN) + "\n")
    rc, out, err = run_cli(["classify", "--model", str(path), "--strokes", str(strokes)])
    assert rc == 2
    assert "expected 10 classes" in err
