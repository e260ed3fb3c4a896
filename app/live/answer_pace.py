"""Live answers at a gentler pace while a training run trains.

A live answer costs the window's thread about 5 ms (the models, the mosaics, the bars and
maps painted) and a pen sends 60-120 moves a second. Without a run that is the point: every
move answered. While a run trains, the window's milliseconds come out of training's: a
training step is split across the cores, so a core taken away delays the whole step.
:class:`AnswerPace` then lets at most one answer through per :data:`PACED_INTERVAL_MS`; the
newest request waits for its turn and older ones are dropped, so the last drawing is always
answered, at most that long after it changed. The ink itself is painted at once either way
(the canvas does not wait for answers).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot

PACED_INTERVAL_MS = 250
"""The least time between two live answers while a training run trains. With the Draw tab
shown and a drawing changing every 100 ms, answering each change left training at 0.906 of a
plain fit's throughput, and at most one answer per 250 ms at 0.955 and 0.963 in two runs
(``benchmarks/training_responsiveness.py``, 21 rounds each)."""


class AnswerPace(QObject):
    """Passes calls through at once, or, while paced, at most one per ``interval_ms``.

    :meth:`submit` a zero-argument callable that asks for an answer; while paced a call that
    comes too soon waits (replacing any call already waiting) and runs when its turn comes.
    """

    def __init__(self, interval_ms: int = PACED_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.interval_s = interval_ms / 1000
        self.paced = False
        self._last = -math.inf  # perf_counter() of the last call let through
        self._waiting: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_waiting)

    def set_paced(self, paced: bool) -> None:
        """Pace the calls (a run trains) or not; a call waiting when pacing ends runs now."""
        self.paced = bool(paced)
        if not self.paced and self._waiting is not None:
            self._timer.stop()
            self._run_waiting()

    def submit(self, call: Callable[[], None]) -> None:
        """Run ``call`` now, or when its turn comes (while paced)."""
        wait = self._last + self.interval_s - time.perf_counter()
        if not self.paced or (wait <= 0 and self._waiting is None):
            self._last = time.perf_counter()
            call()
            return
        self._waiting = call
        if not self._timer.isActive():
            self._timer.start(max(0, math.ceil(wait * 1000)))

    def drop(self) -> None:
        """Forget the call waiting, if any (a newer request made it stale)."""
        self._waiting = None
        self._timer.stop()

    @Slot()
    def _run_waiting(self) -> None:
        call, self._waiting = self._waiting, None
        if call is not None:
            self._last = time.perf_counter()
            call()
