"""The canvas's drawing without Qt: gestures as drawn, clipped to the paper, rescaled, undone.

The drawing widget (:class:`digitlab.app.draw.canvas.DrawingCanvas`) only collects points and
paints; everything it computes about its strokes is here, as pure functions and the small
:class:`StrokeHistory`, which tests import without a window. :func:`to_model_strokes` hands the
drawing to :func:`digitlab.model.preprocess.strokes.strokes_to_input`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from digitlab.model.preprocess.pen import clip_segments
from digitlab.model.preprocess.strokes import Stroke


@dataclass
class DrawnStroke:
    """One pen-down-to-pen-up gesture as the user made it.

    ``points`` are logical canvas px (x right, y down) and may lie outside the canvas; what
    counts is :func:`clip_polyline` of them. ``width`` is the brush diameter, logical px.
    """

    points: list[tuple[float, float]] = field(default_factory=list)
    width: float = 17.0
    erase: bool = False

    def as_array(self) -> np.ndarray:
        """The points as float64 ``(n, 2)`` (x, y), logical canvas px."""
        return np.asarray(self.points, dtype=np.float64).reshape(-1, 2)


def clip_polyline(points: np.ndarray, width: float, height: float) -> list[np.ndarray]:
    """Cut a polyline to the canvas rectangle ``[0, width] x [0, height]``.

    Parameters
    ----------
    points : float ``(n, 2)`` canvas px, ``n >= 1``.

    Returns
    -------
    The runs of the polyline inside the canvas, each float64 ``(m, 2)``, ``m >= 1``, in order:
    a stroke that leaves and comes back gives two runs; the part crossing the edge ends exactly
    on the edge. A single point inside gives one run of one point (a dot); outside gives none.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0:
        return []

    def inside(p):
        return 0.0 <= p[0] <= width and 0.0 <= p[1] <= height

    if len(pts) == 1:
        return [pts.copy()] if inside(pts[0]) else []
    if ((pts >= 0.0) & (pts <= (width, height))).all():
        return [pts.copy()]
    kept, starts, ends = clip_segments(pts[:-1], pts[1:], (0.0, 0.0), (width, height))
    runs: list[list[np.ndarray]] = []
    current: list[np.ndarray] = []
    # A run is closed when a segment leaves the canvas, so one left out (wholly outside)
    # never sits inside a run.
    for i, a, b in zip(np.flatnonzero(kept), starts, ends, strict=True):
        q = pts[i + 1]
        if current and np.array_equal(current[-1], a):
            current.append(b)
        else:
            if current:
                runs.append(current)
            current = [a, b]
        if not np.array_equal(b, q):  # left the canvas
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [np.asarray(run) for run in runs]


def to_model_strokes(strokes: Sequence[DrawnStroke], width: float, height: float) -> list[Stroke]:
    """The strokes as :func:`~digitlab.model.preprocess.strokes.strokes_to_input` takes them.

    Each run of a gesture inside the canvas ``[0, width] x [0, height]`` (logical px) becomes
    one :class:`~digitlab.model.preprocess.strokes.Stroke` (float64 ``(m, 2)`` points) with the
    gesture's brush width and eraser flag; parts outside the canvas are dropped.
    """
    out: list[Stroke] = []
    for stroke in strokes:
        for run in clip_polyline(stroke.as_array(), width, height):
            out.append(Stroke(run, float(stroke.width), bool(stroke.erase)))
    return out


def scale_strokes(strokes: Sequence[DrawnStroke], factor: float) -> list[DrawnStroke]:
    """The drawing scaled about the top-left corner (positions and brush widths alike).

    New :class:`DrawnStroke` s are returned; ``strokes`` are left as they were.
    """
    return [
        DrawnStroke([(x * factor, y * factor) for x, y in s.points], s.width * factor, s.erase)
        for s in strokes
    ]


def strokes_record(strokes: Sequence[DrawnStroke], width: float, height: float) -> dict:
    """A ``digitlab classify --strokes`` line for the drawing (ink strokes only, clipped).

    Returns ``{"strokes": [[[x, y], ...], ...], "canvas": [width, height]}`` in logical px.

    Eraser strokes and brush widths are not part of that format, so the record is exact only
    for drawings made with the default brush and no eraser.
    """
    runs = [s.points.tolist() for s in to_model_strokes(strokes, width, height) if not s.erase]
    return {"strokes": runs, "canvas": [width, height]}


PathPiece = tuple[tuple[float, float], tuple[float, float]]
"""One quadratic Bezier piece of a smoothed stroke: ``(control, end)``, each ``(x, y)``."""


def smooth_path_points(points: np.ndarray) -> list[PathPiece]:
    """Quadratic Bezier pieces through the midpoints of a polyline (for display only).

    ``points`` is float ``(n, 2)`` (x, y), any frame; the pieces are in the same frame.

    Returns ``[(control, end), ...]`` to follow ``moveTo(points[0])``; the curve passes through
    the first point, every midpoint and the last point, and never leaves the polyline's hull,
    so fast strokes look round without inventing ink the model does not see.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) < 3:
        return [(tuple(p), tuple(p)) for p in pts[1:]]
    return [*settled_path_pieces(pts), (tuple(pts[-1]), tuple(pts[-1]))]


def settled_path_pieces(points: np.ndarray) -> list[PathPiece]:
    """The pieces of :func:`smooth_path_points` that later points never change: one per point
    but the last, from that point (control) to its midpoint with the next (end).

    For a polyline of three or more points they are all its pieces but the closing one; for
    points ``i..n-1`` of a longer polyline they are its pieces ``i..n-2``, so a stroke that
    grows can add the pieces of its new points alone.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    mids = (pts[:-1] + pts[1:]) / 2.0
    return [(tuple(p), tuple(m)) for p, m in zip(pts[:-1], mids, strict=True)]


MAX_UNDO_CLEARS = 50
"""Cleared drawings kept for undo; older ones are forgotten, so memory stays flat over long use."""


class StrokeHistory:
    """The drawing as a list of gestures with per-gesture undo and redo (no Qt)."""

    def __init__(self) -> None:
        self.strokes: list[DrawnStroke] = []
        self._redo: list[list[DrawnStroke] | DrawnStroke] = []
        self._undo_clear: list[list[DrawnStroke]] = []

    def add(self, stroke: DrawnStroke) -> None:
        """A finished gesture; whatever could be redone is forgotten."""
        self.strokes.append(stroke)
        self._redo.clear()

    def undo(self) -> bool:
        """Take back the last gesture (or the last clear). False when nothing to undo."""
        if self.strokes:
            self._redo.append(self.strokes.pop())
            return True
        if self._undo_clear:  # undoing a clear brings the whole drawing back
            self.strokes = self._undo_clear.pop()
            self._redo.append([])
            return True
        return False

    def redo(self) -> bool:
        """Put back the last gesture (or clear) undone. False when nothing to redo."""
        if not self._redo:
            return False
        item = self._redo.pop()
        if isinstance(item, list):  # redo the clear
            self._keep_cleared(self.strokes)
            self.strokes = []
        else:
            self.strokes.append(item)
        return True

    def clear(self) -> bool:
        """Start again, keeping the drawing for undo. False when there was nothing drawn."""
        if not self.strokes:
            return False
        self._keep_cleared(self.strokes)
        self.strokes = []
        self._redo.clear()
        return True

    def _keep_cleared(self, strokes: list[DrawnStroke]) -> None:
        self._undo_clear.append(strokes)
        del self._undo_clear[:-MAX_UNDO_CLEARS]

    @property
    def can_undo(self) -> bool:
        return bool(self.strokes or self._undo_clear)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)
