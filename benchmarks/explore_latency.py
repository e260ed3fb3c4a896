"""Does the Explore tab slow the live view? Draw-tab latency with the Explore thread idle and
busy, and how fast the star on the Explore map follows the pen.

Runs of :func:`live_latency.sequential` style drawing (one mouse move, wait until the
Draw tab painted it, next move) on the real window, offscreen:

* ``idle``: the Explore tab never shown (its thread not started);
* ``busy``: the Explore tab shown once (a fresh data folder: it starts computing the CNN
  map and its neighbour index), then the Draw tab drawn on while that work waits (a hidden
  Explore tab pauses its long passes between batches);
* ``star``: the Explore tab on screen, drawing on its lent canvas, each move timed until the
  star on the map stands at that drawing's place;
* ``answer_push`` and ``answer_draw``: each move timed until the live answer for it reached
  the window, with the Explore tab's "Push it" page on screen (a slider moved, so every
  drawing's eight curves are computed in the Explore thread) and then with the Draw tab:
  the same measure on both tabs, so the two say whether the Explore tab slows the live view.

The last line printed is a JSON object with p50/p95 per run (ms).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/explore_latency.py [--moves 300]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["DIGITLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="digitlab-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_latency import _idle, _ms, _start_wake_timer, _strokes, sequential
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from digitlab.app.selftest.support import send_mouse


def _wait(app, predicate, timeout_s: float = 60.0) -> None:
    t0 = time.perf_counter()
    while not predicate():
        _idle(app)
        if time.perf_counter() - t0 > timeout_s:
            raise TimeoutError("the window did not answer in time")


def _timed_moves(app, window, drawings, limit: int, answered, done) -> list[float]:
    """Each move on the canvas (wherever it is) timed until ``done()``; after a clear or a
    press, wait until ``answered()`` (the live answer for that drawing is in)."""
    canvas = window.draw_tab.canvas
    latencies = []
    for strokes in drawings:
        canvas.clear()
        _wait(app, answered)
        for points in strokes:
            send_mouse(canvas, QEvent.Type.MouseButtonPress, points[0])
            _wait(app, answered)
            for p in points[1:]:
                t0 = time.perf_counter()
                send_mouse(canvas, QEvent.Type.MouseMove, p)
                _wait(app, done)
                latencies.append(time.perf_counter() - t0)
                if len(latencies) >= limit:
                    return latencies
            send_mouse(canvas, QEvent.Type.MouseButtonRelease, points[-1])
    return latencies


def _answered(window):
    canvas = window.draw_tab.canvas

    def answered():
        latest = window.live.latest
        return latest is not None and latest.revision == canvas.revision

    return answered


def star_latency(app, window, drawings, limit: int) -> list[float]:
    """Each move on the Explore tab's canvas, timed until the star stands for it."""
    answered, tab = _answered(window), window.explore_tab
    placed = lambda: answered() and tab.map.drawing_at is not None  # noqa: E731
    return _timed_moves(app, window, drawings, limit, answered, placed)


def answer_latency(app, window, drawings, limit: int) -> list[float]:
    """Each move on the canvas (wherever it is), timed until the live answer for that
    drawing reached the window (the measure that holds on every tab: the Draw tab's own
    views do not paint while another tab is shown)."""
    answered = _answered(window)
    return _timed_moves(app, window, drawings, limit, answered, answered)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=300)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    from digitlab.app.main_window import MainWindow

    window = MainWindow(with_training=False)
    window.resize(1280, 800)
    window.show()
    _start_wake_timer()
    _wait(app, lambda: window.live.ready, 300)
    drawings = _strokes(window.draw_tab.canvas, args.moves, 3.0)
    report = {}
    try:
        sequential(app, window, drawings[:1])  # warm up
        _wait(app, lambda: window.live.tensorflow_loaded, 300)  # loads once, in the background
        idle = sequential(app, window, drawings, args.moves)
        explore = window.explore_tab
        window.tabs.setCurrentWidget(explore)  # starts the map
        _wait(app, lambda: "Mapping" in explore.status.text(), 120)
        window.tabs.setCurrentWidget(window.draw_tab)
        busy = sequential(app, window, drawings, args.moves)
        report["busy_while"] = "the CNN map had been started, the Explore tab then hidden"
        window.tabs.setCurrentWidget(explore)
        _wait(app, lambda: "cnn" in explore.maps, 600)
        star = star_latency(app, window, drawings, args.moves)
        explore.pages.setCurrentWidget(explore.push)
        explore.push.set_value("rotate", 20)
        shown: list[int] = []
        explore.answer_shown.connect(shown.append)
        push = answer_latency(app, window, drawings, args.moves)
        canvas = window.draw_tab.canvas
        _wait(app, lambda: shown and shown[-1] == canvas.revision)
        explore.answer_shown.disconnect(shown.append)
        report["push_curves_shown"] = len(shown)
        window.tabs.setCurrentWidget(window.draw_tab)
        draw = answer_latency(app, window, drawings, args.moves)
    finally:
        window.close()
        app.processEvents()
    runs = (("idle", idle), ("busy", busy), ("star", star), ("answer_draw", draw))
    for name, values in (*runs, ("answer_push", push)):
        report[f"{name}_moves"] = len(values)
        report[f"{name}_p50_ms"] = _ms(values, 50)
        report[f"{name}_p95_ms"] = _ms(values, 95)
    report["load_average"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
