"""One answer per input, in order, naming it; every bad value one line and exit 2."""

from __future__ import annotations

import json

import pytest
from cli_support import run_cli

SEVEN = {"strokes": [[[60, 60], [200, 60], [120, 230]]], "canvas": [280, 280], "label": 7}


def test_a_canvas_of_a_denormal_size_is_one_error_line_and_the_rest_answered(tmp_path):
    path = tmp_path / "s.jsonl"
    lines = [SEVEN, {**SEVEN, "canvas": [5e-324, 5e-324]}, SEVEN]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = run_cli(["classify", "--strokes", str(path), "--model", "dense"])
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and [a["input"] for a in answers] == [1, 2, 3]
    assert "canvas size" in answers[1]["error"] and "dense" in answers[2]


@pytest.mark.parametrize("label", ['"x"', "null", "[]", "1e400", "10", "1e20", "-1", "1.5", "true"])
def test_evaluate_refuses_a_label_that_is_not_a_digit_in_one_line(tmp_path, label):
    path = tmp_path / "s.jsonl"
    good = json.dumps(SEVEN)
    bad = json.dumps({**SEVEN, "label": 0}).replace('"label": 0', f'"label": {label}')
    path.write_text(f"{good}\n{bad}\n{good}\n")
    code, out, err = run_cli(["evaluate", "--model", "dense", "--data", str(path), "--json"])
    assert code == 2 and "Traceback" not in err
    assert err.count("\n") == 1 and "line 2: label must be a whole number 0-9" in err
    report = json.loads(out)
    assert report["skipped_lines"] == [2] and "(2 drawings)" in report["data"]


def test_a_line_longer_than_the_limit_is_one_error_and_never_held(tmp_path, monkeypatch):
    monkeypatch.setattr("digitlab.model.limits.MAX_LINE_CHARS", 1000)
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(SEVEN) + "\n" + "[" * 5000 + "\n" + json.dumps(SEVEN) + "\n")
    code, out, _ = run_cli(["classify", "--strokes", str(path), "--model", "dense"])
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and [a["input"] for a in answers] == [1, 2, 3]
    assert "longer than 1,000" in answers[1]["error"]


def test_a_device_is_refused_as_strokes_without_reading_it():
    code, out, err = run_cli(["classify", "--strokes", "/dev/zero"])
    assert code == 2 and out == "" and err.count("\n") == 1 and "not a regular file" in err


def test_a_byte_order_mark_does_not_fail_line_one(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(SEVEN).encode() + b"\n")
    code, out, err = run_cli(["classify", "--strokes", str(path), "--model", "dense"])
    assert code == 0, err
    assert json.loads(out)["dense"]["label"] == 7


def test_a_model_answering_nan_is_reported_for_that_input_never_printed_as_nan(
    tmp_path, monkeypatch
):
    import numpy as np

    from digitlab.app.cli import classify as classify_module

    class NanCore:
        def probabilities(self, x):
            return {"broken": np.full((len(x), 10), np.nan, np.float32)}

    monkeypatch.setattr(classify_module, "inference_core", lambda *a, **k: NanCore())
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(SEVEN) + "\n")
    code, out, _ = run_cli(["classify", "--strokes", str(path)])
    assert code == 2 and "NaN" not in out.replace("(NaN or infinite)", "")
    assert json.loads(out) == {
        "input": 1,
        "broken": {"error": "the model's answer is not finite (NaN or infinite)"},
    }


def test_a_data_folder_that_is_a_file_is_one_line_before_any_window(tmp_path, capsys):
    from digitlab.app.cli import main as cli_main

    target = tmp_path / "data"
    target.write_text("my file")
    assert "is a file, not a folder" in cli_main.data_folder_problem(
        {"DIGITLAB_DATA_DIR": str(target)}
    )
    assert cli_main.data_folder_problem({"DIGITLAB_DATA_DIR": str(tmp_path / "new")}) is None
    assert target.read_text() == "my file"


def test_read_never_prints_nan_for_a_model_answering_nan(tmp_path, monkeypatch):
    import numpy as np

    from digitlab.app.cli import read as read_module

    class NanCore:
        names = ("broken",)

        def probabilities(self, x):
            return {"broken": np.full((len(x), 10), np.nan, np.float32)}

        def num_classes(self, name):
            return 10

    monkeypatch.setattr(read_module, "inference_core", lambda *a, **k: NanCore())
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(SEVEN) + "\n")
    code, out, err = run_cli(["read", "--strokes", str(path)])
    assert code == 2 and "NaN" not in out.replace("(NaN or infinite)", "")
    assert json.loads(out)["error"].startswith("a model's answer is not finite")
    assert err.count("\n") == 1


def test_a_default_data_folder_that_cannot_be_made_is_one_line_not_a_traceback(
    qtbot, monkeypatch, capsys
):
    from digitlab.app import storage
    from digitlab.app.cli import gui

    def blocked():
        raise FileExistsError(17, "File exists", "/home/me/.local/share/Digit Lab")

    monkeypatch.setattr(storage, "app_data_dir", blocked)
    assert gui.run_gui(process_start=0.0) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "data folder cannot be used" in err and "Digit Lab" in err
