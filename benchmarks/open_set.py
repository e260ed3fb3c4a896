"""Does each model say "not a digit" to letters and symbols, and still read real digits?

Runs ``../shared/data/pen-digits-dev.jsonl`` (re-drawn at a random size, 70..250 px, and place,
as ``benchmarks/pen_digits.py`` does) and ``../shared/data/pen-nondigits-dev.jsonl`` (2,000
letters and symbols from the same writers, already drawn at varied sizes and places) through
``digitlab classify --strokes``, the canvas's path, and prints per model:

- digits: plain accuracy, accepted (``known``) and read right, refused;
- non-digits: refused (``known`` false), overall and per UNIPEN category;
- the curve of the two over the threshold (from the same answers' probabilities, scored as
  each model's rule scores them: its top probability at its stored temperature).

The dev sets are for measuring only: never trained on, never copied into the repository.

    python benchmarks/open_set.py [--model cnn|dense|PATH.keras] [--limit N]
                                  [--write-thresholds [--keep-share 0.995]
                                                      [--temperature 2.0]]

``--write-thresholds`` chooses each bundled model's threshold at ``--temperature`` (default
``BUNDLED_TEMPERATURE``) so that it keeps ``--keep-share`` (default: the model's own share in
``BUNDLED_KEEP_SHARES``) of the last 10,000 MNIST training digits (never the dev sets), and its
threshold for a piece of a written number so that it keeps
``NUMBER_KEEP_SHARE`` of them, and writes both and the temperature, with what they were chosen
on, into ``resources/models/metrics.json`` before measuring. The last line
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
    "MNIST training split, images 50,000-59,999 (pixels / 255): the highest threshold on the "
    "top probability at temperature {temperature:g} (softmax(log p / {temperature:g})) that "
    "keeps {keep:.2%} of them known (benchmarks/open_set.py --write-thresholds)"
)
TEMPERATURE_CHOSEN_ON = (
    "pen-drawn dev sets (benchmarks/open_set.py): a tuning choice, letters and symbols refused "
    "vs digits accepted and read right, with each threshold still chosen on MNIST"
)


def _models(answers: list[dict]) -> list[str]:
    keys = set()
    for a in answers:
        keys |= {k for k, v in a.items() if isinstance(v, dict)}
    return sorted(keys)


def _rule(model: str | None, name: str):
    """The "known" rule ``digitlab classify --model model`` judges model ``name`` by."""
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.known import KnownRule, stored_rule

    if model in (None, "both", "cnn", "dense"):
        return stored_rule(bundled_model_path(name)) if name in ("cnn", "dense") else KnownRule()
    return stored_rule(model)


def _arrays(answers: list[dict], name: str, rule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(label, score by ``rule``, known) per answer; a drawing with no answer counts refused."""
    label = np.array([a[name]["label"] if name in a else -1 for a in answers])
    top = np.array(
        [float(rule.score(a[name]["probabilities"])) if name in a else 0.0 for a in answers]
    )
    known = np.array([bool(a[name]["known"]) if name in a else False for a in answers])
    return label, top, known


def measure(
    digits: list[dict],
    d_ans: list[dict],
    others: list[dict],
    o_ans: list[dict],
    model: str | None = None,
) -> dict:
    """Print the tables; return {model: headline numbers in %}. ``model``: the ``--model``
    the answers came from (whose rules score the curve)."""
    truth = np.array([r["label"] for r in digits])
    cats = np.array([r.get("category", "?") for r in others])
    summary = {}
    for name in _models(d_ans):
        rule = _rule(model, name)
        label, top, known = _arrays(d_ans, name, rule)
        _, o_top, o_known = _arrays(o_ans, name, rule)
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
        print(
            f"  curve (temperature {rule.temperature:g}, threshold {rule.threshold:.4f}): "
            "threshold -> digits accepted&right / non-digits refused"
        )
        for t in CURVE:
            print(
                f"    {t:.2f}: {(right & (top >= t)).mean() * 100:6.2f}% / "
                f"{(o_top < t).mean() * 100:6.2f}%"
            )
    return summary


def write_thresholds(
    metrics_path: Path, keep_share: float | None = None, temperature: float | None = None
) -> dict[str, float]:
    """Choose each bundled model's thresholds at ``temperature`` (None:
    ``BUNDLED_TEMPERATURE``) on MNIST training digits 50,000-59,999, keeping ``keep_share`` of
    them (None: each model's ``BUNDLED_KEEP_SHARES``), and store them and the temperature in
    ``metrics_path`` (temp file in the same folder, then ``os.replace``)."""
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.data.mnist import load_mnist, to_model_input
    from digitlab.model.nets.known import (
        BUNDLED_KEEP_SHARES,
        BUNDLED_TEMPERATURE,
        NUMBER_KEEP_SHARE,
        NUMBER_KEY,
        TEMPERATURE_KEY,
        choose_threshold,
    )
    from digitlab.model.nets.light_inference import LightCore

    t = BUNDLED_TEMPERATURE if temperature is None else float(temperature)

    x = to_model_input(load_mnist().x_train[50_000:])
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    chosen = {}
    for name in ("cnn", "dense"):
        probs = LightCore({name: bundled_model_path(name)}).probabilities(x)[name]
        keep = BUNDLED_KEEP_SHARES[name] if keep_share is None else keep_share
        chosen[name] = choose_threshold(probs, keep, t)
        metrics[name]["known_threshold"] = chosen[name]
        metrics[name]["known_threshold_chosen_on"] = CHOSEN_ON.format(keep=keep, temperature=t)
        metrics[name]["known_keep_share"] = keep
        metrics[name][NUMBER_KEY] = choose_threshold(probs, NUMBER_KEEP_SHARE, t)
        metrics[name][NUMBER_KEY + "_chosen_on"] = CHOSEN_ON.format(
            keep=NUMBER_KEEP_SHARE, temperature=t
        )
        metrics[name][TEMPERATURE_KEY] = t
        metrics[name][TEMPERATURE_KEY + "_chosen_on"] = TEMPERATURE_CHOSEN_ON
    tmp = metrics_path.with_name(metrics_path.name + ".tmp")
    tmp.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, metrics_path)
    print(
        f"thresholds written (temperature {t:g}): "
        + ", ".join(f"{k} {v:.4f}" for k, v in chosen.items())
    )
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--nondigits", type=Path, default=DEFAULT_NONDIGITS)
    parser.add_argument("--model", default=None, help="cnn, dense or a .keras file")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-thresholds", action="store_true")
    parser.add_argument(
        "--keep-share", type=float, default=None, help="default: each BUNDLED_KEEP_SHARES"
    )
    parser.add_argument(
        "--temperature", type=float, default=None, help="default: BUNDLED_TEMPERATURE"
    )
    args = parser.parse_args()
    for path in (args.data, args.nondigits):
        if not path.exists():
            sys.exit(f"{path}: not found (the pen-drawn dev sets live in ../shared/data)")
    if args.write_thresholds:
        from digitlab.model.data.bundled import METRICS_PATH

        write_thresholds(METRICS_PATH, args.keep_share, args.temperature)
    digits = replace_randomly(load(args.data, args.limit), args.seed)
    others = load(args.nondigits, args.limit)
    d_ans, o_ans = classify(digits, args.model), classify(others, args.model)
    summary = measure(digits, d_ans, others, o_ans, args.model)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
