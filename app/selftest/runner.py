"""``digitlab selftest`` and ``digitlab screenshots``: the real window, driven offscreen.

Checks are registered by name with :func:`check`; each gets a :class:`Context` (the window,
waiting and drawing helpers) and returns ``(passed, detail)``. Features add their own, e.g.::

    from digitlab.app.selftest.runner import check

    @check("train", order=20)
    def _train(ctx):
        ...
        return ok, "trained 1 epoch"

Modules that register checks are imported by :data:`CHECK_MODULES` before the run (a missing
module is skipped), so adding a check does not mean editing this file's runner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import atexit
import importlib
import json
import os
import shutil
import tempfile
from pathlib import Path
import sys
import time
import traceback

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

MODELS_TIMEOUT_S = 180.0
ANSWER_TIMEOUT_S = 30.0
CHECK_MODULES = ("digitlab.app.selftest.check_training", "digitlab.app.selftest.check_startup", "digitlab.app.selftest.check_explain",
                 "digitlab.app.selftest.check_custom", "digitlab.app.selftest.check_teach")
"""Modules imported before a self-test so that their checks run too: a module either
registers with :func:`check`, or exposes ``CHECKS = {name: fn(live_models) -> bool}``."""

# Digits as pen paths in fractions of the canvas (x right, y down); one list per stroke.
DIGIT_PATHS: dict[int, list[list[tuple[float, float]]]] = {
    1: [[(0.47, 0.18), (0.50, 0.50), (0.52, 0.84)]],
    7: [[(0.28, 0.22), (0.72, 0.22), (0.58, 0.48), (0.44, 0.82)]],
    0: [[(0.5 + 0.2 * np.sin(t), 0.5 - 0.3 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)]],
}


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Context], tuple[bool, str]]
    order: int = 50


CHECKS: dict[str, Check] = {}
"""Registered self-test checks by name."""


def check(name: str, order: int = 50):
    """Register ``fn(ctx) -> (passed, detail)`` as the self-test check ``name``."""

    def register(fn):
        CHECKS[name] = Check(name, fn, order)
        return fn

    return register


# --------------------------------------------------------------------------- driving the window


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: tuple[float, float],
               button=Qt.MouseButton.LeftButton) -> None:
    """Deliver one synthetic mouse event to ``widget`` now (press, move with the button held,
    or release), as a real pointer would."""
    local = QPointF(*pos)
    glob = QPointF(widget.mapToGlobal(local))
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else button
    pressed = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else button
    event = QMouseEvent(kind, local, glob, pressed, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def path_points(path: Sequence[tuple[float, float]], size: tuple[float, float],
                step: float = 4.0) -> list[tuple[float, float]]:
    """Points every ``step`` px along a path given in canvas fractions."""
    w, h = size
    pts = np.asarray(path, np.float64) * (w, h)
    out = [tuple(pts[0])]
    for a, b in zip(pts[:-1], pts[1:]):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        for t in np.linspace(0, 1, n + 1)[1:]:
            out.append(tuple(a + (b - a) * t))
    return [(round(x, 1), round(y, 1)) for x, y in out]


def draw_strokes(canvas: QWidget, strokes: Sequence[Sequence[tuple[float, float]]],
                 on_move: Callable[[], None] | None = None) -> int:
    """Draw with synthetic mouse events (press, moves, release per stroke); returns moves sent."""
    moves = 0
    for points in strokes:
        send_mouse(canvas, QEvent.Type.MouseButtonPress, points[0])
        for p in points[1:]:
            send_mouse(canvas, QEvent.Type.MouseMove, p)
            moves += 1
            if on_move is not None:
                on_move()
        send_mouse(canvas, QEvent.Type.MouseButtonRelease, points[-1])
    return moves


def draw_digit(canvas: QWidget, digit: int) -> None:
    size = (canvas.width(), canvas.height())
    draw_strokes(canvas, [path_points(p, size) for p in DIGIT_PATHS[digit]])


@dataclass
class Context:
    """What a check gets: the window, the process start, and helpers."""

    window: object
    process_start: float
    times: dict[str, float] = field(default_factory=dict)

    def since_start(self) -> float:
        return time.perf_counter() - self.process_start

    def wait_until(self, predicate: Callable[[], bool], timeout_s: float) -> bool:
        """Process events until ``predicate()`` is true; False on timeout."""
        app = QApplication.instance()
        timer = QElapsedTimer()
        timer.start()
        while not predicate():
            if timer.elapsed() > timeout_s * 1000:
                return False
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.001)
        return True

    def wait_for_answer(self, timeout_s: float = ANSWER_TIMEOUT_S):
        """Wait until both models answered the canvas's current drawing; the result or None."""
        window = self.window
        canvas = window.draw_tab.canvas

        def answered():
            latest = window.live.latest
            return (latest is not None and latest.revision == canvas.revision
                    and (latest.empty or len(latest.probabilities) >= 2))

        return window.live.latest if self.wait_until(answered, timeout_s) else None


