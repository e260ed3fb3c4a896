"""How well whole written numbers are read: ``digitlab read --strokes`` on the pen-numbers set.

Runs ``../shared/data/pen-numbers-dev.jsonl`` (600 numbers of 2-6 digits, each written by one
UNIPEN writer; evaluation only, never training, never copied into the repo) through
``digitlab read --strokes``, the path the Number mode uses, and prints per model: the share
read exactly, per length, how many were split wrongly (wrong digit count) and how many read
wrongly (right count, a digit misread or unknown), and the time per number. With
``--pictures N`` the first N numbers are also drawn as pictures (dark ink on white, 14-px
pen) and read through ``digitlab read IMAGE...``. The last line is a JSON summary.

    python benchmarks/numbers.py [--data PATH] [--model cnn|dense|PATH.keras] [--limit N]
                                 [--pictures N]
"""

# This file is named numbers.py, as the standard library's `numbers` module, which NumPy
# imports. Run as a script, its folder is sys.path[0]: the folder is dropped first. A sibling
# script (benchmarks/*.py, same sys.path[0]) that imports NumPy imports this file as
# `numbers`: it then puts the standard library's module in its place and defines nothing.
# os and sys are loaded before any script runs; nothing else is imported before this.
import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
_OURS = [p for p in sys.path if os.path.realpath(p or os.curdir) == _HERE]
if __name__ == "numbers":
    _path = list(sys.path)
    sys.path[:] = [p for p in sys.path if p not in _OURS]
    del sys.modules["numbers"]
    try:
        import numbers as _standard  # noqa: F401 (sys.modules["numbers"] is now the real one)
    finally:
        sys.path[:] = _path
else:
    sys.path[:] = [p for p in sys.path if p not in _OURS]

import argparse
import json
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pen-numbers-dev.jsonl"


def load(path: Path, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return rows[:limit] if limit else rows


def run_read(args: list[str], model: str | None) -> tuple[list[dict], float, float]:
    """``digitlab read ARGS`` in a fresh process: the parsed lines, the wall time and the
    CPU time it used, s (CPU time says more than wall time on a shared machine)."""
    import resource

    cmd = [sys.executable, "-m", "digitlab.app", "read", *args]
    if model:
        cmd += ["--model", model]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode not in (0, 2):
        sys.exit(f"read failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()], seconds, cpu


def read_strokes(rows: list[dict], model: str | None) -> tuple[list[dict], float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for row in rows:
            fh.write(json.dumps({"strokes": row["strokes"], "canvas": row["canvas"]}) + "\n")
        name = fh.name
    try:
        return run_read(["--strokes", name], model)
    finally:
        os.unlink(name)


def read_pictures(rows: list[dict], model: str | None) -> tuple[list[dict], float, float]:
    import numpy as np
    from PIL import Image

    from digitlab.model.preprocess.strokes import Stroke, rasterize

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for k, row in enumerate(rows):
            strokes = [Stroke(np.asarray(s, float), 14.0) for s in row["strokes"] if len(s)]
            ink = rasterize(strokes, row["canvas"])
            path = Path(folder) / f"{k:04d}.png"
            Image.fromarray(((1.0 - ink) * 255).astype(np.uint8)).save(path)
            paths.append(str(path))
        return run_read(paths, model)


def report(title: str, rows: list[dict], answers: list[dict], seconds: float, cpu: float) -> dict:
    import numpy as np  # here, not at the top: see the import guard above

    if len(answers) != len(rows):
        sys.exit(f"expected {len(rows)} answers, got {len(answers)}")
    labels = [r["label"] for r in rows]
    lengths = np.array([len(t) for t in labels])
    models = [k for k in answers[0] if k not in ("input", "error", "nothing_drawn")]
    per_number_ms = seconds / len(rows) * 1000
    cpu_ms = cpu / len(rows) * 1000
    print(
        f"\n=== {title}: {len(rows)} numbers, {per_number_ms:.1f} ms per number, "
        f"{cpu_ms:.1f} ms of CPU ({seconds:.1f} s in all, process start included; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    summary = {"ms_per_number": round(per_number_ms, 1), "cpu_ms_per_number": round(cpu_ms, 1)}
    for name in models:
        texts = [a.get(name, {}).get("text", "") for a in answers]
        counts = np.array([len(a.get(name, {}).get("digits", [])) for a in answers])
        exact = np.array([t == label for t, label in zip(texts, labels, strict=True)])
        split_wrong = counts != lengths
        read_wrong = ~exact & ~split_wrong
        unknown = sum("?" in t for t in texts)
        print(
            f"{name}: {exact.mean() * 100:.1f}% exact; split wrongly {int(split_wrong.sum())}, "
            f"read wrongly {int(read_wrong.sum())} (of them with a '?': {unknown})"
        )
        print(
            "  per length: "
            + ", ".join(
                f"{n}: {exact[lengths == n].mean() * 100:.1f}% of {int((lengths == n).sum())}"
                for n in sorted(set(lengths.tolist()))
            )
        )
        misses = Counter(
            (t, p)
            for label, text in zip(labels, texts, strict=True)
            if len(label) == len(text)
            for t, p in zip(label, text, strict=True)
            if t != p
        )
        print(
            "  digits misread (true->read x count): "
            + ", ".join(f"{t}->{p} x{c}" for (t, p), c in misses.most_common(8))
        )
        summary[name] = {
            "exact_percent": round(float(exact.mean()) * 100, 2),
            "split_wrong": int(split_wrong.sum()),
            "read_wrong": int(read_wrong.sum()),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", default=None, help="cnn, dense or a .keras file")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--pictures",
        type=int,
        default=0,
        metavar="N",
        help="also read the first N numbers drawn as pictures",
    )
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: not found (the pen-numbers dev set lives in ../shared/data)")
    rows = load(args.data, args.limit)
    result = {"strokes": report("strokes", rows, *read_strokes(rows, args.model))}
    if args.pictures:
        some = rows[: args.pictures]
        result["pictures"] = report(
            "pictures (14-px pen, dark on white)", some, *read_pictures(some, args.model)
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
