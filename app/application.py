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
    return app
