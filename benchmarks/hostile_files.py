"""Peak memory of every hostile-file case: each small file that declares far more than it
holds is handed to the real command line in a fresh process, and the process's peak resident
memory is read from the kernel (``wait4``'s ``ru_maxrss``).

Prints one line per case (exit code, peak MB, the refusal line) and, last, a JSON object with
the worst case. Bar: every case exits 2 with one line, the worst peak under 1,500 MB, and no
file left behind in the case's folder.

Run: ``.venv/bin/python benchmarks/hostile_files.py`` (about a minute on two cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_support import KERAS_CASES, NPZ_CASES, png_long_strip  # noqa: E402

SEVEN = '{"strokes": [[[60, 60], [200, 60], [120, 230]]], "canvas": [280, 280], "label": 7}\n'


def _long_stroke_line(path: Path) -> Path:
    """A 100 MB strokes line between two good ones."""
    with open(path, "w") as fh:
        fh.write(SEVEN)
        fh.write('{"strokes": [[' + "[1, 1], " * 12_500_000 + "[1, 1]]]}\n")
        fh.write(SEVEN)
    return path


def _cases(folder: Path) -> dict[str, list[str]]:
    strokes = folder / "seven.jsonl"
    strokes.write_text(SEVEN)
    cases = {}
    for name, (make, _) in KERAS_CASES.items():
        model = make(folder / f"{name}.keras")
        cases[f"keras {name}"] = ["classify", "--model", str(model), "--strokes", str(strokes)]
        cases[f"keras {name} (evaluate, TensorFlow)"] = [
            "evaluate",
            "--model",
            str(model),
            "--data",
            str(strokes),
        ]
    for name, (make, _) in NPZ_CASES.items():
        cases[name] = ["evaluate", "--model", "dense", "--data", str(make(folder / f"{name}.npz"))]
    cases["png 40,000,000x1"] = ["classify", str(png_long_strip(folder / "strip.png"))]
    cases["strokes line of 100 MB"] = [
        "classify",
        "--model",
        "dense",
        "--strokes",
        str(_long_stroke_line(folder / "long.jsonl")),
    ]
    cases["strokes /dev/zero"] = ["classify", "--strokes", "/dev/zero"]
    cases["train --learning-rate -1"] = ["train", "--model", "dense", "--learning-rate", "-1"]
    return cases


def _run(argv: list[str], cwd: Path) -> tuple[int, float, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.Popen(
        [sys.executable, "-m", "digitlab.app", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, err


def main() -> int:
    worst = ("", 0.0)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = _cases(folder)
        before = sorted(p.name for p in folder.iterdir())
        for name, argv in cases.items():
            code, peak, err = _run(argv, folder)
            lines = [line for line in err.splitlines() if line.strip()]
            first = lines[0] if lines else ""
            print(f"{name:<45} exit {code}  peak {peak:7.0f} MB  {first[:110]}")
            if code != 2 or "Traceback" in err:
                failures.append(name)
            if peak > worst[1]:
                worst = (name, peak)
        left = sorted({p.name for p in folder.iterdir()} - set(before))
    result = {
        "cases": len(cases),
        "worst_case": worst[0],
        "worst_peak_mb": round(worst[1]),
        "not_refused": failures,
        "left_behind": left,
        "pass": worst[1] < 1500 and not failures and not left,
    }
    print(json.dumps(result))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
