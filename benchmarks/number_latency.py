"""How long a move takes to be answered in the Number mode, for a 4-digit number.

Two measurements, each over the 4-digit numbers 2026, 1975, 4380 and 6942 written move by
move (a point every 4 px, as a mouse gives them):

* ``thread`` (and ``thread_cpu``, its CPU time, which a shared machine disturbs less): the
  inference thread's own work per move (read the whole number through the
  cut search, then the chosen digit with every activation map), called directly with the
  NumPy core, the reader's cache warm as in live use;
* ``window``: the real window offscreen, Number mode, one synthetic mouse move, then wait
  (asleep in Qt's event loop) until the number view and the bars have painted that drawing
  (GUI thread included).

The target is p95 <= 16 ms per move (a 60 Hz frame). The last line is a JSON object.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/number_latency.py``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from digitlab.model.segment.written import number_paths

NUMBERS = ("2026", "1975", "4380", "6942")
CANVAS = (840.0, 280.0)


def _moves(text: str, canvas) -> list[list[np.ndarray]]:
    """The drawing after each move: finished strokes plus the one in progress."""
    strokes = [np.asarray(s, float) for s in number_paths(text, canvas)]
    drawings = []
    for k, stroke in enumerate(strokes):
        for j in range(2, len(stroke) + 1):
            drawings.append([*strokes[:k], stroke[:j]])
    return drawings


def thread_times() -> list[float]:
    from digitlab.app.live.inference_worker import InferenceWorker
    from digitlab.model.nets.light_inference import LightCore

    worker = InferenceWorker(core_factory=LightCore)
    worker.setup()
    times, cpu = [], []
    for text in NUMBERS:
        for n, drawing in enumerate(_moves(text, CANVAS)):
            t0, c0 = time.perf_counter(), time.thread_time()
            worker.answer_number(n, drawing, CANVAS)
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    return times, cpu


def window_times() -> list[float]:
    from PySide6.QtCore import QEvent, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from digitlab.app.main_window import MainWindow
    from digitlab.app.selftest.support import send_mouse

    app = QApplication.instance() or QApplication([])
    window = MainWindow(with_training=False)
    window.resize(1280, 800)
    window.show()
    deadline = time.perf_counter() + 180
    # TensorFlow loads in the background once the models answer: its import holds the GIL
    # for seconds, so the moves are timed after it (as a user drawing a while later).
    while not window.live.tensorflow_loaded and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    tab = window.draw_tab
    tab.set_number_mode(True)
    canvas = tab.number_canvas
    loop = QEventLoop()

    def painted() -> bool:
        return (
            tab.number_view.painted_revision >= loop.revision
            and tab.probabilities.painted_revision >= loop.revision
        )

    def check(*_args) -> None:
        if loop.isRunning() and painted():
            loop.quit()

    # Sleep in Qt's own event loop until the views report the paint: a loop polling
    # processEvents would spin and take the GIL from the inference thread it measures.
    for plot in tab.probabilities.plots.values():
        plot.painted.connect(check)
    window.live.number_result.connect(check)
    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(loop.quit)

    def wait_painted(revision: int) -> None:
        loop.revision = revision
        if painted():
            return
        timeout.start(30_000)
        loop.exec()
        timeout.stop()
        if not painted():
            raise TimeoutError(f"revision {revision} never painted")

    def write(text: str) -> list[float]:
        times = []
        canvas.clear()
        wait_painted(canvas.revision)
        for points in number_paths(text, canvas.canvas_size()):
            send_mouse(canvas, QEvent.Type.MouseButtonPress, points[0])
            wait_painted(canvas.revision)
            for p in points[1:]:
                t0 = time.perf_counter()
                send_mouse(canvas, QEvent.Type.MouseMove, p)
                wait_painted(canvas.revision)
                times.append(time.perf_counter() - t0)
            send_mouse(canvas, QEvent.Type.MouseButtonRelease, points[-1])
        return times

    write(NUMBERS[0])  # warm-up: first paints, caches
    times = [t for text in NUMBERS for t in write(text)]
    window.close()
    QApplication.processEvents()
    return times


def _summary(name: str, times: list[float]) -> dict:
    ms = np.asarray(times) * 1000
    p50, p95, top = np.percentile(ms, 50), np.percentile(ms, 95), ms.max()
    print(f"{name}: {len(ms)} moves, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {top:.1f} ms")
    return {"moves": len(ms), "p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-window", action="store_true", help="only the inference thread")
    args = parser.parse_args()
    wall, cpu = thread_times()
    result = {
        "thread": _summary("inference thread", wall),
        "thread_cpu": _summary("inference thread, CPU time", cpu),
    }
    if not args.no_window:
        result["window"] = _summary("window (move to painted)", window_times())
    result["load_average"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
