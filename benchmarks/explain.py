"""How long one explanation takes in the explanation thread (warm, median of 30 runs).

Run: ``python benchmarks/explain.py``. Prints the occlusion (one batch of 145 inputs per
model), Grad-CAM and stroke-history times for a drawn 7 and a drawn 4.
"""

from __future__ import annotations

import time

import numpy as np

from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

import_tensorflow_quietly()

from digitlab.model.data.bundled import bundled_model_path  # noqa: E402
from digitlab.model.explain.saliency import Explainer  # noqa: E402
from digitlab.model.nets.model_files import load_model  # noqa: E402
from digitlab.model.preprocess.strokes import Stroke, strokes_to_input  # noqa: E402

RUNS = 30
SEVEN = [Stroke(np.array([[60.0, 60], [200, 60], [120, 230]]))]


def _median_ms(fn) -> float:
    fn()  # trace and warm up
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000)


def main() -> None:
    ex = Explainer({name: load_model(bundled_model_path(name)) for name in ("cnn", "dense")})
    image = strokes_to_input(SEVEN, (280, 280)).image
    rows = {
        "CNN occlusion (145 inputs, one call)": lambda: ex.occlusion("cnn", image, 7),
        "dense occlusion (145 inputs, one call)": lambda: ex.occlusion("dense", image, 7),
        "CNN Grad-CAM on conv2": lambda: ex.gradcam("cnn", image, 7),
        "both models' probabilities": lambda: [ex.probabilities(n, image) for n in ex.names],
    }
    total = 0.0
    for label, fn in rows.items():
        ms = _median_ms(fn)
        total += ms
        print(f"{label:42s} {ms:7.1f} ms")
    print(f"{'one explanation (sum)':42s} {total:7.1f} ms")


if __name__ == "__main__":
    main()
