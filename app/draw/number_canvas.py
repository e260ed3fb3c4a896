"""The Number mode's paper: a wide canvas (three times as wide as high) that outlines each
digit found, and the holder that keeps it at that shape however the window is sized."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from digitlab.app.draw.canvas import DrawingCanvas
from digitlab.app.widgets.styles import MARK, MUTED, model_colour

ASPECT = 3.0
"""Width over height of the number canvas."""


class NumberCanvas(DrawingCanvas):
    """A :class:`DrawingCanvas` for a whole number: wide, and boxed digit by digit.

    :meth:`show_digits` outlines the digits of the latest reading (boxes in the canvas's
    pixels at the time of that reading) with the CNN's reading above each; the selected one
    (shown in detail) is outlined in the mark colour.
    """

    hint_text = "Write a number, left to right"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(300, 100)
        self.setAcceptDrops(False)  # pictures of numbers: `digitlab read IMAGE`
        self.setToolTip("Write a number: each digit is found, boxed and read by both models")
        self.setAccessibleName("Number paper")
        self.setAccessibleDescription(
            "Write a whole number here, left to right; each digit is found, boxed and read "
            "by both models. Ctrl+Z undoes a stroke, Delete clears."
        )
        self.boxes: list[tuple[int, int, int, int]] = []
        self.labels: list[str] = []
        self.selected: int | None = None
        self._box_canvas = (1.0, 1.0)

    def heightForWidth(self, width: int) -> int:
        return int(round(width / ASPECT))

    def sizeHint(self) -> QSize:
        return QSize(900, 300)

    def show_digits(
        self,
        boxes: Sequence[tuple[int, int, int, int]],
        labels: Sequence[str],
        selected: int | None,
        canvas: tuple[float, float],
    ) -> None:
        """Outline ``boxes`` (``(x0, y0, x1, y1)`` in a canvas of size ``canvas``) with
        ``labels`` above them; ``selected``: the index outlined as chosen, or None."""
        self.boxes = [tuple(b) for b in boxes]
        self.labels = list(labels)
        self.selected = selected
        self._box_canvas = (max(canvas[0], 1.0), max(canvas[1], 1.0))
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.boxes:
            return
        sx = self.width() / self._box_canvas[0]
        sy = self.height() / self._box_canvas[1]
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        for k, (x0, y0, x1, y1) in enumerate(self.boxes):
            chosen = k == self.selected
            colour = QColor(MARK if chosen else model_colour("cnn"))
            pen = QPen(colour, 2.0 if chosen else 1.2)
            pen.setStyle(Qt.PenStyle.SolidLine if chosen else Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            rect = QRectF(x0 * sx, y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy).intersected(
                QRectF(self.rect()).adjusted(1, 1, -1, -1)
            )
            painter.drawRect(rect)
            if k < len(self.labels):
                painter.setPen(QColor(colour if chosen else MUTED))
                # Above the box where there is room, so the label never covers the ink.
                above = rect.top() >= 18
                tag = QRectF(rect.left() + 1, rect.top() - 17 if above else rect.top() + 1, 40, 16)
                painter.drawText(tag, Qt.AlignmentFlag.AlignLeft, self.labels[k])
        painter.end()
