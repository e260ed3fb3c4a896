"""The drawing canvas: collects pen, mouse and touch strokes, paints them, and hands them on.

The widget only gathers points and paints (:mod:`digitlab.app.draw.stroke_painting`). The
geometry (clipping, rescaling on resize, undo and redo) is Qt-free, in
:mod:`digitlab.model.preprocess.canvas_strokes`. The models never read the pixels shown here:
the canvas emits its strokes, and :func:`digitlab.model.preprocess.strokes.strokes_to_input`
turns them into the 28x28 input (the one path shared with ``digitlab classify --strokes``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPixmap, QTabletEvent, QTouchEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitlab.app.draw.every_point import EveryPoint
from digitlab.app.draw.file_drop import accept_file_drag, take_dropped_file
from digitlab.app.draw.stroke_painting import (
    PAPER,
    GrowingPath,
    draw_stroke,
    paint_decorations,
    paint_strokes,
    tail_area,
)
from digitlab.model.preprocess.canvas_strokes import (
    DrawnStroke,
    StrokeHistory,
    scale_strokes,
    to_model_strokes,
)
from digitlab.model.preprocess.strokes import Stroke, default_brush_width

MIN_BRUSH, MAX_BRUSH = 4.0, 48.0
"""Brush diameters the size slider offers, logical px."""

_ENDS_PREVIEW = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TabletPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Resize,
)
"""Events that end a preview: the user starts drawing, or the paper changes size."""


class DrawingCanvas(QWidget):
    """A square sheet of paper to draw a digit on with mouse, pen or finger.

    Signals
    -------
    strokes_changed(int)
        The drawing changed (every move while drawing, undo, redo, clear); carries
        :attr:`revision`. Read :meth:`model_strokes` and :meth:`canvas_size` for the drawing.
    history_changed()
        Undo or redo became (un)available.
    file_dropped(str)
        A local file was dropped on the paper (the window decides what to do with it).
    """

    # Emitted on every change of the drawing, with the new revision number.
    strokes_changed = Signal(int)
    # Emitted when can_undo / can_redo may have changed.
    history_changed = Signal()
    # A local file was dropped on the canvas: its path.
    file_dropped = Signal(str)
    # Strokes shown instead of the drawing (show_preview), or None.
    _preview: list[DrawnStroke] | None = None
    # The words on empty paper.
    hint_text = "Draw a digit here"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.history = StrokeHistory()
        self.revision = 0
        self.erasing = False
        self._current: DrawnStroke | None = None
        self._cache: QPixmap | None = None
        self._growing = GrowingPath()  # the stroke in progress, traced as it grows
        self._hover: QPointF | None = None
        self._painted_hover: QPointF | None = None  # where the brush outline was painted
        self._brush = 0.0
        self._last_size = QSize()
        self._history_state: tuple[bool, bool, bool] | None = None
        self._every_point = EveryPoint()  # no merged moves while a stroke is drawn
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(200, 200)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setToolTip(
            "Draw a digit here with the mouse, a pen or a finger, or drop a picture of one"
        )
        self.setAcceptDrops(True)
        self.setAccessibleName("Drawing paper")
        self.setAccessibleDescription(
            "Draw one digit here with the mouse, a pen or a finger; both models read it as "
            "you draw. Ctrl+Z undoes a stroke, Delete clears, E and P switch eraser and pen."
        )

    # ---------------------------------------------------------------- state

    def canvas_size(self) -> tuple[float, float]:
        """The canvas's size in logical px (the frame the stroke points are in)."""
        return float(self.width()), float(self.height())

    def brush_width(self) -> float:
        """The brush diameter in logical px (the default brush until set)."""
        return self._brush or default_brush_width(self.canvas_size())

    def set_brush_width(self, width: float) -> None:
        self._brush = float(min(max(width, MIN_BRUSH), MAX_BRUSH))
        self.update()

    def set_erasing(self, erasing: bool) -> None:
        self.erasing = bool(erasing)
        self.update()

    def strokes(self) -> list[DrawnStroke]:
        """The finished gestures plus the one in progress (a preview's, while one is shown)."""
        if self._preview is not None:
            return list(self._preview)
        done = list(self.history.strokes)
        if self._current is not None:
            done.append(self._current)
        return done

    def model_strokes(self) -> list[Stroke]:
        """The drawing as the preprocessing takes it (clipped runs with width and eraser flag)."""
        return to_model_strokes(self.strokes(), *self.canvas_size())

    def is_empty(self) -> bool:
        return not any(not s.erase for s in self.model_strokes())

    def undo(self) -> None:
        self._finish()
        if self.history.undo():
            self._changed(redraw=True)

    def redo(self) -> None:
        self._finish()
        if self.history.redo():
            self._changed(redraw=True)

    def clear(self) -> None:
        self._finish()
        if self.history.clear():
            self._changed(redraw=True)

    def set_strokes(self, strokes: Sequence[DrawnStroke]) -> None:
        """Replace the drawing (undoable like a clear followed by drawing)."""
        self._finish()
        self.history.clear()
        for s in strokes:
            self.history.add(s)
        self._changed(redraw=True)

    def _changed(self, redraw: bool = False, area: QRect | None = None) -> None:
        if self._current is not None:
            self._every_point.hold()
        if redraw:
            self._cache = None
        self.revision += 1
        self.update() if area is None else self.update(area)  # a pen move: its tail only
        self.strokes_changed.emit(self.revision)
        self._emit_history()

    def _emit_history(self) -> None:
        # Only when undo/redo availability really changed: buttons re-laid out on every
        # move would cost the live view milliseconds.
        state = (
            self.history.can_undo or self._current is not None,
            self.history.can_redo,
            bool(self.history.strokes),
        )
        if state != self._history_state:
            self._history_state = state
            self.history_changed.emit()

    # ---------------------------------------------------------------- input

    def _begin(self, pos: QPointF) -> None:
        self._current = DrawnStroke([(pos.x(), pos.y())], self.brush_width(), self.erasing)
        self._changed()

    def _extend(self, pos: QPointF) -> None:
        if self._current is None:
            return
        p = (pos.x(), pos.y())
        if self._current.points[-1] == p:
            return
        self._current.points.append(p)
        w = self._current.width
        self._changed(area=tail_area(self._current.points, w, self._painted_hover, self._hover))

    def _finish(self) -> None:
        self._every_point.release()
        self.end_preview()  # the drawing is about to change: show it
        if self._current is None:
            return
        stroke, self._current = self._current, None
        self.history.add(stroke)
        self._paint_into_cache(stroke)
        self._emit_history()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        elif event.button() == Qt.MouseButton.RightButton:  # right-drag erases
            self._current = DrawnStroke(
                [(event.position().x(), event.position().y())], self.brush_width(), True
            )
            self._changed()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._hover = event.position()
        if self._current is not None:
            self._extend(event.position())
        else:
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._current is not None:
            self._extend(event.position())
            self._finish()

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        erase = event.pointerType() == event.pointerType().Eraser
        if kind == QEvent.Type.TabletPress:
            self._current = DrawnStroke(
                [(event.position().x(), event.position().y())],
                self.brush_width(),
                self.erasing or erase,
            )
            self._changed()
        elif kind == QEvent.Type.TabletMove:
            self._hover = event.position()
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._extend(event.position())
            self._finish()
        event.accept()  # no synthesised mouse events: the pen is handled here

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if self._preview is not None and kind in _ENDS_PREVIEW:
            self.end_preview()
        if kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            self._touch(event)  # type: ignore[arg-type]
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        points = event.points()
        if not points:
            self._finish()
            return
        pos = points[0].position()  # one finger draws; more fingers are ignored
        kind = event.type()
        if kind == QEvent.Type.TouchBegin:
            self._begin(pos)
        elif kind == QEvent.Type.TouchUpdate:
            self._extend(pos)
        else:
            if kind == QEvent.Type.TouchEnd:
                self._extend(pos)
            self._finish()
        event.accept()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Escape, Qt.Key.Key_Backspace):
            self.clear()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event) -> None:
        accept_file_drag(event)

    def dragMoveEvent(self, event) -> None:
        accept_file_drag(event)

    def dropEvent(self, event) -> None:
        path = take_dropped_file(event)
        if path is not None:
            self.file_dropped.emit(path)

    # ---------------------------------------------------------------- geometry & paint

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def resizeEvent(self, event) -> None:
        old = self._last_size
        new = event.size()
        self._last_size = QSize(new)
        if (
            old.isValid()
            and old.width() > 0
            and new != old
            and (self.history.strokes or self._current)
        ):
            # Keep the drawing where it was relative to the paper (the canvas stays square).
            factor = min(new.width(), new.height()) / max(1, min(old.width(), old.height()))
            self.history.strokes = scale_strokes(self.history.strokes, factor)
            if self._current is not None:
                self._current = scale_strokes([self._current], factor)[0]
            if self._brush:
                self._brush = min(max(self._brush * factor, MIN_BRUSH), MAX_BRUSH)
            self._changed(redraw=True)
        self._cache = None
        super().resizeEvent(event)

    def _ensure_cache(self) -> QPixmap:
        dpr = self.devicePixelRatioF()
        size = self.size() * dpr
        if self._cache is None or self._cache.size() != size:
            # Finished strokes are painted once into a pixmap at device resolution (sharp on
            # high-DPI screens); a move only repaints the stroke in progress on top.
            self._cache = QPixmap(size)
            self._cache.setDevicePixelRatio(dpr)
            self._cache.fill(PAPER)
            paint_strokes(self._cache, self._shown(), self.width(), self.height())
        return self._cache

    def _paint_into_cache(self, stroke: DrawnStroke) -> None:
        if self._cache is not None:
            paint_strokes(self._cache, [stroke], self.width(), self.height())

    def paintEvent(self, event) -> None:
        self._painted_hover = self._hover
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._ensure_cache())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(self.rect())
        if self._current is not None:
            draw_stroke(painter, self._current, self._growing.path(self._current))
        paint_decorations(
            painter,
            self.rect(),
            empty=not self._shown() and self._current is None,
            hover=self._hover,
            brush_width=self.brush_width(),
            erasing=self.erasing,
            hint=self.hint_text,
        )
        painter.end()

    # ---------------------------------------------------------------- preview

    def show_preview(self, strokes: Sequence[DrawnStroke]) -> None:
        """Show ``strokes`` in place of the drawing, outside the drawing and its undo history
        (the Explain tab's replay shows its frames so).

        While a preview is shown, :meth:`strokes`, :meth:`model_strokes` and
        :attr:`strokes_changed` report it, so the live models read it; the drawing, undo and
        redo are left as they were. :meth:`end_preview` shows the drawing again, and so does
        anything that changes it (drawing, undo, redo, clear) or the paper's size.
        """
        if self._current is not None:  # a stroke in progress belongs to the drawing
            self._finish()
        self._preview = list(strokes)
        self._changed(redraw=True)

    def end_preview(self) -> None:
        """Show the drawing again after :meth:`show_preview` (nothing when none is shown)."""
        if self._preview is None:
            return
        self._preview = None
        self._changed(redraw=True)

    @property
    def previewing(self) -> bool:
        """A preview is shown instead of the drawing (see :meth:`show_preview`)."""
        return self._preview is not None

    def _shown(self) -> list[DrawnStroke]:
        """The finished gestures on the paper: the preview's, or the drawing's."""
        return self.history.strokes if self._preview is None else self._preview
