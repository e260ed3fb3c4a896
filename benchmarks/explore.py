"""How long the Explore tab's computations take (the Explore thread does each of them).

Prints one line per step and a JSON object last: the map of each model's layers over the
10,000 MNIST test digits, the neighbour index over the 60,000 training digits, placing one
drawing (the GUI thread's only work), the nearest-digit search, the "push it" curves for one
drawing, fooling both models, one dream, and the accuracy of a broken model on 1,000 digits.

Run: ``.venv/bin/python benchmarks/explore.py``
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.data.mnist import load_mnist, mnist_test_inputs
from digitlab.model.explore.ablation import ACCURACY_DIGITS, Breakage, accuracy
from digitlab.model.explore.adversarial import Fooler
from digitlab.model.explore.dream import dream
from digitlab.model.explore.embedding import build_map
from digitlab.model.explore.neighbours import build_neighbours
from digitlab.model.explore.push import PushSettings, push_curves
from digitlab.model.nets.light_inference import LightCore
from digitlab.model.preprocess.strokes import strokes_to_input


def _timed(results: dict, name: str, fn, repeat: int = 1):
    times, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    results[name] = float(np.median(times))
    print(f"{name}: {results[name] * 1000:.1f} ms", flush=True)
    return value


def main() -> int:
    core, data = LightCore(), load_mnist()
    inputs = mnist_test_inputs()
    seven = np.array(inputs[0, ..., 0])
    out: dict[str, float] = {}
    maps = {}
    for name in core.names:
        model = core.model(name)

        def outputs(batch, model=model):
            return model.run(batch).activations

        maps[name] = _timed(
            out,
            f"map_{name}_s",
            lambda n=name, o=outputs: build_map(n, "k", o, inputs, data.y_test),
        )
        index = _timed(
            out,
            f"neighbours_{name}_s",
            lambda n=name, o=outputs: build_neighbours(maps[n], o, data.x_train),
        )
    act = core.model("cnn").run(inputs[:1]).activations["dense"]
    lm = maps["cnn"].layers["dense"]
    _timed(out, "place_drawing_s", lambda: lm.place(act), repeat=200)
    _timed(
        out,
        "nearest_digits_s",
        lambda: index.nearest(
            "hidden",
            maps["dense"]
            .layers["hidden"]
            .reduce(core.model("dense").run(inputs[:1]).activations["hidden"])[0],
        ),
        repeat=20,
    )
    drawn = strokes_to_input([[[40, 40], [160, 40], [90, 180]]], (200.0, 200.0)).cropped
    _timed(out, "push_curves_s", lambda: push_curves(core, drawn, PushSettings()), repeat=5)
    turned = PushSettings({"rotate": 20.0, "thickness": 1.0})
    _timed(out, "push_curves_turned_s", lambda: push_curves(core, drawn, turned), repeat=5)
    fooler = Fooler({n: bundled_model_path(n) for n in core.names})
    _timed(out, "fool_first_s", lambda: fooler.fool(seven, 3))
    _timed(out, "fool_s", lambda: fooler.fool(seven, 3), repeat=3)
    _timed(out, "dream_first_s", lambda: dream(fooler.model("cnn"), "output", 3))
    _timed(out, "dream_s", lambda: dream(fooler.model("cnn"), "output", 5), repeat=3)
    off = Breakage({("cnn", "dense"): np.zeros(128, np.float32)})
    x, y = inputs[:ACCURACY_DIGITS], data.y_test[:ACCURACY_DIGITS]
    _timed(out, "broken_accuracy_s", lambda: accuracy(core.model("cnn"), "cnn", x, y, off))
    print(json.dumps({k: round(v, 4) for k, v in out.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
