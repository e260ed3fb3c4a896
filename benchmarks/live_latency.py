"""How long from a mouse move to the window showing both models' answer for that drawing.

Drives the real window offscreen with synthetic mouse strokes (digits drawn over and over,
at least 500 move events) and times, for each move event, until both probability views, the
model input and every activation map have painted the drawing that move made. Three runs:

* ``sequential``: one move, wait until painted, next move (the pipeline's own latency);
* ``paced``: moves arrive every 8 ms (a 125 Hz mouse) whether or not the window kept up, and
  each move is timed until a drawing at least that new is painted (coalescing included);
* ``naive``: the same window, but each move calls ``model.predict`` on the GUI thread for both
  models and their activations (what a straightforward implementation does), fewer moves.

The last line printed is a JSON object with ``p50_ms``, ``p95_ms`` (sequential),
``paced_p50_ms``, ``paced_p95_ms``, ``naive_p95_ms`` and a per-stage breakdown.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/live_latency.py [--moves 600]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from digitlab.app.selftest.support import DIGIT_PATHS, path_points, send_mouse

WAIT = QEventLoop.ProcessEventsFlag.WaitForMoreEvents
ALL = QEventLoop.ProcessEventsFlag.AllEvents


def _strokes(canvas, moves: int, step: float) -> list[list[list[tuple[float, float]]]]:
    """Digits (as lists of strokes) until at least ``moves`` move events."""
    size = (canvas.width(), canvas.height())
    drawings, total, k = [], 0, 0
    digits = list(DIGIT_PATHS)
    while total < moves:
        digit = digits[k % len(digits)]
        strokes = [path_points(p, size, step) for p in DIGIT_PATHS[digit]]
        total += sum(len(s) - 1 for s in strokes)
        drawings.append(strokes)
        k += 1
    return drawings


def _idle(app) -> None:
    """Sleep in Qt until the next event, as the app's own event loop does.

    ``processEvents(flags, maxtime)`` ignores ``WaitForMoreEvents`` and returns at once, so a
    loop around it spins in Python and takes the GIL from the inference thread, inflating
    exactly what is measured. The blocking overload releases it; :data:`_WAKE` guarantees an
    event at least every 20 ms so the wait always returns.
    """
    app.processEvents(WAIT)


_WAKE: list[QTimer] = []


def _start_wake_timer() -> None:
    if not _WAKE:
        timer = QTimer()
        timer.start(20)
        _WAKE.append(timer)


def _wait_painted(app, tab, revision: int, timeout_s: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while tab.painted_revision() < revision:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"revision {revision} never painted")
        _idle(app)


def sequential(
    app, window, drawings, limit: int | None = None, wait_after_clear: bool = True
) -> list[float]:
    """One move, wait until every view painted it, next move; at most ``limit`` moves.

    ``wait_after_clear`` waits for the cleared canvas to be painted too (a path that never
    answers an empty drawing cannot, so the naive run turns it off).
    """
    tab = window.draw_tab
    canvas = tab.canvas
    latencies = []
    for strokes in drawings:
        canvas.clear()
        if wait_after_clear:
            _wait_painted(app, tab, canvas.revision)
        for points in strokes:
            send_mouse(canvas, QEvent.Type.MouseButtonPress, points[0])
            _wait_painted(app, tab, canvas.revision)
            for p in points[1:]:
                t0 = time.perf_counter()
                send_mouse(canvas, QEvent.Type.MouseMove, p)
                _wait_painted(app, tab, canvas.revision)
                latencies.append(time.perf_counter() - t0)
                if limit is not None and len(latencies) >= limit:
                    return latencies
            send_mouse(canvas, QEvent.Type.MouseButtonRelease, points[-1])
    return latencies


def paced(app, window, drawings, interval_ms: int = 8) -> list[float]:
    """Moves every ``interval_ms`` from a timer; each timed until a drawing that new is painted."""
    tab = window.draw_tab
    canvas = tab.canvas
    events: list[tuple[int, float]] = []  # (revision, time of the move)
    paints: list[tuple[int, float]] = []  # (oldest revision shown everywhere, time)

    def on_paint(_revision):
        paints.append((tab.painted_revision(), time.perf_counter()))

    views = [*tab.probabilities.plots.values(), tab.activations, tab.input_view.view]
    for view in views:
        view.painted.connect(on_paint)
    script = []
    for strokes in drawings:
        script.append(("clear", None))
        for points in strokes:
            script.append(("press", points[0]))
            script.extend(("move", p) for p in points[1:])
            script.append(("release", points[-1]))
    done = []

    def tick():
        if not script:
            timer.stop()
            done.append(True)
            return
        kind, pos = script.pop(0)
        while kind != "move":  # press/release/clear go out at once; moves set the pace
            if kind == "clear":
                canvas.clear()
            elif kind == "press":
                send_mouse(canvas, QEvent.Type.MouseButtonPress, pos)
            else:
                send_mouse(canvas, QEvent.Type.MouseButtonRelease, pos)
            if not script:
                timer.stop()
                done.append(True)
                return
            kind, pos = script.pop(0)
        t = time.perf_counter()
        send_mouse(canvas, QEvent.Type.MouseMove, pos)
        events.append((canvas.revision, t))

    from PySide6.QtCore import Qt

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(interval_ms)
    while not done:
        _idle(app)
    _wait_painted(app, tab, canvas.revision)
    for view in views:
        view.painted.disconnect(on_paint)
    paint_revs = np.array([r for r, _ in paints])
    paint_times = np.array([t for _, t in paints])
    # Each move is answered by the first paint showing its drawing or a newer one everywhere.
    best = np.maximum.accumulate(paint_revs)
    latencies = []
    for revision, t in events:
        i = int(np.searchsorted(best, revision))
        if i < len(best):
            latencies.append(paint_times[i] - t)
    return latencies


def naive(app, window, drawings, moves: int) -> list[float]:
    """Each move: preprocess, then ``model.predict`` for both models and their layers, on the
    GUI thread, then the same views."""
    import keras

    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.explain.mosaic import build_mosaic
    from digitlab.model.nets.live_answer import LiveResult
    from digitlab.model.nets.model_files import load_model
    from digitlab.model.preprocess.strokes import strokes_to_input

    tab = window.draw_tab
    canvas = tab.canvas
    infos = window.live.infos
    extractors = {}
    for name in infos:
        m = load_model(bundled_model_path(name), num_classes=None)
        layers = [layer for layer in m.layers if not isinstance(layer, keras.layers.InputLayer)]
        extractors[name] = (
            m,
            keras.Model(m.inputs, [layer.output for layer in layers]),
            [layer.name for layer in layers],
        )

    def answer(revision):
        pre = strokes_to_input(canvas.model_strokes(), canvas.canvas_size())
        if pre.empty:
            return
        x = pre.image[None, ..., None]
        probs, acts, mosaics = {}, {}, {}
        for name, (m, ex, names) in extractors.items():
            probs[name] = m.predict(x, verbose=0)[0]
            outs = ex.predict(x, verbose=0)
            acts[name] = {n: o[0] for n, o in zip(names, outs, strict=True)}
            mosaics[name] = {
                v.name: build_mosaic(acts[name][v.name], v.layout, v.level)
                for v in infos[name].shown
            }
        tab.update_result(LiveResult(revision, pre, probs, acts, mosaics))

    canvas.strokes_changed.disconnect(window._on_strokes_changed)
    canvas.strokes_changed.connect(answer)
    try:
        return sequential(app, window, drawings, limit=moves, wait_after_clear=False)
    finally:
        canvas.strokes_changed.disconnect(answer)
        canvas.strokes_changed.connect(window._on_strokes_changed)


def _ms(values, q) -> float:
    return round(float(np.percentile(np.asarray(values) * 1000, q)), 2)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=600, help="mouse moves per run (>= 500)")
    parser.add_argument("--naive-moves", type=int, default=60)
    parser.add_argument("--step", type=float, default=3.0, help="px between move events")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([])
    from digitlab.app.main_window import MainWindow

    window = MainWindow(with_training=False)
    window.resize(1280, 800)
    window.show()
    _start_wake_timer()
    t0 = time.perf_counter()
    while not window.live.ready:
        _idle(app)
        if time.perf_counter() - t0 > 300:
            print("models did not load", file=sys.stderr)
            return 1
    stages: dict[str, list[float]] = {"preprocess": [], "models": [], "mosaics": []}

    def on_result(result):
        for key, value in result.seconds.items():
            stages.setdefault(key, []).append(value)

    window.live.result.connect(on_result)
    drawings = _strokes(window.draw_tab.canvas, args.moves, args.step)
    try:
        sequential(app, window, drawings[:1])  # warm up (first paints, caches)
        # TensorFlow loads in the background once the first answer is shown (several seconds
        # of GIL-heavy import): measured after it, the live view as it is from then on.
        t0 = time.perf_counter()
        while not window.live.tensorflow_loaded and time.perf_counter() - t0 < 300:
            _idle(app)
        for values in stages.values():
            values.clear()
        seq = sequential(app, window, drawings)
        stage_values = {k: list(v) for k, v in stages.items()}
        pac = paced(app, window, drawings)
        nai = naive(app, window, drawings, args.naive_moves)
    finally:
        window.close()
        app.processEvents()
    report = {
        "moves": len(seq),
        "p50_ms": _ms(seq, 50),
        "p95_ms": _ms(seq, 95),
        "max_ms": _ms(seq, 100),
        "paced_moves": len(pac),
        "paced_interval_ms": 8,
        "paced_p50_ms": _ms(pac, 50),
        "paced_p95_ms": _ms(pac, 95),
        "naive_moves": len(nai),
        "naive_p50_ms": _ms(nai, 50),
        "naive_p95_ms": _ms(nai, 95),
        "stage_p50_ms": {k: _ms(v, 50) for k, v in stage_values.items() if v},
        "stage_p95_ms": {k: _ms(v, 95) for k, v in stage_values.items() if v},
        "tensorflow_loaded_before": window.live.tensorflow_loaded,
        "cpus": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
