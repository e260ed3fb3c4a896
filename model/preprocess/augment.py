"""Training-time augmentation that makes MNIST look like what people draw with a pen.

Each augmented digit gets a random pen thickness, rotation, shear, aspect change and a smooth
elastic distortion, and is then normalised again exactly as the canvas input is (crop, fit
20 px, centre of mass), so the models keep reading MNIST-style input. NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.model.preprocess.frame import SIDE, normalise, resample_matrix
from digitlab.model.preprocess.pen import draw_segments

WORK = 40
"""Side of the scratch field (px of the 28 frame) the distorted digit is drawn into."""
FINE = 2
"""The scratch field is sampled this many times finer, so re-fitting to 20 px stays sharp."""


@dataclass(frozen=True)
class AugmentConfig:
    """How strong each distortion is (uniform ranges unless stated).

    probability : share of digits that are distorted; the rest stay as MNIST has them.
    rotation_deg : +- rotation.
    shear : +- horizontal shear factor.
    aspect : +- log-ratio of width over height.
    elastic_px : standard deviation of the smooth displacement, px of the 28 frame.
    thickness : +- blend towards a 1-px dilation (positive) or erosion (negative).
    """

    probability: float = 0.8
    rotation_deg: float = 15.0
    shear: float = 0.3
    aspect: float = 0.25
    elastic_px: float = 1.2
    thickness: float = 0.8


def _dilate(x: np.ndarray) -> np.ndarray:
    """3x3 cross-shaped grey dilation of ``(n, h, w)``."""
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    return np.maximum.reduce(
        [p[:, 1:-1, 1:-1], p[:, :-2, 1:-1], p[:, 2:, 1:-1], p[:, 1:-1, :-2], p[:, 1:-1, 2:]]
    )


def _erode(x: np.ndarray) -> np.ndarray:
    """3x3 cross-shaped grey erosion of ``(n, h, w)``."""
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    return np.minimum.reduce(
        [p[:, 1:-1, 1:-1], p[:, :-2, 1:-1], p[:, 2:, 1:-1], p[:, 1:-1, :-2], p[:, 1:-1, 2:]]
    )


def bilinear(images: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """float32: ``images`` ``(n, h, w)`` sampled at float ``rows``/``cols`` ``(n, H, W)``
    (pixel coordinates), bilinearly; zero outside."""
    n, h, w = images.shape
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    r = np.clip(rows + 1.0, 0.0, h + 1 - 1e-6)
    c = np.clip(cols + 1.0, 0.0, w + 1 - 1e-6)
    r0 = np.floor(r).astype(np.int64)
    c0 = np.floor(c).astype(np.int64)
    fr, fc = r - r0, c - c0
    r1 = np.minimum(r0 + 1, h + 1)
    c1 = np.minimum(c0 + 1, w + 1)
    idx = np.arange(n)[:, None, None]
    top = padded[idx, r0, c0] * (1 - fc) + padded[idx, r0, c1] * fc
    bottom = padded[idx, r1, c0] * (1 - fc) + padded[idx, r1, c1] * fc
    return (top * (1 - fr) + bottom * fr).astype(np.float32)


def distort(
    images: np.ndarray, rng: np.random.Generator, config: AugmentConfig = AugmentConfig()
) -> np.ndarray:
    """Distort and re-normalise a batch of digits.

    Parameters
    ----------
    images : float32 ``(n, 28, 28)`` in 0..1 (MNIST / 255).
    rng : the random generator (seed it for reproducible batches).

    Returns
    -------
    float32 ``(n, 28, 28)`` in 0..1; a share ``1 - config.probability`` is returned unchanged.
    """
    x = np.asarray(images, np.float32)
    n = len(x)
    out = x.copy()
    chosen = np.flatnonzero(rng.random(n) < config.probability)
    if len(chosen) == 0:
        return out
    sel = x[chosen]
    k = len(chosen)

    t = rng.uniform(-config.thickness / 2, config.thickness, k)[:, None, None].astype(np.float32)
    sel = np.where(t > 0, sel + t * (_dilate(sel) - sel), sel + t * (sel - _erode(sel)))

    angle = np.deg2rad(rng.uniform(-config.rotation_deg, config.rotation_deg, k))
    shear = rng.uniform(-config.shear, config.shear, k)
    aspect = np.exp(rng.uniform(-config.aspect, config.aspect, k))
    cos, sin = np.cos(angle), np.sin(angle)
    # Inverse map: output pixel offset -> source offset. M = R @ S @ D, we need M^-1.
    sx, sy = np.sqrt(aspect), 1 / np.sqrt(aspect)
    m = np.empty((k, 2, 2))
    m[:, 0, 0] = cos * sx
    m[:, 0, 1] = (cos * shear - sin) * sy
    m[:, 1, 0] = sin * sx
    m[:, 1, 1] = (sin * shear + cos) * sy
    inv = np.linalg.inv(m)

    steps = (np.arange(WORK * FINE) + 0.5) / FINE - WORK / 2
    dr, dc = np.meshgrid(steps, steps, indexing="ij")
    src_c = inv[:, 0, 0, None, None] * dc + inv[:, 0, 1, None, None] * dr + SIDE / 2 - 0.5
    src_r = inv[:, 1, 0, None, None] * dc + inv[:, 1, 1, None, None] * dr + SIDE / 2 - 0.5

    if config.elastic_px > 0:
        coarse = rng.normal(0.0, config.elastic_px, (k, 2, 5, 5))
        up = resample_matrix(5, WORK * FINE)
        field = up @ coarse @ up.T
        src_r = src_r + field[:, 0]
        src_c = src_c + field[:, 1]

    warped = np.clip(bilinear(sel, src_r, src_c), 0.0, 1.0)
    for j, i in enumerate(chosen):
        result = normalise(warped[j], threshold=0.05, stretch_flat=True)
        if not result.empty:
            out[i] = result.image / max(float(result.image.max()), 1e-6)
    return out


@dataclass(frozen=True)
class StyleConfig:
    """How often MNIST's American-style digits get a common European variant.

    MNIST's writers rarely cross a seven, slash a zero or give a one its long up-stroke or a
    base; many pen users do (and curl a nine's tail). The variants are drawn onto MNIST digits
    with the same pen as the canvas, so the models learn them without ever seeing a user's
    drawing. A one may get both a flag and a base.
    """

    slashed_zero: float = 0.3
    flagged_one: float = 0.5
    crossed_seven: float = 0.3
    hooked_nine: float = 0.3
    based_one: float = 0.0
    flag_length: tuple[float, float] = (0.25, 0.8)
    """The flag's length, as a share of the one's height (drawn uniformly in this range)."""


def _ink_box(image: np.ndarray, threshold: float = 0.3) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero((image > threshold).any(1))
    cols = np.flatnonzero((image > threshold).any(0))
    if len(rows) == 0:
        return None
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _with_line(image: np.ndarray, start, end, width: float) -> np.ndarray:
    """``image`` (28x28) with a pen line from ``start`` to ``end`` ((x, y) px), re-normalised."""
    return _with_path(image, [start, end], width)


def _with_path(image: np.ndarray, points, width: float) -> np.ndarray:
    """``image`` (28x28) with a pen polyline through ``points`` ((x, y) px), re-normalised."""
    return _with_paths(image, [points], width)


def _with_paths(image: np.ndarray, paths, width: float) -> np.ndarray:
    """``image`` (28x28) with a pen polyline through each of ``paths``, re-normalised."""
    canvas = np.zeros((56, 56), np.float32)
    canvas[14:42, 14:42] = image
    for points in paths:
        draw_segments(canvas.shape, np.array(points, np.float64) + 14.0, width, out=canvas)
    result = normalise(canvas, threshold=0.05, stretch_flat=True)
    return image if result.empty else result.image


def _styled_one(image, box, width: float, rng: np.random.Generator, config: StyleConfig):
    """A one with, by chance, a flag from its top going down-left and a base across its foot
    (both placed on the one's ink box as it was, and drawn on one padded canvas)."""
    r0, r1, c0, c1 = box
    h = r1 - r0
    flag = rng.random() < config.flagged_one
    # No draw at all when bases are off: recipes without them keep their random stream.
    base = config.based_one > 0 and rng.random() < config.based_one
    paths = []
    if flag:
        top_row = image[r0 : r0 + 2]
        cols = np.flatnonzero((top_row > 0.3).any(0))
        tx = float(cols.mean()) + 0.5 if len(cols) else (c0 + c1) / 2
        length = rng.uniform(*config.flag_length) * h
        angle = np.deg2rad(rng.uniform(30, 65))  # from vertical, going down-left
        start = (tx, r0 + 0.5)
        paths.append([start, (tx - np.sin(angle) * length, start[1] + np.cos(angle) * length)])
    if base:
        bottom = image[r1 - 2 : r1]
        cols = np.flatnonzero((bottom > 0.3).any(0))
        bx = float(cols.mean()) + 0.5 if len(cols) else (c0 + c1) / 2
        half = rng.uniform(0.18, 0.35) * h
        tilt = rng.uniform(-0.6, 0.6)
        paths.append([(bx - half, r1 - 0.5 - tilt), (bx + half, r1 - 0.5 + tilt)])
    return _with_paths(image, paths, width) if paths else image


def add_styles(
    images: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    config: StyleConfig = StyleConfig(),
) -> np.ndarray:
    """Give a share of zeros a slash, of ones a flag, of sevens a crossbar, of nines a hook.

    Parameters
    ----------
    images : float32 ``(n, 28, 28)`` in 0..1; labels : ``(n,)`` ints.

    Returns
    -------
    float32 ``(n, 28, 28)``; untouched digits are returned as they were.
    """
    out = np.array(images, np.float32, copy=True)
    for i in range(len(out)):
        label = int(labels[i])
        box = _ink_box(out[i])
        if box is None:
            continue
        r0, r1, c0, c1 = box
        h, w = r1 - r0, c1 - c0
        width = rng.uniform(1.6, 2.6)
        if label == 0 and rng.random() < config.slashed_zero:
            over = rng.uniform(0.0, 0.2)
            start = (c0 - over * w + rng.uniform(-1, 1), r1 + over * h)
            end = (c1 + over * w + rng.uniform(-1, 1), r0 - over * h)
            out[i] = _with_line(out[i], start, end, width)
        elif label == 1:
            out[i] = _styled_one(out[i], (r0, r1, c0, c1), width, rng, config)
        elif label == 7 and rng.random() < config.crossed_seven:
            mid = int(r0 + rng.uniform(0.45, 0.6) * h)
            cols = np.flatnonzero(out[i][mid] > 0.3)
            if len(cols) == 0:
                continue
            cx = float(cols.mean()) + 0.5
            half = rng.uniform(0.2, 0.5) * max(w, 8)
            start = (cx - half, mid + 0.5 + rng.uniform(-0.5, 0.5))
            end = (cx + half, mid + 0.5 + rng.uniform(-0.5, 0.5))
            out[i] = _with_line(out[i], start, end, width)
        elif label == 9 and rng.random() < config.hooked_nine:
            bottom = out[i][r1 - 2 : r1]
            cols = np.flatnonzero((bottom > 0.3).any(0))
            if len(cols) == 0:
                continue
            bx, by = float(cols.mean()) + 0.5, r1 - 0.5
            length = rng.uniform(0.3, 0.6) * max(w, 8)
            lift = rng.uniform(0.0, 0.25) * h
            points = [(bx, by), (bx - length * 0.6, by + 0.5), (bx - length, by - lift)]
            out[i] = _with_path(out[i], points, width)
    return out