# --------------------------------------------------------------------------- built-in checks


@check("draw_predict", order=0)
def _draw_predict(ctx: Context) -> tuple[bool, str]:
    """Draw a 1 and a 7 with the mouse; both models must read them."""
    window = ctx.window
    canvas = window.draw_tab.canvas
    details = []
    ok = True
    for digit in (1, 7):
        canvas.clear()
        draw_digit(canvas, digit)
        result = ctx.wait_for_answer()
        if result is None or result.empty:
            return False, f"no answer for the drawn {digit}"
        ctx.times.setdefault("first_prediction_s", ctx.since_start())
        reads = {n: int(np.argmax(p)) for n, p in result.probabilities.items()}
        sane = all(abs(float(np.sum(p)) - 1) < 1e-3 for p in result.probabilities.values())
        passed = sane and all(r == digit for r in reads.values())
        ok = ok and passed
        details.append(f"drew {digit}: " + ", ".join(f"{n} read {r}" for n, r in reads.items()))
    return ok, "; ".join(details)


@check("views_painted", order=1)
def _views_painted(ctx: Context) -> tuple[bool, str]:
    """The bars, the input and every activation map paint the current drawing."""
    tab = ctx.window.draw_tab
    revision = tab.canvas.revision
    ok = ctx.wait_until(lambda: tab.painted_revision() >= revision, ANSWER_TIMEOUT_S)
    return ok, f"painted revision {tab.painted_revision()} of {revision}"


@check("empty_asks_no_model", order=2)
def _empty(ctx: Context) -> tuple[bool, str]:
    window = ctx.window
    before = window.live.worker.runs
    window.draw_tab.canvas.clear()
    result = ctx.wait_for_answer()
    ok = result is not None and result.empty and window.live.worker.runs == before
    return ok, "cleared canvas: no model asked" if ok else "the cleared canvas asked a model"


# --------------------------------------------------------------------------- runners


def _import_check_modules() -> None:
    for index, name in enumerate(CHECK_MODULES):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for offset, (check_name, fn) in enumerate(getattr(module, "CHECKS", {}).items()):
            if check_name not in CHECKS:
                CHECKS[check_name] = Check(check_name, _adopt(fn), 100 + 10 * index + offset)


