"""What every self-test check shares: the :class:`Context` it is given, drawing with the
mouse, the timeouts, and opening the real window offscreen.

Check modules (``check_*.py``) and the runners import this module; it imports none of them.
A check is ``fn(ctx: Context) -> (passed, detail)``: see :mod:`digitlab.app.selftest.runner`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from digitlab.app.main_window import MainWindow
from digitlab.app.storage import DATA_DIR_ENV

MODELS_TIMEOUT_S = 180.0
"""How long the self-test and the screenshots wait for the models to load."""
ANSWER_TIMEOUT_S = 30.0
"""How long a check waits for both models to answer a drawing."""

# Digits as pen paths in fractions of the canvas (x right, y down); one list per stroke.
DIGIT_PATHS: dict[int, list[list[tuple[float, float]]]] = {
    1: [[(0.47, 0.18), (0.50, 0.50), (0.52, 0.84)]],
    7: [[(0.28, 0.22), (0.72, 0.22), (0.58, 0.48), (0.44, 0.82)]],
    0: [[(0.5 + 0.2 * np.sin(t), 0.5 - 0.3 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)]],
}


# --------------------------------------------------------------------------- driving the window


def send_mouse(
    widget: QWidget, kind: QEvent.Type, pos: tuple[float, float], button=Qt.MouseButton.LeftButton
) -> None:
    """Deliver one synthetic mouse event to ``widget`` now (press, move with the button held,
    or release), as a real pointer would. ``pos`` is in the widget's pixels."""
    local = QPointF(*pos)
    glob = QPointF(widget.mapToGlobal(local))
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else button
    pressed = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else button
    event = QMouseEvent(kind, local, glob, pressed, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def path_points(
    path: Sequence[tuple[float, float]], size: tuple[float, float], step: float = 4.0
) -> list[tuple[float, float]]:
    """Points every ``step`` px along a path given in canvas fractions (0..1, x right, y down),
    as ``(x, y)`` pixels of a canvas of ``size = (width, height)``, rounded to 0.1 px."""
    w, h = size
    pts = np.asarray(path, np.float64) * (w, h)
    out = [tuple(pts[0])]
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        for t in np.linspace(0, 1, n + 1)[1:]:
            out.append(tuple(a + (b - a) * t))
    return [(round(x, 1), round(y, 1)) for x, y in out]


def draw_strokes(
    canvas: QWidget,
    strokes: Sequence[Sequence[tuple[float, float]]],
    on_move: Callable[[], None] | None = None,
) -> int:
    """Draw with synthetic mouse events (press, moves, release per stroke; points in canvas
    pixels); returns the number of moves sent."""
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
    """Draw one of :data:`DIGIT_PATHS` (0, 1 or 7) on ``canvas`` with the mouse."""
    size = (canvas.width(), canvas.height())
    draw_strokes(canvas, [path_points(p, size) for p in DIGIT_PATHS[digit]])


@dataclass
class Context:
    """What a check gets: the window, the process start, and helpers."""

    window: MainWindow
    process_start: float
    times: dict[str, float] = field(default_factory=dict)

    def since_start(self) -> float:
        """Seconds since the process started."""
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
            return (
                latest is not None
                and latest.revision == canvas.revision
                and (latest.empty or len(latest.probabilities) >= 2)
            )

        return window.live.latest if self.wait_until(answered, timeout_s) else None


Check = Callable[[Context], tuple[bool, str]]
"""A self-test check: drives the window in ``ctx`` and returns ``(passed, detail)``."""


def open_window(size: tuple[int, int] = (1280, 800)) -> MainWindow:
    """The real window, shown at ``size``, on a fresh data folder (the QApplication exists)."""
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
