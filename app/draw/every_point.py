"""Every pointer move of a stroke reaches the canvas: Qt's merging of queued moves is held off.

Qt merges queued mouse moves and touch updates into the newest one
(``AA_CompressHighFrequencyEvents``, on by default): a stroke drawn while the GUI thread is
busy (an answer being painted, a training run) loses its curve and becomes straight lines.
The canvas holds merging off while a stroke is drawn and lets it be afterwards; pen (tablet)
moves are never merged (``AA_CompressTabletEvents`` is off by default).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt

MERGE = Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents


class EveryPoint:
    """:meth:`hold` turns move merging off (once, however often called); :meth:`release`
    puts back what was set before."""

    def __init__(self):
        self._before: bool | None = None

    def hold(self) -> None:
        if self._before is None:
            self._before = QCoreApplication.testAttribute(MERGE)
            QCoreApplication.setAttribute(MERGE, False)

    def release(self) -> None:
        if self._before is not None:
            QCoreApplication.setAttribute(MERGE, self._before)
            self._before = None
