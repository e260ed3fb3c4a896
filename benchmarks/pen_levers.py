"""What each preprocessing lever is worth on real pen-drawn digits (the dev set).

For a model, reads ``../shared/data/pen-digits-dev.jsonl`` drawn at random sizes (longer side
70..250 px) and places on a 280x280 canvas (as ``pen_digits.py`` does) through several
preprocessing variants, and prints the accuracy of each:

* naive: the canvas raster (default brush) shrunk to 28x28, nothing else;
* mnist-style: the canvas raster (default brush), cropped, fitted to 20 px, centred by mass;
* ours at several pen widths: strokes re-drawn in the normalised frame (thickness normalised).

    python benchmarks/pen_levers.py --model resources/models/cnn.keras [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from pen_digits import DEFAULT_DATA, load, replace_randomly

from digitlab.model.nets.inference import InferenceCore
from digitlab.model.preprocess.frame import normalise, resample_matrix
from digitlab.model.preprocess.strokes import as_strokes, rasterize, strokes_to_input


def naive(row) -> np.ndarray:
    raster = rasterize(as_strokes(row["strokes"]), row["canvas"], (280, 280))
    return resample_matrix(280, 28) @ raster @ resample_matrix(280, 28).T


def mnist_style(row) -> np.ndarray:
    raster = rasterize(as_strokes(row["strokes"]), row["canvas"], (280, 280))
    return normalise(raster).image


def ours(width: float):
    return lambda row: strokes_to_input(row["strokes"], row["canvas"], pen_width=width).image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    rows = replace_randomly(load(args.data, args.limit))
    labels = np.array([r["label"] for r in rows])
    core = InferenceCore({"m": args.model})
    variants = {"naive downscale": naive, "mnist-style, app brush": mnist_style}
    for width in (1.6, 2.0, 2.4, 2.8, 3.2):
        variants[f"ours, pen {width} px"] = ours(width)
    result = {}
    for name, fn in variants.items():
        x = np.stack([fn(r) for r in rows])
        acc = float((core.probabilities(x)["m"].argmax(1) == labels).mean() * 100)
        result[name] = round(acc, 2)
        print(f"{name:<28}{acc:6.2f}%", flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
