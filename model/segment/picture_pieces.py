"""A picture of a number into pieces of digits: the connected components of its ink.

A photo or scan has no strokes, so the pieces are the 8-connected blobs of ink (dark on light
or light on dark, the paper's shade read from the border as for a single digit). Specks far
smaller than the largest blob are dropped; blobs sharing most of their columns (a 5's
detached flag, a broken stroke) become one piece; a blob wider than a digit (touching digits)
is cut into slices at the low points of its column profile, and the cut search decides.
"""

from __future__ import annotations

import numpy as np

from digitlab.model.preprocess.pictures import INK_THRESHOLD, to_grey
from digitlab.model.segment.search import Piece, cut_columns, merge_overlapping, union_box

INK_LEVEL = 0.35
"""Share of the strongest ink from which a pixel belongs to a blob (the softer edge of the
strokes is kept when the digit is drawn again, only the blobs are found at this level)."""
SPECK = 0.02
"""Blobs with less ink than this share of the largest blob are specks (dust, noise)."""
SAME_DIGIT_OVERLAP = 0.6
"""As :data:`digitlab.model.segment.pen_pieces.SAME_DIGIT_OVERLAP`."""
WIDE_PIECE = 0.8
"""A blob wider than this many line heights may be touching digits: cut candidates are tried
(on numbers drawn with a 14-px pen and read as pictures, 79% exact for the CNN)."""
DIGIT_WIDTH = 0.6
MIN_CONTRAST = 0.15
"""A picture whose ink is fainter than this (0..1) is blank."""


def ink_of(pixels: np.ndarray) -> np.ndarray:
    """A picture's ink: float32 ``(h, w)`` in 0..1, 1 = strongest ink, 0 = paper (all zero
    for a blank picture). ``pixels``: anything :func:`~digitlab.model.preprocess.pictures.
    to_grey` takes; dark on light and light on dark alike."""
    grey = to_grey(pixels)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    ink = np.clip(paper - grey if paper > 0.5 else grey - paper, 0.0, None)
    peak = float(ink.max())
    if peak < MIN_CONTRAST:
        return np.zeros_like(grey)
    ink = np.clip(ink / peak, 0.0, 1.0)
    ink[ink < INK_THRESHOLD] = 0.0
    return ink


def label_blobs(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a bool ``(h, w)`` mask: int32 labels ``(h, w)`` (0 =
    background, 1..n) and ``n``. Works on runs of each row (a Python loop over runs, not
    pixels), so a photo of a few megapixels takes well under a second."""
    h, w = mask.shape
    labels = np.zeros((h, w), np.int32)
    parent = [0]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    previous: list[tuple[int, int, int]] = []
    for r in range(h):
        row = np.concatenate([[False], mask[r], [False]])
        edges = np.flatnonzero(row[1:] != row[:-1])
        current = []
        k = 0
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            label = 0
            # 8-connected: a run above [a, b) touches [start, stop) when a <= stop, b >= start.
            while k < len(previous) and previous[k][1] < start:
                k += 1
            m = k
            while m < len(previous) and previous[m][0] <= stop:
                a = root(previous[m][2])
                if label == 0:
                    label = a
                elif a != label:
                    parent[max(a, label)] = min(a, label)
                    label = min(a, label)
                m += 1
            if label == 0:
                label = len(parent)
                parent.append(label)
            labels[r, start:stop] = label
            current.append((int(start), int(stop), label))
        previous = current
    roots = np.array([root(i) for i in range(len(parent))], np.int32)
    _, compact = np.unique(roots, return_inverse=True)
    return compact.astype(np.int32)[labels], int(compact.max())


def picture_pieces(ink: np.ndarray) -> tuple[list[Piece], float, np.ndarray]:
    """The pieces of a picture's ink (:func:`ink_of`), left to right.

    Returns the pieces (``payload``: ``(labels tuple, column range (c0, c1))``; boxes are
    ``(x0, y0, x1, y1)`` in pixels, exclusive ends), the line height in pixels, and the int32
    label image they refer to.
    """
    mask = ink >= INK_LEVEL
    if not mask.any():
        return [], 1.0, np.zeros(ink.shape, np.int32)
    labels, n = label_blobs(ink > 0)
    labels[~_grown(mask, labels)] = 0  # keep the faint edge only of blobs with a firm core
    mass = np.bincount(labels.ravel(), weights=ink.ravel(), minlength=n + 1)
    mass[0] = 0
    keep = [k for k in range(1, n + 1) if mass[k] >= SPECK * mass.max()]
    boxes = [_box(labels == k) for k in keep]
    if not boxes:
        return [], 1.0, labels
    height = max(1.0, union_box(boxes)[3] - union_box(boxes)[1])
    thickness = _stroke_thickness(ink, labels > 0)
    pieces = []
    for group in merge_overlapping(boxes, SAME_DIGIT_OVERLAP):
        members = tuple(keep[g] for g in group)
        box = union_box([boxes[g] for g in group])
        c0, c1 = int(box[0]), int(box[2])
        if c1 - c0 > WIDE_PIECE * height:
            region = np.isin(labels[:, c0:c1], members)
            profile = (ink[:, c0:c1] * region).sum(0)
            cuts = cut_columns(profile, DIGIT_WIDTH * height)
            edges = [c0, *(c0 + c for c in cuts), c1]
            joined = [0.0, *(profile[c] / thickness for c in cuts)]
            for lo, hi, join in zip(edges[:-1], edges[1:], joined, strict=True):
                part = np.zeros_like(region)
                part[:, lo - c0 : hi - c0] = region[:, lo - c0 : hi - c0]
                if part.any():
                    b = _box(part)
                    box_at = (b[0] + c0, b[1], b[2] + c0, b[3])
                    pieces.append(Piece(box_at, (members, (lo, hi)), None, float(join)))
        else:
            pieces.append(Piece(box, (members, (c0, c1))))
    pieces.sort(key=lambda p: p.centre_x)
    return pieces, height, labels


def _stroke_thickness(ink: np.ndarray, mask: np.ndarray) -> float:
    """The ink a column holds where one stroke crosses it: the median ink of the vertical
    runs of ``mask`` (> 0)."""
    m = np.zeros((mask.shape[1], mask.shape[0] + 2), bool)  # columns as rows, padded
    m[:, 1:-1] = mask.T
    total = np.zeros(m.shape)
    total[:, 1:-1] = np.cumsum(np.where(mask, ink, 0.0).T, axis=1)
    edges = np.diff(m.astype(np.int8), axis=1)  # row-major: each column's runs in order
    starts = np.flatnonzero(edges.ravel() == 1)
    stops = np.flatnonzero(edges.ravel() == -1)
    flat = total[:, :-1].ravel()
    runs = flat[stops] - flat[starts]
    return max(float(np.median(runs)) if runs.size else 1.0, 1e-3)


def _grown(mask: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Pixels of blobs (of the faint ink) that hold at least one pixel of ``mask``."""
    firm = np.unique(labels[mask])
    return np.isin(labels, firm[firm > 0])


def _box(mask: np.ndarray) -> tuple[float, float, float, float]:
    rows = np.flatnonzero(mask.any(1))
    cols = np.flatnonzero(mask.any(0))
    return (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))


def piece_ink(ink: np.ndarray, labels: np.ndarray, payloads: list) -> np.ndarray:
    """The ink of some pieces alone (all else paper): float32 like ``ink``."""
    keep = np.zeros(ink.shape, bool)
    for members, (c0, c1) in payloads:
        keep[:, c0:c1] |= np.isin(labels[:, c0:c1], members)
    return np.where(keep, ink, 0.0).astype(np.float32)
