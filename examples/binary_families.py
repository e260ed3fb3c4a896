"""Worked example: classify "families" of binaries rendered as images (nothing downloaded).

1. write ``--per-family`` synthetic binaries of each family in model.synthetic_binaries;
2. render each as a greyscale picture with ``digitlab bytes-to-image`` (one byte per pixel);
3. train the seed CNN on the class folders (``digitlab train --data FOLDER``);
4. evaluate it on the held-out test split (``digitlab evaluate``): accuracy and confusion.

    python examples/binary_families.py [--per-family 60] [--epochs 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digitlab.app.cli.main import main as digitlab
from digitlab.model.binaries.synthetic import FAMILIES, write_families


def run(folder: Path, per_family: int, epochs: int, seed: int) -> dict:
    start = time.perf_counter()
    write_families(folder / "binaries", per_family, seed=seed)
    for family in FAMILIES:
        files = sorted(str(p) for p in (folder / "binaries" / family).iterdir())
        # --overwrite: a second run with --keep renders into its own earlier pictures.
        out = str(folder / "images" / family)
        code = digitlab(["bytes-to-image", *files, "--out", out, "--overwrite"])
        assert code == 0, f"bytes-to-image failed for {family}"
    rendered = time.perf_counter()
    model = folder / "families.keras"
    code = digitlab(
        [
            "train",
            "--model",
            "cnn",
            "--data",
            str(folder / "images"),
            "--epochs",
            str(epochs),
            "--seed",
            str(seed),
            "--out",
            str(model),
            "--overwrite",
        ]
    )
    assert code == 0, "training failed"
    trained = time.perf_counter()
    code = digitlab(
        ["evaluate", "--model", str(model), "--data", str(folder / "images"), "--seed", str(seed)]
    )
    assert code == 0, "evaluation failed"
    metrics = json.loads((folder / "families.metrics.json").read_text())["families"]
    return {
        "accuracy": metrics["test_accuracy"],
        "confusion": metrics["confusion"],
        "classes": metrics["class_names"],
        "render_s": rendered - start,
        "train_s": trained - rendered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=60)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", default=None, help="work in this folder and keep it")
    args = parser.parse_args()
    if args.keep:
        result = run(Path(args.keep), args.per_family, args.epochs, args.seed)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(Path(tmp), args.per_family, args.epochs, args.seed)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
