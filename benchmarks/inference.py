"""How long one live answer costs: both models, probabilities and every activation, one image.

Compares ``LightCore.run`` (the NumPy path: what the live view and ``digitlab classify`` run
for the bundled models), ``InferenceCore.run`` (TensorFlow, one compiled call: what runs a
model with a layer NumPy does not know) and ``model.predict`` on the same input (predict per
model, output only). Prints a table and, as its last line, a JSON object with
``ours_median_ms`` and ``ours_p95_ms`` (the app's own live answer: the NumPy path; also as
``light_median_ms`` and ``light_p95_ms``), ``tensorflow_median_ms``, ``tensorflow_p95_ms``
and ``predict_median_ms``.

    python benchmarks/inference.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from digitlab.model.nets.inference import InferenceCore
from digitlab.model.nets.light_inference import LightCore
from digitlab.model.preprocess.strokes import strokes_to_input


def timed(fn, repeats: int) -> np.ndarray:
    for _ in range(10):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return np.array(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    core = InferenceCore()
    x = strokes_to_input([[[60, 60], [200, 60], [120, 230]]], (280, 280)).image[None, :, :, None]
    tensorflow = timed(lambda: core.run(x), args.repeats)
    light_core = LightCore()
    ours = timed(lambda: light_core.run(x), args.repeats)
    models = [core.model(name) for name in core.names]
    predict = timed(lambda: [m.predict(x, verbose=0) for m in models], max(args.repeats // 6, 20))
    prep = timed(
        lambda: strokes_to_input([[[60, 60], [200, 60], [120, 230]]], (280, 280)), args.repeats
    )
    print(f"{'path':<46}{'median ms':>10}{'p95 ms':>10}")
    for label, times in (
        ("LightCore.run (NumPy: both, all activations)", ours),
        ("InferenceCore.run (both, all activations)", tensorflow),
        ("model.predict (both, output only)", predict),
        ("strokes_to_input (a three-point seven)", prep),
    ):
        print(f"{label:<46}{np.median(times):>10.2f}{np.percentile(times, 95):>10.2f}")
    print(
        json.dumps(
            {
                "ours_median_ms": round(float(np.median(ours)), 3),
                "ours_p95_ms": round(float(np.percentile(ours, 95)), 3),
                "light_median_ms": round(float(np.median(ours)), 3),
                "light_p95_ms": round(float(np.percentile(ours, 95)), 3),
                "tensorflow_median_ms": round(float(np.median(tensorflow)), 3),
                "tensorflow_p95_ms": round(float(np.percentile(tensorflow, 95)), 3),
                "predict_median_ms": round(float(np.median(predict)), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
