"""The Explain tab's replay: the drawing redrawn stroke by stroke on the Draw tab's canvas,
so both models' answers (and the explanations) move as the strokes come back.

The frames are shown as the canvas's *preview*
(:meth:`digitlab.app.draw.canvas.DrawingCanvas.show_preview`): the drawing and its undo and
redo history are never touched, and the drawing is back when the replay ends. Drawing on
the canvas meanwhile ends the preview, and the replay with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from digitlab.model.explain.replay import ReplayFrame, replay_frames

INTERVAL_MS = 90
"""Time between frames."""


class PreviewCanvas(Protocol):
    """What the replay needs of a canvas (the Draw tab's ``DrawingCanvas`` has it)."""

    def strokes(self) -> list[Any]: ...
    def show_preview(self, strokes: Sequence[Any]) -> None: ...
    def end_preview(self) -> None: ...
    @property
    def previewing(self) -> bool: ...


class StrokeReplay(QObject):
    """Plays a canvas's strokes back as previews, one frame every :data:`INTERVAL_MS`.

    Signals
    -------
    moved(float)
        A frame is shown: where it sits in strokes (stroke ``i`` complete is ``i + 1``).
    finished()
        The replay ended (played out, stopped, or the user took the canvas back).
    """

    # A frame is shown: its position on the strokes axis.
    moved = Signal(float)
    # The replay ended; the drawing shows again.
    finished = Signal()

    def __init__(self, canvas: PreviewCanvas, parent: QObject | None = None):
        super().__init__(parent)
        self.canvas = canvas
        self._frames: list[ReplayFrame] = []
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._step)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> bool:
        """Start from a blank paper; False (nothing happens) when nothing is drawn."""
        frames = replay_frames(self.canvas.strokes())
        if not frames or self.running:
            return False
        self._frames = frames
        self.canvas.show_preview([])
        self._timer.start()
        return True

    def stop(self) -> None:
        """End the replay now and show the drawing again (nothing when none runs)."""
        if not self.running:
            return
        self._timer.stop()
        self._frames = []
        self.canvas.end_preview()
        self.finished.emit()

    def _step(self) -> None:
        if not self.canvas.previewing or not self._frames:
            self.stop()  # the user drew, undid or cleared: the canvas is theirs again
            return
        frame = self._frames.pop(0)
        if not self._frames:
            self.stop()  # the last frame is the drawing itself
            return
        self.canvas.show_preview(frame.strokes)
        self.moved.emit(frame.position)
