"""The cut search: which runs of pieces are the digits, chosen by how well the models read them.

A drawing is first cut into *pieces* (stroke groups, or picture components) ordered left to
right (:mod:`.pen_pieces`, :mod:`.picture_pieces`); a digit is a run of consecutive pieces.
:func:`best_split` scores every run that could be one digit (the models' confidence in the
run, read as if drawn alone, plus a shape prior) and keeps the partition with the best total
by dynamic programming. Pieces that are surely one digit (strokes sharing most of their
columns: a 4's two strokes, a 7's crossbar) are merged before the search, so it stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MAX_RUN = 4
"""At most this many pieces make one digit (a 5 of flag, body and a stray dot, ...)."""
MAX_WIDTH = 1.5
"""A run wider than this many line heights is never one digit."""
SPLIT_BONUS = 1.2
"""Added per digit so the search does not prefer fewer, merged digits (the models' log
confidence of a merged pair is often not much below that of two digits; tuned on the
pen-numbers dev set)."""
GAP_PENALTY = 6.0
"""Per line height of clear gap inside a run: digits written apart are rarely one digit."""
WIDE_PENALTY = 4.0
"""Per line height a run is wider than :data:`WIDE_FROM`: one digit is rarely wide."""
WIDE_FROM = 0.9
"""Runs wider than this many line heights start paying :data:`WIDE_PENALTY`."""
LOW_PENALTY = 6.0
"""Per line height a run is lower than :data:`LOW_FROM`: a 5's flag or a 4's first stroke
alone is short, and the models read fragments with too much confidence."""
LOW_FROM = 0.6
"""Runs lower than this many line heights start paying :data:`LOW_PENALTY`."""
CUT_PENALTY = 3.0
"""Per share of columns two neighbouring pieces share, for cutting between them."""
JOIN_PENALTY = 1.5
"""Per stroke cut through when cutting between two pieces of one stroke or blob."""


@dataclass(frozen=True)
class Piece:
    """Part of a drawing that belongs to one digit.

    box : ``(x0, y0, x1, y1)`` float, input pixels, covering all of the piece's ink.
    payload : what the reader needs to draw it again (strokes, or picture labels).
    path : the box the search judges shapes by (for strokes, the pen's path without the
        brush, which on a wide canvas is thick enough to make neighbours overlap); the
        ink ``box`` when None.
    """

    box: tuple[float, float, float, float]
    payload: object
    path: tuple[float, float, float, float] | None = None
    joined: float = 0.0
    """How much ink joins this piece to the one before it (a cut through a stroke: about 1
    per stroke crossed; 0 for pieces that only touch or stand apart)."""

    @property
    def shape(self) -> tuple[float, float, float, float]:
        return self.path if self.path is not None else self.box

    @property
    def centre_x(self) -> float:
        return (self.shape[0] + self.shape[2]) / 2.0


def union_box(boxes: Sequence[tuple[float, float, float, float]]) -> tuple[float, ...]:
    """The smallest box ``(x0, y0, x1, y1)`` covering all ``boxes`` (at least one)."""
    a = np.asarray(boxes, np.float64)
    return (float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max()))


def column_overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Shared columns of two boxes as a share (0..1) of the narrower box's width."""
    shared = min(a[2], b[2]) - max(a[0], b[0])
    narrower = max(min(a[2] - a[0], b[2] - b[0]), 1e-9)
    return max(0.0, shared) / narrower


