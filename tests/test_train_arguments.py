"""``digitlab train`` refuses every bad value up front, one line each, exit 2, before any
data is loaded or any model built; its outputs never replace a file unless asked."""

from __future__ import annotations

import json

import pytest
from cli_support import run_cli


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (["--seed", "-1"], "--seed must be a whole number 0..4,294,967,295, got -1"),
        (["--epochs", "-1"], "--epochs must be"),
        (["--epochs", "0"], "--epochs must be"),
        (["--batch-size", "-3"], "--batch-size must be"),
        (["--train-size", "0"], "--train-size must be"),
        (["--augmented-copies", "1000000"], "--augmented-copies must be"),
        (["--learning-rate", "-1"], "--learning-rate must be above 0"),
        (["--learning-rate", "nan"], "--learning-rate must be above 0"),
        (["--augment-share", "inf"], "--augment-share must be"),
    ],
)
def test_a_bad_training_argument_is_one_line_and_exit_2(tmp_path, extra, fragment, monkeypatch):
    monkeypatch.setattr(
        "digitlab.app.cli.train._training_data",
        lambda args: pytest.fail("the data was loaded before the arguments were checked"),
    )
    code, out, err = run_cli(
        ["train", "--model", "dense", "--out", str(tmp_path / "m.keras")] + extra
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_every_bad_argument_gets_its_own_line(tmp_path):
    code, _, err = run_cli(
        [
            "train",
            "--model",
            "dense",
            "--seed",
            "-1",
            "--epochs",
            "0",
            "--out",
            str(tmp_path / "m.keras"),
        ]
    )
    assert code == 2 and err.count("\n") == 2
    assert "--seed" in err.splitlines()[0] and "--epochs" in err.splitlines()[1]


def test_the_output_is_checked_before_the_run(tmp_path):
    missing = tmp_path / "no" / "m.keras"
    code, _, err = run_cli(["train", "--model", "dense", "--out", str(missing)])
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err
    existing = tmp_path / "m.keras"
    existing.write_bytes(b"my model")
    code, _, err = run_cli(["train", "--model", "dense", "--out", str(existing)])
    assert code == 2 and "exists; add --overwrite" in err and existing.read_bytes() == b"my model"
    teacher = tmp_path / "t.keras"
    teacher.write_bytes(b"teacher")
    code, _, err = run_cli(
        [
            "train",
            "--model",
            "dense",
            "--teacher",
            str(teacher),
            "--out",
            str(teacher),
            "--overwrite",
        ]
    )
    assert code == 2 and "is one of the inputs" in err and teacher.read_bytes() == b"teacher"


def test_an_unreadable_metrics_file_is_refused_not_written_over(tmp_path):
    metrics = tmp_path / "m.metrics.json"
    metrics.write_text("{my notes, not json")
    code, _, err = run_cli(["train", "--model", "dense", "--out", str(tmp_path / "m.keras")])
    assert code == 2 and err.count("\n") == 1 and "cannot be read" in err
    assert metrics.read_text() == "{my notes, not json"


def test_two_models_in_one_folder_keep_their_own_metrics(tmp_path):
    import numpy as np

    x = np.load("resources/mnist.npz")["x_test"][:200]
    y = np.load("resources/mnist.npz")["y_test"][:200]
    np.savez(tmp_path / "small.npz", x_train=x, y_train=y, x_test=x[:50], y_test=y[:50])
    for name in ("a", "b"):
        code, _, err = run_cli(
            [
                "train",
                "--model",
                "dense",
                "--epochs",
                "1",
                "--no-augment",
                "--data",
                str(tmp_path / "small.npz"),
                "--out",
                str(tmp_path / f"{name}.keras"),
            ]
        )
        assert code == 0, err
    for name in ("a", "b"):
        record = json.loads((tmp_path / f"{name}.metrics.json").read_text())
        assert record["dense"]["file"] == f"{name}.keras"
    assert not (tmp_path / "metrics.json").exists()
