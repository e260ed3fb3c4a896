"""The command line under bad input: every refused model, stroke line and dataset gives one
clear line (or one error line per input), exit code 2, and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest
from cli_support import run_cli

from digitlab.model.data.bundled import bundled_model_path

SEVEN = {"strokes": [[[60, 60], [200, 60], [120, 230]]], "canvas": [280, 280]}
ONE = {"strokes": [[[140, 40], [140, 240]]], "canvas": [280, 280], "label": 1}


def _tiny(input_shape=(28, 28, 1), outputs=10, lambda_layer=False, nan=False):
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    if lambda_layer:
        x = keras.layers.Lambda(lambda t: t * 2)(x)
    model = keras.Model(inputs, keras.layers.Dense(outputs, activation="softmax")(x))
    if nan:
        model.set_weights([np.full_like(w, np.nan) for w in model.get_weights()])
    return model


# Each bad model: how to make it, and a fragment of the reason the line must give.
BAD_MODELS = {
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "truncated": (
        lambda p: p.write_bytes(bundled_model_path("dense").read_bytes()[:5000]),
        "not a Keras model archive",
    ),
    "random-bytes": (
        lambda p: p.write_bytes(np.random.default_rng(0).bytes(4096)),
        "not a Keras model archive",
    ),
    "zip-without-config": (
        lambda p: zipfile.ZipFile(p, "w").writestr("model.weights.h5", b"x"),
        "no config.json",
    ),
    "renamed-png": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)),
        "not a Keras model archive",
    ),
    "lambda-layer": (
        lambda p: keras.saving.save_model(_tiny(lambda_layer=True), p),
        "contains code",
    ),
    "input-32x32x3": (
        lambda p: keras.saving.save_model(_tiny(input_shape=(32, 32, 3)), p),
        "expected (None, 28, 28, 1)",
    ),
    "five-outputs": (lambda p: keras.saving.save_model(_tiny(outputs=5), p), "5 outputs"),
    "nan-weights": (lambda p: keras.saving.save_model(_tiny(nan=True), p), "NaN"),
    "h5": (lambda p: p.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100)), "only .keras"),
}


@pytest.fixture(scope="module")
def bad_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-models")
    paths = {}
    for kind, (make, _) in BAD_MODELS.items():
        path = folder / (f"{kind}.h5" if kind == "h5" else f"{kind}.keras")
        make(path)
        paths[kind] = path
    (folder / "seven.jsonl").write_text(json.dumps(SEVEN) + "\n")
    return paths


@pytest.mark.parametrize("kind", list(BAD_MODELS))
@pytest.mark.parametrize("verb", ["classify", "evaluate"])
def test_a_refused_model_gives_one_line_naming_the_file_and_the_reason(bad_models, kind, verb):
    path = bad_models[kind]
    if verb == "classify":
        argv = ["classify", "--strokes", str(path.with_name("seven.jsonl")), "--model", str(path)]
    else:
        argv = ["evaluate", "--data", str(path.with_name("seven.jsonl")), "--model", str(path)]
        path.with_name("seven.jsonl").write_text(json.dumps({**SEVEN, "label": 7}) + "\n")
    code, out, err = run_cli(argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err and BAD_MODELS[kind][1] in err


@pytest.mark.slow
def test_the_installed_command_refuses_a_lambda_model_in_one_line(bad_models):
    path = bad_models["lambda-layer"]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "digitlab.app",
            "classify",
            "--strokes",
            str(path.with_name("seven.jsonl")),
            "--model",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", "HOME": str(path.parent)},
    )
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines == [line for line in lines if str(path) in line] and len(lines) == 1, proc.stderr
    assert "contains code" in proc.stderr


# --------------------------------------------------------------------------- strokes lines


@pytest.mark.parametrize(
    "line, reason",
    [
        ("{not json", "not JSON"),
        ("[1, 2, 3]", "must be an object"),
        ('"strokes"', "must be an object"),
        ('{"canvas": [280, 280]}', 'must be an object with "strokes"'),
        ('{"strokes": "abc"}', "list of strokes"),
        ('{"strokes": [[[0, NaN]]]}', "NaN or infinite"),
        ('{"strokes": [[[0, Infinity]]]}', "NaN or infinite"),
        ('{"strokes": [[[0, -Infinity], [1, 1]]]}', "NaN or infinite"),
        ('{"strokes": [[[0, 1e300]]]}', "beyond"),
        ('{"strokes": [[[0, 1, 2]]]}', "[x, y] points"),
        ('{"strokes": [[["a", "b"]]]}', "[x, y] numbers"),
        ('{"strokes": [[[1, 1]]], "canvas": [0, 0]}', "canvas"),
        ('{"strokes": [[[1, 1]]], "canvas": "big"}', "canvas"),
        (json.dumps({"strokes": [[[1, 1]] * 100_000]}), "more than"),
        (json.dumps({"strokes": [[[i % 280, i % 200] for i in range(1000)]] * 100}), "more than"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ],
    ids=[
        "not-json",
        "a-list",
        "a-string",
        "no-strokes",
        "strokes-not-a-list",
        "nan",
        "inf",
        "minus-inf",
        "huge",
        "three-coordinates",
        "strings",
        "zero-canvas",
        "canvas-string",
        "100000-points-one-stroke",
        "100000-points-in-strokes",
        "deep-nesting",
    ],
)
def test_a_bad_strokes_line_gets_an_error_line_and_its_neighbours_are_classified(
    tmp_path, line, reason
):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(SEVEN) + "\n" + line + "\n" + json.dumps(ONE) + "\n")
    code, out, err = run_cli(["classify", "--strokes", str(path), "--model", "dense"])
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and err == ""
    assert len(answers) == 3
    assert "dense" in answers[0] and "dense" in answers[2]
    assert set(answers[1]) == {"input", "error", "line"} and answers[1]["input"] == 2
    assert reason in answers[1]["error"]


@pytest.mark.parametrize(
    "strokes", [[], [[]], [[], []]], ids=["no-strokes", "one-empty", "two-empty"]
)
def test_empty_strokes_are_nothing_drawn_and_ask_no_model(tmp_path, strokes):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"strokes": strokes}) + "\n" + json.dumps(ONE) + "\n")
    code, out, _ = run_cli(["classify", "--strokes", str(path), "--model", "dense"])
    answers = [json.loads(line) for line in out.splitlines()]
    assert (
        code == 0
        and answers[0] == {"input": 1, "nothing_drawn": True}
        and answers[1]["dense"]["label"] == 1
    )


def test_a_strokes_file_that_is_not_text_is_one_line(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\xff\xfe\x00garbage\x80\x81\n")
    code, out, err = run_cli(["classify", "--strokes", str(path)])
    assert code == 2 and err.count("\n") == 1 and str(path) in err and "UTF-8" in err


# --------------------------------------------------------------------------- datasets


def _good(n=3):
    return {
        "x_train": np.zeros((n, 28, 28), np.uint8),
        "y_train": np.arange(n, dtype=np.uint8),
        "x_test": np.zeros((n, 28, 28), np.uint8),
        "y_test": np.arange(n, dtype=np.uint8),
    }


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda a: a.update(x_test=np.array([object()] * 3, dtype=object)), "pickled"),
        (lambda a: a.pop("y_test"), "missing arrays y_test"),
        (lambda a: a.update(images=a.pop("x_test")), "missing arrays x_test"),
        (lambda a: a.update(x_test=np.zeros((3, 28, 28), np.float64)), "dtype float64"),
        (lambda a: a.update(y_test=np.zeros(3, np.float32)), "expected integers"),
        (lambda a: a.update(x_test=np.zeros((3, 32, 32), np.uint8)), "expected (n, 28, 28)"),
        (lambda a: a.update(x_test=np.zeros((3, 784), np.uint8)), "expected (n, 28, 28)"),
        (lambda a: a.update(y_test=np.zeros((3, 1), np.uint8)), "expected (n,)"),
        (lambda a: a.update(x_test=np.full((3, 28, 28), np.nan, np.float32)), "NaN"),
        (lambda a: a.update(y_test=np.array([0, 1, 10], np.int64)), "labels 0..10"),
        (lambda a: a.update(y_test=np.array([-1, 1, 2], np.int64)), "labels -1..2"),
        (lambda a: a.update(y_test=np.array([0, 1], np.uint8)), "3 images but y_test 2 labels"),
        (
            lambda a: a.update(
                x_test=np.zeros((0, 28, 28), np.uint8), y_test=np.zeros(0, np.uint8)
            ),
            "no rows",
        ),
        (lambda a: a.update(x_test=np.zeros((), np.uint8)), "expected (n, 28, 28)"),
        (lambda a: a.update(x_test=np.array(["a", "b", "c"])), "expected (n, 28, 28)"),
    ],
    ids=[
        "pickle",
        "missing-key",
        "wrong-key",
        "float-pixels",
        "float-labels",
        "wrong-shape",
        "flat-images",
        "2d-labels",
        "nan",
        "label-10",
        "label-negative",
        "lengths-differ",
        "no-rows",
        "scalar",
        "strings",
    ],
)
def test_evaluate_refuses_a_bad_dataset_in_one_line(tmp_path, change, reason):
    arrays = _good()
    change(arrays)
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    code, out, err = run_cli(["evaluate", "--model", "dense", "--data", str(path)])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err and reason in err


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04", b"not a zip", bytes(range(256)) * 8])
def test_evaluate_refuses_a_file_that_is_not_an_npz(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    code, _, err = run_cli(["evaluate", "--data", str(path)])
    assert code == 2 and err.count("\n") == 1 and str(path) in err


def test_a_truncated_npz_is_refused(tmp_path):
    good = tmp_path / "good.npz"
    np.savez(good, **_good(50))
    data = good.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 10):
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(data[:cut])
        code, _, err = run_cli(["evaluate", "--data", str(path)])
        assert code == 2 and err.count("\n") == 1 and str(path) in err, err
