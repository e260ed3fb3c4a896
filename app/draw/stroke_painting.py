"""How the canvas paints: strokes as smoothed, round-capped paths, and the paper's decorations.

Pure painting helpers for :class:`digitlab.app.draw.canvas.DrawingCanvas`, which keeps its
finished strokes in a pixmap and repaints only the stroke in progress on top. These draw what the
user sees, never what the models read (that is the strokes themselves, turned into the 28x28
input by :func:`digitlab.model.preprocess.strokes.strokes_to_input`). Coordinates are the
canvas's logical px.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPaintDevice, QPainter, QPainterPath, QPen

from digitlab.app.widgets import styles
from digitlab.model.preprocess.canvas_strokes import (
    DrawnStroke,
    settled_path_pieces,
    smooth_path_points,
)

PAPER = QColor(styles.PAPER)
INK = QColor("#16181d")
BORDER = QColor("#c9ccd3")
_HINT = QColor("#9aa0aa")
_BRUSH_OUTLINE = QColor("#5b8def")
_ERASER_OUTLINE = QColor("#e0803a")


def smoothed_path(points: Sequence[tuple[float, float]]) -> QPainterPath:
    """A smoothed painter path through ``points`` (logical px), for display only."""
    path = QPainterPath()
    if not points:
        return path
    path.moveTo(*points[0])
    for (cx, cy), (ex, ey) in smooth_path_points(np.asarray(points)):
        path.quadTo(cx, cy, ex, ey)
    return path


def stroke_pen(stroke: DrawnStroke) -> QPen:
    """The round-capped pen of ``stroke``: ink, or paper when it erases, ``stroke.width`` wide."""
    pen = QPen(PAPER if stroke.erase else INK, stroke.width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


class GrowingPath:
    """The smoothed path of the stroke in progress, whose points only grow: each call adds
    the pieces of the points added since the last instead of tracing the whole stroke again
    (the same path as :func:`smoothed_path`; a long stroke cost milliseconds per pen move)."""

    def __init__(self) -> None:
        self._stroke: DrawnStroke | None = None
        self._fixed = QPainterPath()  # moveTo(first) and the pieces that no new point changes
        self._pieces = 0

    def path(self, stroke: DrawnStroke) -> QPainterPath:
        pts = stroke.points
        if len(pts) < 3:
            return smoothed_path(pts)
        if stroke is not self._stroke or len(pts) <= self._pieces:
            self._stroke = stroke
            self._fixed = QPainterPath()
            self._fixed.moveTo(*pts[0])
            self._pieces = 0
        for (cx, cy), (ex, ey) in settled_path_pieces(np.asarray(pts[self._pieces :])):
            self._fixed.quadTo(cx, cy, ex, ey)
        self._pieces = len(pts) - 1
        path = QPainterPath(self._fixed)
        path.quadTo(*pts[-1], *pts[-1])
        return path


def tail_area(points: Sequence[tuple[float, float]], width: float, *rings: QPointF | None) -> QRect:
    """What a point added to a stroke changes on the canvas, logical px: its last few points
    (the smoothed tail is traced again through them) widened by the pen, and the brush outline
    around each of ``rings`` (where the pointer was painted, where it is now)."""
    reach = width / 2 + 2
    xs = [x for x, _ in points[-4:]] + [p.x() for p in rings if p is not None]
    ys = [y for _, y in points[-4:]] + [p.y() for p in rings if p is not None]
    return QRectF(
        min(xs) - reach,
        min(ys) - reach,
        max(xs) - min(xs) + 2 * reach,
        max(ys) - min(ys) + 2 * reach,
    ).toAlignedRect()


def draw_stroke(painter: QPainter, stroke: DrawnStroke, path: QPainterPath | None = None) -> None:
    """Paint one stroke with ``painter`` (a single point is a dot) along ``path``, its smoothed
    path (traced here when not given)."""
    painter.setPen(stroke_pen(stroke))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if len(stroke.points) == 1:  # a click is a dot
        painter.drawPoint(QPointF(*stroke.points[0]))
    else:
        painter.drawPath(smoothed_path(stroke.points) if path is None else path)


def paint_strokes(
    device: QPaintDevice, strokes: Iterable[DrawnStroke], width: float, height: float
) -> None:
    """Paint ``strokes`` onto ``device`` (antialiased), clipped to ``width`` x ``height``."""
    painter = QPainter(device)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setClipRect(QRectF(0, 0, width, height))
    for stroke in strokes:
        draw_stroke(painter, stroke)
    painter.end()


def paint_decorations(
    painter: QPainter,
    rect: QRect,
    *,
    empty: bool,
    hover: QPointF | None,
    brush_width: float,
    erasing: bool,
    hint: str = "Draw a digit here",
) -> None:
    """Paint what lies over the strokes: the ``hint`` on empty paper, the brush outline under the
    pointer (``hover``, so the brush's size shows before drawing), and the border of ``rect``.
    """
    if empty:
        painter.setPen(_HINT)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, hint)
    if hover is not None:
        r = brush_width / 2
        painter.setPen(QPen(_ERASER_OUTLINE if erasing else _BRUSH_OUTLINE, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(hover, r, r)
    painter.setPen(QPen(BORDER, 1))
    painter.drawRect(QRectF(0.5, 0.5, rect.width() - 1, rect.height() - 1))
