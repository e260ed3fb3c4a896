"""Training-time augmentation that makes MNIST look like what people draw with a pen.

Each augmented digit gets a random pen thickness, rotation, shear, aspect change and a smooth
elastic distortion, and is then normalised again exactly as the canvas input is (crop, fit
20 px, centre of mass), so the models keep reading MNIST-style input. NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.preprocess import SIDE, _resample_matrix, normalise

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
    return np.maximum.reduce([p[:, 1:-1, 1:-1], p[:, :-2, 1:-1], p[:, 2:, 1:-1], p[:, 1:-1, :-2], p[:, 1:-1, 2:]])


def _erode(x: np.ndarray) -> np.ndarray:
    """3x3 cross-shaped grey erosion of ``(n, h, w)``."""
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    return np.minimum.reduce([p[:, 1:-1, 1:-1], p[:, :-2, 1:-1], p[:, 2:, 1:-1], p[:, 1:-1, :-2], p[:, 1:-1, 2:]])


def _bilinear(images: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sample ``images`` ``(n, h, w)`` at float ``rows``/``cols`` ``(n, H, W)``; zero outside."""
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


def distort(images: np.ndarray, rng: np.random.Generator, config: AugmentConfig = AugmentConfig()) -> np.ndarray:
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
        up = _resample_matrix(5, WORK * FINE)
        field = up @ coarse @ up.T
        src_r = src_r + field[:, 0]
        src_c = src_c + field[:, 1]

    warped = np.clip(_bilinear(sel, src_r, src_c), 0.0, 1.0)
    for j, i in enumerate(chosen):
        result = normalise(warped[j], threshold=0.05)
        if not result.empty:
            out[i] = result.image / max(float(result.image.max()), 1e-6)
    return out
