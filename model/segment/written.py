"""Digits as pen paths, and numbers written with them: drawings the self-test, the tests,
the latency benchmark and the screenshot write, so all of them draw the same thing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _arc(cx, cy, rx, ry, start, stop, n=24):
    t = np.linspace(np.radians(start), np.radians(stop), n)
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]


# Each digit in a cell 1 wide and 1 high (x right, y down), one list of points per stroke.
DIGIT_PATHS: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.3, 0.45, -90, 270, 40)],
    1: [[(0.38, 0.2), (0.52, 0.05), (0.52, 0.95)]],
    2: [_arc(0.5, 0.3, 0.3, 0.25, 200, 380, 16) + [(0.2, 0.95), (0.85, 0.95)]],
    3: [_arc(0.45, 0.27, 0.3, 0.22, 200, 450, 20) + _arc(0.45, 0.72, 0.33, 0.23, -90, 150, 20)],
    4: [[(0.6, 0.05), (0.15, 0.65), (0.85, 0.65)], [(0.62, 0.3), (0.62, 0.95)]],
    5: [
        [(0.3, 0.05), (0.25, 0.45)] + _arc(0.48, 0.68, 0.3, 0.27, -120, 150, 20),
        [(0.3, 0.05), (0.8, 0.05)],
    ],
    6: [[(0.7, 0.05)] + _arc(0.5, 0.7, 0.3, 0.25, 200, 560, 30)],
    7: [[(0.15, 0.08), (0.85, 0.08), (0.42, 0.95)], [(0.35, 0.5), (0.75, 0.5)]],
    8: [_arc(0.5, 0.27, 0.25, 0.22, 90, 450, 24) + _arc(0.5, 0.72, 0.3, 0.23, -90, 270, 28)],
    9: [_arc(0.5, 0.3, 0.28, 0.25, 0, 360, 28) + [(0.78, 0.3), (0.72, 0.95)]],
}


def number_paths(
    text: str, canvas: Sequence[float], *, height: float = 0.6, spacing: float = 0.15
) -> list[list[tuple[float, float]]]:
    """The strokes of ``text`` (digits only) written left to right in the middle of a canvas
    ``(width, height)``: each digit ``height`` of the canvas's height tall and 0.6 as wide,
    ``spacing`` digit heights apart. Points in canvas pixels, about every 4 px."""
    width, tall = float(canvas[0]), float(canvas[1])
    h = height * tall
    w = 0.6 * h
    pitch = w + spacing * h
    x0 = (width - (pitch * len(text) - spacing * h)) / 2.0
    y0 = (tall - h) / 2.0
    strokes = []
    for k, ch in enumerate(text):
        for path in DIGIT_PATHS[int(ch)]:
            pts = np.asarray(path, np.float64) * (w, h) + (x0 + k * pitch, y0)
            strokes.append(_every(pts, 4.0))
    return strokes


def _every(pts: np.ndarray, step: float) -> list[tuple[float, float]]:
    out = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        out.extend(a + (b - a) * t for t in np.linspace(0, 1, n + 1)[1:])
    return [(round(float(x), 1), round(float(y), 1)) for x, y in out]
