"""Drawings the personal-data tests store: seven-like strokes on a 280 px canvas."""

from __future__ import annotations

import numpy as np

CANVAS = (280.0, 280.0)


def drawing(seed: int = 0) -> list[list[list[float]]]:
    """A seven-like drawing (one stroke of canvas px), slightly different for every seed."""
    rng = np.random.default_rng(seed)
    pts = np.array([[78, 62], [202, 62], [162, 134], [123, 230]], np.float64)
    pts += rng.normal(0, 6, pts.shape)
    return [pts.tolist()]
