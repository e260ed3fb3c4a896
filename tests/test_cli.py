"""The command line: one JSON line per input, the canvas's own pipeline, clear errors, exit
codes."""

import json
import subprocess
import sys

import numpy as np
import pytest
from cli_support import run_cli
from PIL import Image

from digitlab.model.nets.inference import InferenceCore
from digitlab.model.preprocess.strokes import strokes_to_input

SEVEN = {"strokes": [[[60, 60], [200, 60], [120, 230]]], "canvas": [280, 280]}
ONE = {"strokes": [[[140, 40], [140, 240]]], "canvas": [280, 280], "label": 1}


def _write_lines(path, lines):
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    return path


def test_classify_strokes_prints_one_answer_per_line_for_both_models(tmp_path):
    code, out, err = run_cli(
        ["classify", "--strokes", str(_write_lines(tmp_path / "s.jsonl", [SEVEN, ONE]))]
    )
    assert code == 0, err
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == 2
    for answer in answers:
        assert set(answer) == {"input", "cnn", "dense"}
        for model in (answer["cnn"], answer["dense"]):
            assert len(model["probabilities"]) == 10
            assert model["label"] == int(np.argmax(model["probabilities"]))
            assert abs(sum(model["probabilities"]) - 1) < 1e-4


def test_classify_uses_exactly_the_canvas_pipeline(tmp_path):
    _, out, _ = run_cli(
        [
            "classify",
            "--strokes",
            str(_write_lines(tmp_path / "s.jsonl", [SEVEN])),
            "--model",
            "cnn",
        ]
    )
    expected = InferenceCore().probabilities(
        strokes_to_input(SEVEN["strokes"], SEVEN["canvas"]).image[None]
    )["cnn"][0]
    got = json.loads(out)["cnn"]["probabilities"]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_bad_stroke_lines_get_an_error_line_and_the_rest_are_still_classified(tmp_path):
    lines = [
        SEVEN,
        "{not json",
        {"canvas": [280, 280]},
        {"strokes": [[[0, float("nan")]]]},
        {"strokes": [[[1, 1]] * 100_000]},
        ONE,
    ]
    path = tmp_path / "s.jsonl"
    path.write_text(
        "\n".join(
            line if isinstance(line, str) else json.dumps(line).replace("NaN", "NaN")
            for line in lines
        )
        + "\n"
    )
    code, out, _ = run_cli(["classify", "--strokes", str(path), "--model", "dense"])
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [("error" in a) for a in answers] == [False, True, True, True, True, False]
    assert [a["line"] for a in answers if "error" in a] == [2, 3, 4, 5]


def test_an_empty_drawing_says_nothing_drawn_and_gets_no_prediction(tmp_path):
    code, out, _ = run_cli(
        ["classify", "--strokes", str(_write_lines(tmp_path / "s.jsonl", [{"strokes": []}]))]
    )
    assert code == 0 and json.loads(out) == {"input": 1, "nothing_drawn": True}


def test_classify_images_reports_the_bad_one_and_classifies_the_rest(tmp_path):
    img = np.full((64, 64), 255, np.uint8)
    img[10:54, 30:34] = 0  # a dark "1" on white paper
    Image.fromarray(img).save(tmp_path / "a.png")
    Image.fromarray(img).save(tmp_path / "c.png")
    (tmp_path / "bad.png").write_bytes(b"this is not a png")
    code, out, err = run_cli(
        ["classify", str(tmp_path / "a.png"), str(tmp_path / "bad.png"), str(tmp_path / "c.png")]
    )
    assert code == 2
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["input"] for a in answers] == [
        str(tmp_path / "a.png"),
        str(tmp_path / "bad.png"),
        str(tmp_path / "c.png"),
    ]
    assert [("error" in a) for a in answers] == [False, True, False]
    assert err.count("\n") == 1 and "bad.png" in err


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["classify", "--strokes", "/no/such/file.jsonl"], "/no/such/file.jsonl"),
        (["classify", "--strokes", "x.jsonl", "--model", "/no/model.keras"], "/no/model.keras"),
        (["classify", "--strokes", "x.jsonl", "--model", "model.h5"], "only .keras"),
        (["evaluate", "--data", "/no/data.npz"], "/no/data.npz"),
        (["train", "--model", "cnn", "--out", "model.h5"], "must end in .keras"),
    ],
)
def test_wrong_files_give_one_line_on_stderr_and_exit_2(tmp_path, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    _write_lines(tmp_path / "x.jsonl", [SEVEN])
    code, _, err = run_cli(argv)
    assert code == 2
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_evaluate_prints_accuracy_and_the_confusion_matrix(tmp_path):
    x = np.load("resources/mnist.npz")["x_test"][:100]
    y = np.load("resources/mnist.npz")["y_test"][:100]
    np.savez(tmp_path / "small.npz", x_train=x, y_train=y, x_test=x, y_test=y)
    code, out, _ = run_cli(["evaluate", "--data", str(tmp_path / "small.npz"), "--json"])
    report = json.loads(out)
    assert code == 0
    for result in report["models"].values():
        assert 0.8 < result["accuracy"] <= 1.0
        assert np.sum(result["confusion"]) == 100


def test_evaluate_reads_labelled_stroke_files(tmp_path):
    code, out, _ = run_cli(
        [
            "evaluate",
            "--model",
            "cnn",
            "--data",
            str(_write_lines(tmp_path / "d.jsonl", [ONE])),
            "--json",
        ]
    )
    assert code == 0 and np.sum(json.loads(out)["models"]["cnn"]["confusion"]) == 1


def test_the_installed_command_exits_2_without_a_traceback_on_a_bad_argument():
    proc = subprocess.run(
        [sys.executable, "-m", "digitlab.app", "classify", "--bogus"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.slow
def test_train_learns_from_several_teachers_and_records_them_with_the_copies(tmp_path):
    small = tmp_path / "small.npz"
    with np.load("resources/mnist.npz") as mnist:
        np.savez(
            small,
            x_train=mnist["x_train"][:128],
            y_train=mnist["y_train"][:128],
            x_test=mnist["x_test"][:100],
            y_test=mnist["y_test"][:100],
        )
    teachers = ["resources/models/cnn.keras", "resources/models/dense.keras"]
    out = tmp_path / "student.keras"
    code, stdout, err = run_cli(
        [
            "train",
            "--model",
            "dense",
            "--epochs",
            "1",
            "--data",
            str(small),
            "--augmented-copies",
            "1",
            "--teacher",
            *teachers,
            "--out",
            str(out),
        ]
    )
    assert code == 0, err
    assert out.exists() and "test accuracy" in stdout
    record = json.loads((tmp_path / "student.metrics.json").read_text())["dense"]
    assert record["teacher"] == " + ".join(teachers)
    assert record["recipe"]["augmented_copies"] == 1 and record["recipe"]["distill"] == 0.7


def test_train_refuses_zero_augmented_copies(tmp_path):
    code, _, err = run_cli(
        ["train", "--model", "dense", "--augmented-copies", "0", "--out", str(tmp_path / "m.keras")]
    )
    assert code == 2 and "--augmented-copies" in err and err.count("\n") == 1


def test_inputs_gathered_in_blocks_come_back_in_order():
    from digitlab.app.cli.common import InputBlocks

    blocks = InputBlocks()
    assert blocks.array().shape == (0, 28, 28)
    images = np.random.default_rng(0).random((InputBlocks.BLOCK + 3, 28, 28), np.float32)
    assert [blocks.add(im) for im in images] == list(range(len(images)))
    np.testing.assert_array_equal(blocks.array(), images)
