"""The QApplication Digit Lab runs in: its name and icon, and the offscreen platform that
``digitlab selftest`` and ``digitlab screenshots`` use."""

from __future__ import annotations

import os
import sys

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


_collector = None
"""The one collector of the process (there is one QApplication)."""


def collect_garbage_between_events(app: QApplication):
    """Let Python's cycle collector run only from ``app``'s event loop, between events (on a
    1 s timer, when its thresholds are passed), never in the middle of a Qt call.

    Left automatic, the collector runs wherever an allocation tips its count. Once it ran
    inside ``QObject::disconnect`` (pyqtgraph re-parenting an item) and destroyed a garbage
    menu there, whose destructor waited forever for the lock ``disconnect`` held: the window
    froze. pyqtgraph's ``GarbageCollector`` turns automatic collection off (for the whole
    process: worker threads never collect either; the Train tab settles a run's leftovers
    with :func:`~digitlab.model.nets.run_progress.settle_garbage` once its thread ended) and
    collects on a timer. Returns it (one per process; its :meth:`check` also collects at a
    safe point of the caller's).
    """
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=1.0)
    return _collector
