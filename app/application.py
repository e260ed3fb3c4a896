"""The QApplication Digit Lab runs in: its name and icon, and the offscreen platform that
``digitlab selftest`` and ``digitlab screenshots`` use."""

from __future__ import annotations

import gc
import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from digitlab.model.data.bundled import resource_path


def application(offscreen: bool = False) -> QApplication:
    """The running QApplication, created on first call (``offscreen``: on Qt's offscreen
    platform, which needs no window system)."""
    if offscreen and QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Digit Lab")
    app.setApplicationDisplayName("Digit Lab")
    app.setWindowIcon(QIcon(str(resource_path("icons", "digitlab.png"))))
    collect_garbage_between_events(app)
    return app


class GarbageCollector:
    """Python's cycle collector run from a Qt timer instead of automatically: every
    ``interval_s`` each generation whose count passed its threshold is collected (the
    youngest first), as automatic collection would have, but between events.

    Automatic collection is off while it lives (for the whole process).
    """

    def __init__(self, interval_s: float = 1.0):
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer()
        self.timer.timeout.connect(self.check)
        self.timer.start(int(interval_s * 1000))

    def check(self) -> None:
        """Collect what the thresholds call for, now."""
        l0, l1, l2 = gc.get_count()
        if l0 > self.threshold[0]:
            gc.collect(0)
            if l1 > self.threshold[1]:
                gc.collect(1)
                if l2 > self.threshold[2]:
                    gc.collect(2)


_collector: GarbageCollector | None = None
"""The one collector of the process (there is one QApplication)."""


def collect_garbage_between_events(app: QApplication):
    """Let Python's cycle collector run only from ``app``'s event loop, between events (on a
    1 s timer, when its thresholds are passed), never in the middle of a Qt call.

    Left automatic, the collector runs wherever an allocation tips its count. Once it ran
    inside ``QObject::disconnect`` (pyqtgraph re-parenting an item) and destroyed a garbage
    menu there, whose destructor waited forever for the lock ``disconnect`` held: the window
    froze. The :class:`GarbageCollector` (pyqtgraph's, written again here so
    that the window need not import pyqtgraph before its first answer) turns automatic
    collection off (for the whole
    process: worker threads never collect either; the Train tab settles a run's leftovers
    with :func:`~digitlab.model.nets.run_progress.settle_garbage` once its thread ended) and
    collects on a timer. Returns it (one per process; its :meth:`check` also collects at a
    safe point of the caller's).
    """
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval_s=1.0)
    return _collector
