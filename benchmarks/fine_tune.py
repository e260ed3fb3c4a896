"""What "Fine-tune on my handwriting" is worth, with the app's default recipe.

A stand-in for one user's handwriting: drawings made from ten hand-written stroke templates
(a slashed 0, a flagged 1 with a base, a crossed 7, a 9 with a curled tail, ...) with random
size, slant and wobble, every one drawn mirror-wise, a "style" the bundled models misread.
They go through the app's own path (``digitlab.model.data.personal_data.sample_from_drawing``,
i.e. ``strokes_to_input``), are split as the app splits them (a quarter of each digit held out,
never tuned on), and each bundled model is fine-tuned exactly as the Train tab does
(:class:`digitlab.model.nets.fine_tune.FineTuneRecipe` defaults). Prints accuracy on the
held-out drawings and on the 10,000 MNIST test digits before and after, and the seconds taken.

    python benchmarks/fine_tune.py [--samples N] [--models cnn dense] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.data.mnist import load_mnist
from digitlab.model.data.personal_data import labels_of, model_inputs, sample_from_drawing
from digitlab.model.nets.fine_tune import FineTuneRecipe, accuracy, fine_tune, split_personal
from digitlab.model.nets.model_files import load_model

TEMPLATES = {  # strokes in canvas fractions, x right, y down
    0: [
        [(0.5 + 0.18 * np.sin(t), 0.5 - 0.3 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 30)],
        [(0.36, 0.72), (0.64, 0.28)],
    ],
    1: [[(0.38, 0.34), (0.55, 0.18), (0.52, 0.82)], [(0.40, 0.82), (0.64, 0.82)]],
    2: [
        [(0.32, 0.32), (0.42, 0.2), (0.58, 0.2), (0.66, 0.32), (0.6, 0.48), (0.32, 0.8), (0.7, 0.8)]
    ],
    3: [
        [
            (0.32, 0.22),
            (0.64, 0.22),
            (0.46, 0.46),
            (0.64, 0.58),
            (0.62, 0.76),
            (0.46, 0.82),
            (0.32, 0.74),
        ]
    ],
    4: [[(0.56, 0.18), (0.3, 0.58), (0.72, 0.58)], [(0.6, 0.36), (0.6, 0.84)]],
    5: [
        [
            (0.66, 0.2),
            (0.38, 0.2),
            (0.34, 0.46),
            (0.56, 0.44),
            (0.66, 0.6),
            (0.6, 0.78),
            (0.34, 0.8),
        ]
    ],
    6: [
        [
            (0.62, 0.18),
            (0.42, 0.4),
            (0.34, 0.64),
            (0.44, 0.8),
            (0.6, 0.76),
            (0.62, 0.6),
            (0.46, 0.54),
            (0.36, 0.62),
        ]
    ],
    7: [[(0.28, 0.22), (0.72, 0.22), (0.5, 0.82)], [(0.4, 0.52), (0.68, 0.52)]],
    8: [
        [
            (0.62, 0.26),
            (0.5, 0.18),
            (0.36, 0.28),
            (0.5, 0.48),
            (0.66, 0.66),
            (0.5, 0.82),
            (0.34, 0.68),
            (0.5, 0.48),
            (0.62, 0.26),
        ]
    ],
    9: [
        [
            (0.64, 0.3),
            (0.5, 0.2),
            (0.36, 0.3),
            (0.42, 0.44),
            (0.62, 0.4),
            (0.64, 0.3),
            (0.6, 0.62),
            (0.5, 0.82),
            (0.36, 0.74),
        ]
    ],
}
CANVAS = 280.0


def drawing(digit: int, rng: np.random.Generator, mirrored: bool = True) -> list[list[list[float]]]:
    """One drawing of ``digit`` in canvas px: random size, slant, place and wobble."""
    scale, slant = rng.uniform(0.7, 1.1), rng.normal(0, 0.12)
    shift = rng.normal(0, 0.04, 2)
    strokes = []
    for path in TEMPLATES[digit]:
        pts = (np.asarray(path, float) - 0.5) * scale
        pts[:, 0] += slant * pts[:, 1]
        pts += 0.5 + shift + rng.normal(0, 0.01, pts.shape)
        if mirrored:
            pts[:, 0] = 1.0 - pts[:, 0]
        fine = [pts[0]] + [
            a + (b - a) * t
            for a, b in zip(pts[:-1], pts[1:], strict=True)
            for t in np.linspace(0, 1, 6)[1:]
        ]
        strokes.append((np.asarray(fine) * CANVAS).round(1).tolist())
    return strokes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=80)
    parser.add_argument("--models", nargs="+", default=["dense", "cnn"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    samples = [
        sample_from_drawing(i % 10, drawing(i % 10, rng), (CANVAS, CANVAS))
        for i in range(args.samples)
    ]
    x, y = model_inputs(samples), labels_of(samples)
    recipe = FineTuneRecipe()
    tune, held, held_out = split_personal(y, recipe)
    data = load_mnist()
    test_x = data.x_test.astype(np.float32) / 255.0
    shown = {k: v for k, v in recipe.as_dict().items() if k != "augment_config"}
    print(
        f"{len(samples)} mirrored drawings: tuned on {len(tune)}, measured on {len(held)} held out "
        f"({held_out}); recipe {json.dumps(shown)}"
    )
    report = {}
    for name in args.models:
        model = load_model(bundled_model_path(name))
        before = accuracy(model, x[held], y[held]), accuracy(model, test_x, data.y_test)
        start = time.perf_counter()
        fine_tune(model, data.x_train, data.y_train, x[tune], y[tune], recipe)
        seconds = time.perf_counter() - start
        after = accuracy(model, x[held], y[held]), accuracy(model, test_x, data.y_test)
        report[name] = {
            "held_out_before": before[0],
            "held_out_after": after[0],
            "mnist_before": before[1],
            "mnist_after": after[1],
            "seconds": seconds,
        }
        print(
            f"{name:>5}: my handwriting (held out) {before[0]:.1%} -> {after[0]:.1%} · "
            f"MNIST test {before[1]:.2%} -> {after[1]:.2%} · {seconds:.1f} s"
        )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
