"""Long use: draw, predict and clear thousands of times, reload a model hundreds of times,
through the real window (offscreen), and check that memory stays flat and nothing fails.

Each iteration clears the canvas, draws a digit with synthetic mouse events, waits until both
models answered that drawing and every view painted it, then clears and waits for the empty
state. Each reload hands the bundled ``.keras`` file to ``LiveModels.set_model`` and waits for
``model_set``. RSS is read after a warm-up (some draws and reloads) and at the end.

The last line printed is a JSON object: ``rss_growth_mb`` (end minus after warm-up),
``errors`` (timeouts, worker errors, failed reloads, uncaught exceptions), timings and counts.
Bars: ``rss_growth_mb <= 50`` and ``errors == 0``.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/soak.py [--iterations 2000]
[--reloads 200]`` (the defaults take several minutes).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QEventLoop

from digitlab.app.selftest.support import draw_digit

DIGITS = (1, 7, 0)
TIMEOUT_S = 60.0


def rss_mb() -> float:
    """This process's resident memory now, MB (from /proc; 0 where there is none)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # peak, not current


def _say(text: str) -> None:
    print(text, flush=True)


class Soak:
    def __init__(self, app, window):
        self.app = app
        self.window = window
        self.errors: list[str] = []
        self.misreads = 0
        self._set: list[tuple[str, str]] = []
        window.live.errored.connect(lambda m: self.errors.append(f"worker: {m.splitlines()[0]}"))
        window.live.model_set.connect(lambda name, error: self._set.append((name, error)))

    def wait(self, predicate, what: str, timeout_s: float = TIMEOUT_S) -> bool:
        deadline = time.perf_counter() + timeout_s
        while not predicate():
            if time.perf_counter() > deadline:
                self.errors.append(f"timeout: {what}")
                return False
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.0005)
        return True

    def _shown(self, want_answer: bool) -> bool:
        tab = self.window.draw_tab
        revision = tab.canvas.revision
        latest = self.window.live.latest
        if latest is None or latest.revision != revision or tab.painted_revision() < revision:
            return False
        return len(latest.probabilities) == 2 if want_answer else latest.empty

    def draw_once(self, digit: int) -> None:
        canvas = self.window.draw_tab.canvas
        draw_digit(canvas, digit)
        if self.wait(lambda: self._shown(True), f"answer for a drawn {digit}"):
            reads = {int(np.argmax(p)) for p in self.window.live.latest.probabilities.values()}
            self.misreads += reads != {digit}
        canvas.clear()
        self.wait(lambda: self._shown(False), "the cleared canvas")

    def reload_once(self, name: str, path: Path) -> None:
        before = len(self._set)
        self.window.live.set_model(name, path)
        if self.wait(lambda: len(self._set) > before, f"reloading {name}"):
            _, error = self._set[-1]
            if error:
                self.errors.append(f"reload: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000, help="draw/predict/clear cycles")
    parser.add_argument("--reloads", type=int, default=200, help="model reloads")
    parser.add_argument("--warmup", type=int, default=50, help="draw cycles before the baseline")
    parser.add_argument(
        "--warmup-reloads", type=int, default=10, help="reloads before the baseline"
    )
    args = parser.parse_args(argv)

    from digitlab.app.application import application
    from digitlab.app.error_handling import ErrorReporter, install
    from digitlab.app.main_window import MainWindow
    from digitlab.model.data.bundled import bundled_model_path

    app = application(offscreen=True)
    log = Path(tempfile.mkdtemp(prefix="digitlab-soak-")) / "digitlab.log"
    reporter = ErrorReporter(log_file=log, show_dialog=False)
    uninstall = install(reporter)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    soak = Soak(app, window)
    started = time.perf_counter()
    if not soak.wait(lambda: window.live.ready, "models ready", 300):
        _say(
            json.dumps({"rss_growth_mb": None, "errors": len(soak.errors), "messages": soak.errors})
        )
        return 1
    path = bundled_model_path("dense")

    for i in range(args.warmup):
        soak.draw_once(DIGITS[i % len(DIGITS)])
    for _ in range(args.warmup_reloads):
        soak.reload_once("dense", path)
    gc.collect()
    baseline = rss_mb()
    _say(
        f"after warm-up ({args.warmup} draws, {args.warmup_reloads} reloads): RSS {baseline:.1f} MB"
    )

    t0 = time.perf_counter()
    for i in range(args.iterations):
        soak.draw_once(DIGITS[i % len(DIGITS)])
        if (i + 1) % 200 == 0 or i + 1 == args.iterations:
            _say(
                f"draw {i + 1}/{args.iterations}: RSS {rss_mb():.1f} MB, errors {len(soak.errors)}"
            )
    draw_s = time.perf_counter() - t0
    gc.collect()
    after_draws = rss_mb()

    t0 = time.perf_counter()
    for i in range(args.reloads):
        soak.reload_once("dense", path)
        if (i + 1) % 20 == 0 or i + 1 == args.reloads:
            _say(f"reload {i + 1}/{args.reloads}: RSS {rss_mb():.1f} MB, errors {len(soak.errors)}")
    reload_s = time.perf_counter() - t0
    soak.draw_once(7)  # the reloaded model still answers
    gc.collect()
    end = rss_mb()

    window.close()
    app.processEvents()
    uninstall()
    errors = soak.errors + [f"uncaught: {reporter.count} (see {log})"] * bool(reporter.count)
    report = {
        "rss_growth_mb": round(end - baseline, 1),
        "errors": len(soak.errors) + reporter.count,
        "rss_mb": {
            "after_warmup": round(baseline, 1),
            "after_draws": round(after_draws, 1),
            "end": round(end, 1),
        },
        "draws_growth_mb": round(after_draws - baseline, 1),
        "reloads_growth_mb": round(end - after_draws, 1),
        "iterations": args.iterations,
        "reloads": args.reloads,
        "misreads": soak.misreads,
        "draw_cycle_ms": round(1000 * draw_s / max(1, args.iterations), 1),
        "reload_ms": round(1000 * reload_s / max(1, args.reloads), 1),
        "total_s": round(time.perf_counter() - started, 1),
        "messages": errors[:10],
    }
    _say(json.dumps(report))
    return 0 if report["errors"] == 0 and report["rss_growth_mb"] <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
