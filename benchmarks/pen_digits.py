"""How well the whole canvas pipeline reads real pen-drawn digits (not MNIST).

Runs ``../shared/data/pen-digits-dev.jsonl`` (UNIPEN tablet digits: evaluation only, never
training, never copied into the repo) through ``digitlab classify --strokes``, the exact path
the canvas uses, twice: as recorded (longer side 196 px, centred in 280x280), and re-drawn at
a random size (longer side 70..250 px) and place on the canvas, as users draw.

Prints accuracy per model, per source and per digit, the most confused pairs, and as its last
line a JSON object with the headline numbers.

    python benchmarks/pen_digits.py [--data PATH] [--model cnn|dense|PATH.keras] [--limit N]
                                    [--write-counts resources/models/pen_dev.json]

``--write-counts`` stores the error counts of the varied run (counts only, no digits) where the
Explain tab's "At scale" panel reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pen-digits-dev.jsonl"
CANVAS = 280


def load(path: Path, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return rows[:limit] if limit else rows


def replace_randomly(rows: list[dict], seed: int = 0) -> list[dict]:
    """Each drawing scaled so its longer side is 70..250 px, moved anywhere on the canvas."""
    rng = np.random.default_rng(seed)
    out = []
    for row in rows:
        pts = np.vstack([np.asarray(s, float) for s in row["strokes"] if len(s)])
        lo, hi = pts.min(0), pts.max(0)
        extent = max(float((hi - lo).max()), 1e-6)
        side = rng.uniform(70, 250)
        scale = side / extent
        size = (hi - lo) * scale
        margin = 6.0
        free = np.maximum(CANVAS - size - 2 * margin, 0)
        offset = margin + rng.uniform(0, 1, 2) * free
        strokes = [
            ((np.asarray(s, float) - lo) * scale + offset).round(1).tolist()
            for s in row["strokes"]
            if len(s)
        ]
        out.append({**row, "strokes": strokes, "canvas": [CANVAS, CANVAS]})
    return out


def classify(rows: list[dict], model: str | None) -> list[dict]:
    """Run ``digitlab classify --strokes`` on the rows; one parsed answer per row."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for row in rows:
            fh.write(json.dumps({"strokes": row["strokes"], "canvas": row["canvas"]}) + "\n")
        name = fh.name
    try:
        cmd = [sys.executable, "-m", "digitlab.app", "classify", "--strokes", name]
        if model:
            cmd += ["--model", model]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    finally:
        os.unlink(name)
    if proc.returncode not in (0, 2):
        sys.exit(f"classify failed ({proc.returncode}): {proc.stderr[-2000:]}")
    answers = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if len(answers) != len(rows):
        sys.exit(f"expected {len(rows)} answers, got {len(answers)}")
    return answers


def report(title: str, rows: list[dict], answers: list[dict], counts: dict | None = None) -> dict:
    """Print the accuracy tables; ``counts`` (if given) receives {model: {errors, total}}."""
    labels = np.array([r["label"] for r in rows])
    sources = np.array([r.get("source", "?") for r in rows])
    models = [k for k in answers[0] if k not in ("input", "error", "line", "nothing_drawn")]
    summary = {}
    print(f"\n=== {title}: {len(rows)} drawings")
    for name in models:
        pred = np.array([a[name]["label"] if name in a else -1 for a in answers])
        ok = pred == labels
        summary[name] = round(float(ok.mean()) * 100, 2)
        if counts is not None:
            counts[name] = {"errors": int((~ok).sum()), "total": int(len(ok))}
        print(f"{name}: {ok.mean() * 100:.2f}%")
        by_source = {s: ok[sources == s].mean() * 100 for s in sorted(set(sources))}
        print("  per source: " + ", ".join(f"{s} {v:.1f}%" for s, v in by_source.items()))
        print(
            "  per digit:  "
            + ", ".join(f"{d}: {ok[labels == d].mean() * 100:.1f}" for d in range(10))
        )
        pairs = Counter((int(t), int(p)) for t, p in zip(labels[~ok], pred[~ok], strict=True))
        print(
            "  most confused (true->pred x count): "
            + ", ".join(f"{t}->{p} x{c}" for (t, p), c in pairs.most_common(8))
        )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--model", default=None, help="cnn, dense or a .keras file (default: both bundled)"
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--write-counts",
        type=Path,
        default=None,
        metavar="JSON",
        help="write the varied run's error counts here (pen_dev.json)",
    )
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: not found (the pen-drawn dev set lives in ../shared/data)")
    rows = load(args.data, args.limit)
    result = {
        "as_recorded": report("as recorded (196 px, centred)", rows, classify(rows, args.model))
    }
    varied = replace_randomly(rows, args.seed)
    counts: dict = {}
    result["varied"] = report(
        "varied size 70-250 px and place", varied, classify(varied, args.model), counts
    )
    if args.write_counts is not None:
        _write_counts(args.write_counts, counts, len(rows))
    print(json.dumps(result))


def _write_counts(path: Path, counts: dict, total: int) -> None:
    about = (
        f"Errors of the bundled models on the {total:,} pen-drawn UNIPEN dev digits, redrawn "
        "at a random size (70-250 px) and place, through the canvas pipeline (written by "
        "python benchmarks/pen_digits.py --write-counts; README 'How well does it read "
        "handwriting?'). Counts only; the digits themselves are never copied here."
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"about": about, "models": counts}, indent=2) + "\n", "utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
