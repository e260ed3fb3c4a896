"""Transparent test pictures: one digit's strokes in a transparent PNG, stored three ways.

Shared by the Qt-free tests (a training folder) and the drop test (the canvas), which must
read every one of them as the same strokes on white paper: :func:`on_paper`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

SIDE = 28
"""The pictures are 28x28, so a training folder keeps them pixel for pixel."""
KINDS = ("transparent-black", "transparent-white", "white-ink-in-transparent")
"""What the transparent pixels store: black, white, or a white digit nobody can see."""


def stroke_alpha() -> np.ndarray:
    """uint8 ``(28, 28)``: a seven's opacity, 255 on the strokes, 128 on their one-pixel
    anti-aliased edge, 0 elsewhere."""
    solid = np.zeros((SIDE, SIDE), bool)
    solid[6:9, 7:21] = True  # the bar
    for r in range(9, 24):  # the stem, down to the left
        c = int(round(20 - (r - 9) * 0.6))
        solid[r, c - 1 : c + 2] = True
    edge = np.zeros_like(solid)
    edge[1:] |= solid[:-1]
    edge[:-1] |= solid[1:]
    edge[:, 1:] |= solid[:, :-1]
    edge[:, :-1] |= solid[:, 1:]
    return np.where(solid, 255, np.where(edge, 128, 0)).astype(np.uint8)


def on_paper() -> np.ndarray:
    """uint8 ``(28, 28)``: the black strokes as they look on white paper (255 - opacity)."""
    return (255 - stroke_alpha()).astype(np.uint8)


def transparent_picture(path: Path, kind: str) -> Path:
    """Write the seven as black ink on a transparent background, RGBA PNG, 28x28.

    ``kind`` (one of :data:`KINDS`) says what colour the fully transparent pixels store:
    black, white, or black with a white vertical bar (a "1" drawn in invisible ink).
    """
    alpha = stroke_alpha()
    rgba = np.zeros((SIDE, SIDE, 4), np.uint8)
    rgba[..., 3] = alpha
    hidden = alpha == 0
    if kind == "transparent-white":
        rgba[hidden, :3] = 255
    elif kind == "white-ink-in-transparent":
        bar = np.zeros_like(hidden)
        bar[3:26, 2:5] = True
        rgba[bar & hidden, :3] = 255
    elif kind != "transparent-black":
        raise ValueError(kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgba, "RGBA").save(path)
    return path
