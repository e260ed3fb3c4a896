"""The Explain tab's colourings as plain array maths: a heat overlay for saliency maps, a
blue-white-red scale for weights, and grey for model inputs.

Every function returns C-contiguous ``uint8`` arrays, ready for an image item with fixed
levels, so the views never compute colours themselves.
"""

from __future__ import annotations

import functools

import numpy as np

PAPER_RGB = (255, 255, 255)
"""What a gap in a weight mosaic shows (the plots' white background)."""
_RED = (178, 24, 43)
_BLUE = (33, 102, 172)
_WHITE = (247, 247, 247)


@functools.lru_cache(maxsize=1)
def heat_lut() -> np.ndarray:
    """uint8 ``(256, 4)`` RGBA, read-only: transparent for 0 rising to opaque yellow-red for 1
    (the saliency overlay)."""
    t = np.linspace(0.0, 1.0, 256)
    r = np.clip(0.95 + 0.05 * t, 0, 1)
    g = np.clip(0.15 + 0.8 * t**1.5, 0, 1)
    b = np.clip(0.1 * (1 - t), 0, 1)
    a = np.clip(t * 1.6, 0, 1)
    lut = (np.stack([r, g, b, a], 1) * 255 + 0.5).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def heat_rgba(values: np.ndarray, level: float) -> np.ndarray:
    """A saliency map coloured through :func:`heat_lut`.

    Parameters
    ----------
    values : float ``(h, w)``; ``0..level`` spans the table, negatives are clear and values
        above ``level`` saturate.
    level : the value shown fully opaque (``<= 0`` means 1).

    Returns
    -------
    uint8 ``(h, w, 4)`` RGBA.
    """
    level = level if level > 0 else 1.0
    idx = np.clip(np.asarray(values, np.float32) / level * 255.0, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(heat_lut()[idx])


def heat_rgba_to_peak(values: np.ndarray) -> np.ndarray:
    """:func:`heat_rgba` scaled to the map's own maximum (an all-zero map stays clear)."""
    top = float(np.max(values)) if np.size(values) else 0.0
    return heat_rgba(values, top if top > 0 else 1.0)


def diverging_rgba(image: np.ndarray, level: float) -> np.ndarray:
    """Weights coloured blue (negative), white (zero) and red (positive).

    Parameters
    ----------
    image : float ``(h, w)`` weights; NaN marks a gap between cells, which shows
        :data:`PAPER_RGB`.
    level : the magnitude at which the colour saturates (``<= 0`` means 1).

    Returns
    -------
    uint8 ``(h, w, 4)`` RGBA, opaque.
    """
    a = np.asarray(image, np.float32)
    gap = ~np.isfinite(a)
    t = np.clip(np.nan_to_num(a) / (level if level > 0 else 1.0), -1.0, 1.0)
    pos, neg = np.clip(t, 0, 1), np.clip(-t, 0, 1)
    red, blue, white = (np.array(c, np.float32) for c in (_RED, _BLUE, _WHITE))
    rgb = white * (1 - pos - neg)[..., None] + red * pos[..., None] + blue * neg[..., None]
    rgb[gap] = PAPER_RGB
    out = np.concatenate([rgb, np.full(a.shape + (1,), 255, np.float32)], axis=-1)
    return np.ascontiguousarray((out + 0.5).astype(np.uint8))


def grey(image: np.ndarray) -> np.ndarray:
    """A model input as pixels: float ``(h, w)`` in 0..1 (clipped) -> uint8 ``(h, w)`` 0..255,
    ink white on black like the model input."""
    return np.ascontiguousarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
