"""``--strokes`` lines preprocessed by worker processes give what one process gives, in order.

The worker runs happen in a fresh interpreter (a subprocess), as for a user's command: this
test process may have TensorFlow and Qt threads, which are not forked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

from digitlab.app.cli.common import preprocess_stroke_record
from digitlab.app.cli.parallel_lines import SEQUENTIAL_LINES, preprocessed_lines
from digitlab.model.preprocess.frame import PreprocessError

LINES = 300


def _records(count: int) -> list[tuple[int, object]]:
    """``(line number, record)`` pairs as ``stroke_lines`` gives them: drawings of several
    shapes, nothing drawn, a line that is not JSON and one without strokes."""
    rng = np.random.default_rng(7)
    out: list[tuple[int, object]] = []
    for n in range(1, count + 1):
        if n % 50 == 0:
            out.append((n, PreprocessError("not JSON (Expecting value)")))
        elif n % 37 == 0:
            out.append((n, {"canvas": [280, 280]}))
        elif n % 29 == 0:
            out.append((n, {"strokes": [], "canvas": [280, 280]}))
        else:
            t = np.linspace(0, 2 * np.pi * rng.uniform(0.3, 1.0), 30)
            r = rng.uniform(20, 100)
            points = np.stack([140 + r * np.cos(t), 140 + r * np.sin(t) * rng.uniform(0.5, 2)], 1)
            out.append((n, {"strokes": [points.round(2).tolist()], "canvas": [280, 280]}))
    return out


def _run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def test_workers_give_the_same_inputs_errors_and_order_as_one_process(tmp_path):
    records = tmp_path / "records.json"
    records.write_text(
        json.dumps([[n, r if not isinstance(r, Exception) else str(r)] for n, r in _records(LINES)])
    )
    done = _run_python(
        """
        import json, os, sys
        import numpy as np
        from digitlab.app.cli.common import preprocess_stroke_record
        from digitlab.app.cli.parallel_lines import preprocessed_lines
        from digitlab.model.preprocess.frame import PreprocessError

        def tagged(record):
            return preprocess_stroke_record(record), os.getpid()

        def broken(record):
            raise RuntimeError("a bug, not a bad drawing")

        pairs = [
            (n, PreprocessError(r) if isinstance(r, str) else r)
            for n, r in json.load(open(sys.argv[1]))
        ]
        one = list(preprocessed_lines(pairs, tagged, workers=1))
        two = list(preprocessed_lines(pairs, tagged, workers=2))
        assert [n for n, _ in one] == [n for n, _ in pairs] == [n for n, _ in two]
        for (_, a), (_, b) in zip(one, two):
            if isinstance(a, PreprocessError):
                assert type(b) is PreprocessError and str(a) == str(b), (a, b)
            elif a[0] is None:
                assert b[0] is None
            else:
                assert a[0].dtype == b[0].dtype and np.array_equal(a[0], b[0])
        pids = {o[1] for _, o in two if not isinstance(o, PreprocessError)}
        assert os.getpid() not in pids and len(pids) == 2, pids
        try:
            list(preprocessed_lines(pairs, broken, workers=2))
        except RuntimeError as exc:
            assert "a bug" in str(exc)
        else:
            raise AssertionError("the worker's exception was lost")
        print("ok")
        """,
        str(records),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def _tagged(record):
    return preprocess_stroke_record(record), os.getpid()


def test_a_short_input_is_preprocessed_here():
    pairs = _records(SEQUENTIAL_LINES)
    outcomes = list(preprocessed_lines(pairs, _tagged, workers=2))
    assert [n for n, _ in outcomes] == [n for n, _ in pairs]
    assert {o[1] for _, o in outcomes if not isinstance(o, PreprocessError)} == {os.getpid()}


def test_classify_of_many_lines_answers_each_line_in_order_naming_it(tmp_path):
    path = tmp_path / "drawings.jsonl"
    lines = []
    for n, record in _records(LINES):
        lines.append("{not json" if isinstance(record, Exception) else json.dumps(record))
        if n == 100:
            lines.append("")  # a blank line is skipped, yet counted
    path.write_text("\n".join(lines) + "\n")
    done = _run_python(
        "from digitlab.app.cli.main import main; raise SystemExit(main())",
        "classify",
        "--strokes",
        str(path),
    )
    assert done.returncode == 2, done.stderr[-3000:]  # the bad lines
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    expected = [n if n <= 100 else n + 1 for n in range(1, LINES + 1)]
    assert [a["input"] for a in answers] == expected
    for n, answer in zip(range(1, LINES + 1), answers, strict=True):
        if n % 50 == 0 or n % 37 == 0:
            assert "error" in answer and answer["line"] == answer["input"]
        elif n % 29 == 0:
            assert answer.get("nothing_drawn") is True
        else:
            assert set(answer) == {"input", "cnn", "dense"}
            assert abs(sum(answer["cnn"]["probabilities"]) - 1) < 1e-4
