"""Files dropped on the canvas: which drags it accepts, and the local file a drop carries.

The canvas accepts a drag that carries a local file and hands the file's path on
(:attr:`digitlab.app.draw.canvas.DrawingCanvas.file_dropped`); the window decides what to do with
it (a picture becomes the drawing's input).
"""

from __future__ import annotations

from PySide6.QtGui import QDragMoveEvent, QDropEvent


def dropped_file(mime) -> str | None:
    """The first local file among a drag's URLs (``QMimeData``), or None."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile():
            return url.toLocalFile()
    return None


def accept_file_drag(event: QDragMoveEvent) -> None:
    """Accept a drag (enter or move) that carries a local file; ignore any other."""
    if dropped_file(event.mimeData()) is not None:
        event.acceptProposedAction()
    else:
        event.ignore()


def take_dropped_file(event: QDropEvent) -> str | None:
    """Accept a drop that carries a local file and return its path; ignore any other (None)."""
    path = dropped_file(event.mimeData())
    if path is None:
        event.ignore()
    else:
        event.acceptProposedAction()
    return path
