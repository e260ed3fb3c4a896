"""``digitlab read``: one JSON line per drawing or picture of a number, in the issue's format,
and bad inputs each named in one line with exit code 2 while the others are still read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_support import run_cli
from PIL import Image

from digitlab.model.preprocess.strokes import Stroke, rasterize
from digitlab.model.segment.written import number_paths

CANVAS = [900, 300]


def _record(text: str) -> dict:
    return {"strokes": number_paths(text, CANVAS), "canvas": CANVAS, "label": text}


def _picture(tmp_path, text: str):
    strokes = [Stroke(np.asarray(s, float), 14.0) for s in number_paths(text, CANVAS)]
    ink = rasterize(strokes, CANVAS)
    path = tmp_path / f"{text}.png"
    Image.fromarray(((1.0 - ink) * 255).astype(np.uint8)).save(path)  # dark on light
    return path


def test_read_strokes_prints_each_number_as_both_models_read_it(tmp_path):
    lines = tmp_path / "numbers.jsonl"
    lines.write_text("\n".join(json.dumps(_record(t)) for t in ("2026", "407")) + "\n")
    code, out, err = run_cli(["read", "--strokes", str(lines)])
    assert code == 0, err
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["input"] for a in answers] == [f"{lines}:1", f"{lines}:2"]
    assert [a["cnn"]["text"] for a in answers] == ["2026", "407"]
    assert [a["dense"]["text"] for a in answers] == ["2026", "407"]
    digit = answers[0]["cnn"]["digits"][0]
    assert set(answers[0]) == {"input", "cnn", "dense"}
    assert set(digit) == {"label", "probabilities", "known", "box"}
    assert digit["label"] == 2 and digit["known"] is True and len(digit["probabilities"]) == 10
    boxes = [d["box"] for d in answers[0]["cnn"]["digits"]]
    assert all(0 <= x0 < x1 <= 900 and 0 <= y0 < y1 <= 300 for x0, y0, x1, y1 in boxes)
    assert boxes == sorted(boxes)


def test_read_pictures_of_numbers(tmp_path):
    path = _picture(tmp_path, "407")
    code, out, err = run_cli(["read", str(path), "--model", "cnn"])
    assert code == 0, err
    answer = json.loads(out)
    assert answer["input"] == str(path)
    assert answer["cnn"]["text"] == "407"
    assert "dense" not in answer


def test_each_bad_input_is_named_in_one_line_and_the_rest_are_read(tmp_path):
    lines = tmp_path / "numbers.jsonl"
    lines.write_text(
        json.dumps(_record("12"))
        + "\nnot json\n"
        + json.dumps({"strokes": [[[0, "x"]]], "canvas": CANVAS})
        + "\n"
    )
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    good = _picture(tmp_path, "36")
    code, out, err = run_cli(["read", "--strokes", str(lines), str(broken), str(good)])
    assert code == 2
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["input"] for a in answers] == [
        f"{lines}:1",
        f"{lines}:2",
        f"{lines}:3",
        str(broken),
        str(good),
    ]
    assert answers[0]["cnn"]["text"] == "12" and answers[4]["cnn"]["text"] == "36"
    assert all("error" in a for a in answers[1:4])
    errors = err.strip().splitlines()
    assert len(errors) == 3
    assert errors[0].startswith(f"{lines}:2") and errors[1].startswith(f"{lines}:3")
    assert errors[2].startswith(str(broken))
    assert "Traceback" not in err


def test_an_empty_drawing_reads_as_nothing_drawn(tmp_path):
    lines = tmp_path / "empty.jsonl"
    lines.write_text(json.dumps({"strokes": [], "canvas": CANVAS}) + "\n")
    code, out, _ = run_cli(["read", "--strokes", str(lines)])
    answer = json.loads(out)
    assert code == 0 and answer["nothing_drawn"] is True
    assert answer["cnn"] == {"text": "", "digits": []}


def test_read_without_inputs_or_with_a_missing_file_says_so_in_one_line(tmp_path):
    code, out, err = run_cli(["read"])
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    missing = tmp_path / "missing.jsonl"
    code, out, err = run_cli(["read", "--strokes", str(missing)])
    assert code == 2 and str(missing) in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_read_answers_without_importing_tensorflow(tmp_path):
    lines = tmp_path / "numbers.jsonl"
    lines.write_text(json.dumps(_record("58")) + "\n")
    code = (
        "import io, sys, json\n"
        "from digitlab.app.cli.commands import run\n"
        "from digitlab.app.cli.main import build_parser\n"
        f"args = build_parser().parse_args(['read', '--strokes', {str(lines)!r}])\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "rc = run(args, stdout=out, stderr=err)\n"
        "print(json.dumps([rc, out.getvalue(), 'tensorflow' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    rc, out, tensorflow = json.loads(done.stdout.strip().splitlines()[-1])
    assert rc == 0 and json.loads(out)["cnn"]["text"] == "58"
    assert tensorflow is False


BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_numbers_benchmark_does_not_hide_the_standard_librarys_numbers_module(tmp_path):
    # A sibling script (sys.path[0] = benchmarks/) importing NumPy gets the real `numbers`.
    sibling = f"import sys; sys.path.insert(0, {str(BENCHMARKS)!r}); import numpy, numbers; "
    sibling += "print(numbers.Integral.__module__)"
    done = subprocess.run([sys.executable, "-c", sibling], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "numbers"
    # Run as a script, it reaches its own argument checks.
    missing = tmp_path / "missing.jsonl"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "numbers.py"), "--data", str(missing)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "not found" in done.stderr
