"""Strokes into pieces of digits: pen-down strokes grouped by the columns they share.

A digit written with several strokes (a 4's two strokes, a 5's flag, a 7's crossbar) has
strokes that share most of their columns; neighbouring digits, even touching ones, share few.
Strokes sharing :data:`SAME_DIGIT_OVERLAP` of the narrower one's columns become one piece;
the rest is left to the cut search (:mod:`.search`). A piece wider than a digit (a number
written without lifting the pen) is cut at the low points of its column ink profile.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitlab.model.preprocess.strokes import Stroke, default_brush_width
from digitlab.model.segment.search import Piece, cut_columns, merge_overlapping, union_box

SAME_DIGIT_OVERLAP = 0.6
"""Share of the narrower stroke's columns that two strokes of one digit share at least."""
WIDE_PIECE = 2.0
"""A piece wider than this many line heights is cut into candidate slices (rarely needed:
digits are written with pen lifts between them; cutting wider ones misleads the search on
the dev set, 95.5% exact at 2.0, 86% at 1.1)."""
PATH_PAD = 1.0
"""Canvas pixels added around a pen path when judging which strokes share columns."""
DIGIT_WIDTH = 0.6
"""Expected width of one digit, in line heights (for cutting wide pieces)."""


def stroke_box(stroke: Stroke, brush: float) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` covering the stroke's ink: its points widened by half its brush
    (``stroke.width``, or ``brush`` for the default brush), canvas pixels."""
    r = (stroke.width or brush) / 2.0
    lo, hi = stroke.points.min(0), stroke.points.max(0)
    return (float(lo[0] - r), float(lo[1] - r), float(hi[0] + r), float(hi[1] + r))


def path_box(stroke: Stroke) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of the pen's path alone (the brush left out), widened by
    :data:`PATH_PAD` so a straight vertical stroke still has columns to share."""
    lo, hi = stroke.points.min(0) - PATH_PAD, stroke.points.max(0) + PATH_PAD
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def line_height(boxes: Sequence[tuple[float, ...]]) -> float:
    """The height of the written line: the ink's whole height (> 0)."""
    box = union_box(boxes)
    return max(box[3] - box[1], 1.0)


def pen_pieces(strokes: Sequence[Stroke], canvas: Sequence[float]) -> tuple[list[Piece], float]:
    """The pieces of a drawing, left to right, and the line height.

    strokes : validated strokes (:func:`digitlab.model.preprocess.strokes.as_strokes`),
        canvas pixels; eraser strokes are not pieces (the reader gives each to the digits it
        touches). canvas : ``(width, height)``.
    Returns the pieces (``payload``: tuple of the indices into ``strokes``, or of
    ``(index, Stroke)`` slices for a cut stroke) and the line height in canvas pixels.
    """
    brush = default_brush_width(canvas)
    ink = [i for i, s in enumerate(strokes) if not s.erase]
    if not ink:
        return [], 1.0
    # Which strokes belong together is judged on the pen's path alone: the brush (thick on a
    # wide canvas) would make every neighbour overlap.
    paths = [path_box(strokes[i]) for i in ink]
    height = line_height(paths)
    pieces = []
    for group in merge_overlapping(paths, SAME_DIGIT_OVERLAP):
        members = tuple(ink[g] for g in group)
        path = union_box([paths[g] for g in group])
        if path[2] - path[0] > WIDE_PIECE * height:
            pieces.extend(_slices(strokes, members, path, height, brush))
        else:
            ink_box = union_box([stroke_box(strokes[i], brush) for i in members])
            pieces.append(Piece(ink_box, members, path))
    pieces.sort(key=lambda p: p.centre_x)
    return pieces, height


def _slices(
    strokes: Sequence[Stroke], members: tuple[int, ...], box, height: float, brush: float
) -> list[Piece]:
    """A wide piece (``box``: its pen path's extent) cut at its profile's low points into
    vertical slices, each a piece whose payload holds ``(index, Stroke)``: the parts of the
    strokes within the slice."""
    x0 = box[0]
    cols = max(1, int(np.ceil(box[2] - x0)))
    profile = np.zeros(cols)
    for i in members:
        pts = _dense_points(strokes[i].points)
        c = np.clip((pts[:, 0] - x0).astype(int), 0, cols - 1)
        np.add.at(profile, c, 1.0)
    cuts = [x0 + c for c in cut_columns(profile, DIGIT_WIDTH * height)]
    if not cuts:
        return [Piece(union_box([stroke_box(strokes[i], brush) for i in members]), members, box)]
    edges = [-np.inf, *cuts, np.inf]
    pieces = []
    for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        parts = []
        for i in members:
            s = strokes[i]
            for run in _runs_between(_dense_points(s.points), lo, hi):
                parts.append((i, Stroke(run, s.width, s.erase)))
        if parts:
            ink_box = union_box([stroke_box(p, brush) for _, p in parts])
            path = union_box([path_box(p) for _, p in parts])
            # A cut between slices goes through a stroke (counted as one for the search).
            pieces.append(Piece(ink_box, tuple(parts), path, 1.0 if k else 0.0))
    return pieces


def _dense_points(points: np.ndarray, step: float = 2.0) -> np.ndarray:
    """The polyline resampled so consecutive points are at most ``step`` px apart."""
    if len(points) < 2:
        return points
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    n = np.maximum(1, np.ceil(seg / step).astype(int))
    out = [points[:1]]
    for k in range(len(seg)):
        t = (np.arange(1, n[k] + 1) / n[k])[:, None]
        out.append(points[k] + t * (points[k + 1] - points[k]))
    return np.vstack(out)


def _runs_between(points: np.ndarray, lo: float, hi: float) -> list[np.ndarray]:
    """The maximal runs of consecutive points with ``lo <= x < hi``."""
    inside = (points[:, 0] >= lo) & (points[:, 0] < hi)
    runs, start = [], None
    for k, flag in enumerate(np.append(inside, False)):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            runs.append(points[start:k])
            start = None
    return runs