def _adopt(fn: Callable[[object], bool]) -> Callable[[Context], tuple[bool, str]]:
    """A ``fn(live_models) -> bool`` check as a registered one."""

    def run_check(ctx: Context) -> tuple[bool, str]:
        passed = bool(fn(ctx.window.live))
        return passed, (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""

    return run_check


def _open_window(size=(1280, 800)):
    from digitlab.app.main_window import MainWindow
    from digitlab.app.storage import DATA_DIR_ENV

    # The self-test and the screenshots never read or write the user's own files (settings,
    # saved handwriting, models, the log): a fresh folder stands in for the per-user one.
    if not os.environ.get(DATA_DIR_ENV):
        folder = tempfile.mkdtemp(prefix="digitlab-selftest-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ[DATA_DIR_ENV] = folder
    window = MainWindow()
    window.resize(*size)
    window.show()
    return window


def run(timings: bool, process_start: float) -> int:
    """Open the window offscreen, run every registered check, print one JSON line last."""
    app = QApplication.instance()
    window = _open_window()
    ctx = Context(window, process_start)
    app.processEvents()
    ctx.times["window_shown_s"] = ctx.since_start()
    # Draw before the models are ready: drawing must work while they load.
    draw_digit(window.draw_tab.canvas, 1)
    checks: dict[str, str] = {}
    details: dict[str, str] = {}
    if ctx.wait_until(lambda: window.live.ready, MODELS_TIMEOUT_S):
        ctx.times["models_ready_s"] = ctx.since_start()
        _import_check_modules()  # after TensorFlow is in: feature modules may import Keras
        first = ctx.wait_for_answer()
        if first is not None and not first.empty:
            ctx.times["first_prediction_s"] = ctx.since_start()
        for item in sorted(CHECKS.values(), key=lambda c: c.order):
            try:
                passed, detail = item.run(ctx)
            except Exception as exc:  # noqa: BLE001 - a crashing check fails, the rest still run
                passed, detail = False, f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            checks[item.name] = "pass" if passed else "fail"
            details[item.name] = detail
            print(f"{item.name}: {checks[item.name]} ({detail})", file=sys.stderr)
    else:
        checks["models_ready"] = "fail"
        details["models_ready"] = f"models not ready within {MODELS_TIMEOUT_S:g} s"
    window.close()
    app.processEvents()
    report = {"checks": checks,
              "window_shown_s": _round(ctx.times.get("window_shown_s")),
              "models_ready_s": _round(ctx.times.get("models_ready_s")),
              "first_prediction_s": _round(ctx.times.get("first_prediction_s"))}
    if timings:
        report["details"] = details
        print(f"window shown   {report['window_shown_s']} s after start", file=sys.stdout)
        print(f"models ready   {report['models_ready_s']} s", file=sys.stdout)
        print(f"first answer   {report['first_prediction_s']} s", file=sys.stdout)
    print(json.dumps(report))
    if sys.stdout is not None:  # None in a windowed build
        sys.stdout.flush()
    return 0 if checks and all(v == "pass" for v in checks.values()) else 1


def _round(value):
    return None if value is None else round(value, 3)


SCREEN_SIZES = ((1280, 800), (1920, 1080))


def screenshots(folder: str) -> int:
    """Save a PNG of each tab, with a digit drawn, at 1280x800 (and full HD as ``*-1920x1080``)."""
    app = QApplication.instance()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    window = _open_window()
    ctx = Context(window, time.perf_counter())
    if not ctx.wait_until(lambda: window.live.ready, MODELS_TIMEOUT_S):
        print("screenshots: the models did not load", file=sys.stderr)
        window.close()
        return 1
    saved = []
    for size in SCREEN_SIZES:
        window.resize(*size)
        window.tabs.setCurrentIndex(0)
        app.processEvents()
        canvas = window.draw_tab.canvas
        canvas.clear()
        draw_digit(canvas, 7)
        QApplication.sendEvent(canvas, QEvent(QEvent.Type.Leave))  # no brush outline in shots
        ctx.wait_for_answer()
        ctx.wait_until(lambda: window.draw_tab.painted_revision() >= canvas.revision, 10)
        suffix = "" if size == SCREEN_SIZES[0] else f"-{size[0]}x{size[1]}"
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            for _ in range(5):
                app.processEvents()
            ready = getattr(window.tabs.widget(index), "screenshot_ready", None)
            if callable(ready):  # a tab that computes after it is shown (Explain)
                ctx.wait_until(ready, MODELS_TIMEOUT_S)
                for _ in range(5):
                    app.processEvents()
            title = window.tabs.tabText(index).replace("&", "").lower().replace(" ", "-")
            path = out / f"{title}{suffix}.png"
            window.grab().save(str(path))
            saved.append(str(path))
        window.tabs.setCurrentIndex(0)
    window.close()
    app.processEvents()
    for path in saved:
        print(path)
    return 0


