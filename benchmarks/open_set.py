"""Does each model say "not a digit" to letters and symbols, and still read real digits?

Runs ``../shared/data/pen-digits-dev.jsonl`` (re-drawn at a random size, 70..250 px, and place,
as ``benchmarks/pen_digits.py`` does) and ``../shared/data/pen-nondigits-dev.jsonl`` (2,000
letters and symbols from the same writers, already drawn at varied sizes and places) through
``digitlab classify --strokes``, the canvas's path, and prints per model:

- digits: plain accuracy, accepted (``known``) and read right, refused;
- non-digits: refused (``known`` false), overall and per UNIPEN category;
- the curve of the two over the threshold (from the same answers' probabilities).

The dev sets are for measuring only: never trained on, never copied into the repository.

    python benchmarks/open_set.py [--model cnn|dense|PATH.keras] [--limit N]
                                  [--write-thresholds [--keep-share 0.995]]

``--write-thresholds`` chooses each bundled model's threshold so that it keeps ``--keep-share``
of the last 10,000 MNIST training digits (never the dev sets), and its threshold for a piece of
a written number so that it keeps ``NUMBER_KEEP_SHARE`` of them, and writes both, with what
they were chosen on, into ``resources/models/metrics.json`` before measuring. The last line
printed is a JSON object with the headline numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pen_digits import DEFAULT_DATA, classify, load, replace_randomly

DEFAULT_NONDIGITS = DEFAULT_DATA.with_name("pen-nondigits-dev.jsonl")
CURVE = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
CHOSEN_ON = (
    "MNIST training split, images 50,000-59,999 (pixels / 255): the highest top-probability "
    "threshold that keeps {keep:.2%} of them known (benchmarks/open_set.py --write-thresholds)"
)


def _models(answers: list[dict]) -> list[str]:
    keys = set()
    for a in answers:
        keys |= {k for k, v in a.items() if isinstance(v, dict)}
    return sorted(keys)


def _arrays(answers: list[dict], name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(label, top probability, known) per answer; a drawing with no answer counts refused."""
    label = np.array([a[name]["label"] if name in a else -1 for a in answers])
    top = np.array([max(a[name]["probabilities"]) if name in a else 0.0 for a in answers])
    known = np.array([bool(a[name]["known"]) if name in a else False for a in answers])
    return label, top, known


def measure(digits: list[dict], d_ans: list[dict], others: list[dict], o_ans: list[dict]) -> dict:
    """Print the tables; return {model: headline numbers in %}."""
    truth = np.array([r["label"] for r in digits])
    cats = np.array([r.get("category", "?") for r in others])
    summary = {}
    for name in _models(d_ans):
        label, top, known = _arrays(d_ans, name)
        _, o_top, o_known = _arrays(o_ans, name)
        right = label == truth
        row = {
            "accuracy": right.mean() * 100,
            "accepted_and_right": (right & known).mean() * 100,
            "digits_refused": (~known).mean() * 100,
            "nondigits_refused": (~o_known).mean() * 100,
        }
        summary[name] = {k: round(float(v), 2) for k, v in row.items()}
        print(f"\n=== {name}")
        print(
            f"digits ({len(truth)}): accuracy {row['accuracy']:.2f}%, accepted and right "
            f"{row['accepted_and_right']:.2f}%, refused {row['digits_refused']:.2f}%"
        )
        print(f"non-digits ({len(cats)}): refused {row['nondigits_refused']:.2f}%")
        by_cat = defaultdict(list)
        for c, k in zip(cats, o_known, strict=True):
            by_cat[c].append(not k)
        print(
            "  per category: "
            + ", ".join(f"{c} {np.mean(v) * 100:.1f}%" for c, v in sorted(by_cat.items()))
        )
        print("  curve: threshold -> digits accepted&right / non-digits refused")
        for t in CURVE:
            print(
                f"    {t:.2f}: {(right & (top >= t)).mean() * 100:6.2f}% / "
                f"{(o_top < t).mean() * 100:6.2f}%"
            )
    return summary


def write_thresholds(metrics_path: Path, keep_share: float) -> dict[str, float]:
    """Choose each bundled model's threshold on MNIST training digits 50,000-59,999 and store
    it in ``metrics_path`` (temp file in the same folder, then ``os.replace``)."""
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.data.mnist import load_mnist, to_model_input
    from digitlab.model.nets.known import NUMBER_KEEP_SHARE, NUMBER_KEY, choose_threshold
    from digitlab.model.nets.light_inference import LightCore

    x = to_model_input(load_mnist().x_train[50_000:])
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    chosen = {}
    for name in ("cnn", "dense"):
        probs = LightCore({name: bundled_model_path(name)}).probabilities(x)[name]
        chosen[name] = choose_threshold(probs, keep_share)
        metrics[name]["known_threshold"] = chosen[name]
        metrics[name]["known_threshold_chosen_on"] = CHOSEN_ON.format(keep=keep_share)
        metrics[name]["known_keep_share"] = keep_share
        metrics[name][NUMBER_KEY] = choose_threshold(probs, NUMBER_KEEP_SHARE)
        metrics[name][NUMBER_KEY + "_chosen_on"] = CHOSEN_ON.format(keep=NUMBER_KEEP_SHARE)
    tmp = metrics_path.with_name(metrics_path.name + ".tmp")
    tmp.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, metrics_path)
    print("thresholds written: " + ", ".join(f"{k} {v:.4f}" for k, v in chosen.items()))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--nondigits", type=Path, default=DEFAULT_NONDIGITS)
    parser.add_argument("--model", default=None, help="cnn, dense or a .keras file")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-thresholds", action="store_true")
    parser.add_argument("--keep-share", type=float, default=None, help="default: KEEP_SHARE")
    args = parser.parse_args()
    for path in (args.data, args.nondigits):
        if not path.exists():
            sys.exit(f"{path}: not found (the pen-drawn dev sets live in ../shared/data)")
    if args.write_thresholds:
        from digitlab.model.data.bundled import METRICS_PATH
        from digitlab.model.nets.known import KEEP_SHARE

        write_thresholds(METRICS_PATH, args.keep_share or KEEP_SHARE)
    digits = replace_randomly(load(args.data, args.limit), args.seed)
    others = load(args.nondigits, args.limit)
    summary = measure(digits, classify(digits, args.model), others, classify(others, args.model))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