def merge_overlapping(boxes: Sequence[tuple[float, ...]], share: float) -> list[list[int]]:
    """Groups of indices of ``boxes`` whose columns overlap by ``share`` of the narrower one
    (transitively), each group sorted, groups ordered by their left edge."""
    parent = list(range(len(boxes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    for n, i in enumerate(order):
        for j in order[n + 1 :]:
            if boxes[j][0] >= boxes[i][2]:
                break
            if column_overlap(boxes[i], boxes[j]) >= share:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: min(boxes[i][0] for i in g))


def cut_columns(profile: np.ndarray, width_per_digit: float) -> list[int]:
    """Candidate columns to cut a wide piece at: the low points of its column ink profile.

    profile : float ``(w,)``, ink per column (>= 0). width_per_digit : expected digit width,
    columns. Returns sorted column indices in ``(0, w)``, at most one per half digit width,
    never in the outer quarter digit width (a cut there leaves a sliver).
    """
    w = len(profile)
    margin = max(1, int(round(0.3 * width_per_digit)))
    if w <= 2 * margin:
        return []
    kernel = np.ones(3) / 3.0
    smooth = np.convolve(profile, kernel, mode="same")
    candidates = sorted(range(margin, w - margin), key=lambda c: (smooth[c], abs(c - w / 2)))
    spacing = max(1.0, 0.5 * width_per_digit)
    wanted = max(1, int(round(w / width_per_digit)) * 2 - 1)
    chosen: list[int] = []
    for c in candidates:
        if all(abs(c - k) >= spacing for k in chosen):
            chosen.append(c)
            if len(chosen) >= wanted:
                break
    return sorted(chosen)


Scorer = Callable[[list[tuple[int, int]]], np.ndarray]
"""Scores runs ``(i, j)`` (pieces ``i..j-1`` as one digit): float ``(len(runs),)``, the
models' log confidence (<= 0) that the run is a digit."""


def candidate_runs(pieces: Sequence[Piece], height: float) -> list[tuple[int, int]]:
    """Every run ``(i, j)`` of consecutive pieces that could be one digit: at most
    :data:`MAX_RUN` pieces and :data:`MAX_WIDTH` line heights wide (a single piece always)."""
    runs = []
    for i in range(len(pieces)):
        for j in range(i + 1, min(len(pieces), i + MAX_RUN) + 1):
            box = union_box([p.shape for p in pieces[i:j]])
            if j > i + 1 and box[2] - box[0] > MAX_WIDTH * height:
                break
            runs.append((i, j))
    return runs


def shape_prior(pieces: Sequence[Piece], run: tuple[int, int], height: float) -> float:
    """Log prior (<= 0) that the pieces of ``run`` are one digit, from their geometry alone:
    clear gaps inside it and a width beyond :data:`WIDE_FROM` line heights cost."""
    i, j = run
    part = pieces[i:j]
    box = union_box([p.shape for p in part])
    penalty = WIDE_PENALTY * max(0.0, (box[2] - box[0]) / height - WIDE_FROM)
    penalty += LOW_PENALTY * max(0.0, LOW_FROM - (box[3] - box[1]) / height)
    right = part[0].shape[2]
    for p in part[1:]:
        gap = p.shape[0] - right
        if gap > 0:
            penalty += GAP_PENALTY * gap / height
        right = max(right, p.shape[2])
    return -penalty


def best_split(pieces: Sequence[Piece], score: Scorer, height: float) -> list[tuple[int, int]]:
    """The digits of a drawing: the partition of ``pieces`` (ordered left to right) into runs
    with the best total of model score, shape prior and :data:`SPLIT_BONUS` per digit.

    height : the line height in the pieces' pixels (> 0). Returns the runs ``(i, j)`` in
    order, covering every piece exactly once (``[]`` for no pieces).
    """
    n = len(pieces)
    if n == 0:
        return []
    height = max(float(height), 1e-6)
    runs = candidate_runs(pieces, height)
    scores = np.asarray(score(runs), np.float64)
    total = {
        run: s + shape_prior(pieces, run, height) + SPLIT_BONUS
        for run, s in zip(runs, scores, strict=True)
    }
    # Cutting between neighbours that share columns costs (cut[i]: between i-1 and i).
    cut = [0.0] + [
        CUT_PENALTY * column_overlap(pieces[i - 1].shape, pieces[i].shape)
        + JOIN_PENALTY * pieces[i].joined
        for i in range(1, n)
    ]
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - MAX_RUN), j):
            value = total.get((i, j))
            if value is not None and best[i] + value - cut[i] > best[j]:
                best[j], back[j] = best[i] + value - cut[i], i
    cuts, j = [], n
    while j > 0:
        cuts.append((back[j], j))
        j = back[j]
    return cuts[::-1]
