"""The frames of a drawing's replay: the strokes coming back one by one, each drawn in a few
steps, with where each frame sits on the "strokes" axis of the answer's history.

Pure: works on any dataclass gesture with a ``points`` list (the canvas's ``DrawnStroke``),
copying what it cuts, so a replay never shares a list with the drawing it replays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

FRAMES_PER_STROKE = 6
"""Steps in which each stroke is redrawn."""


@dataclass(frozen=True)
class ReplayFrame:
    """One picture of the replay.

    strokes : the gestures shown: every earlier stroke whole, then a prefix of the current one.
    position : where the frame sits in strokes, ``i + fraction drawn`` of stroke ``i``
        (0-based), so ``1.0`` is the first stroke complete (the history's x axis).
    """

    strokes: tuple[Any, ...]
    position: float


def replay_frames(strokes: Sequence[Any], per_stroke: int = FRAMES_PER_STROKE) -> list[ReplayFrame]:
    """The frames that redraw ``strokes`` in order.

    Parameters
    ----------
    strokes : dataclass gestures, each with a non-empty ``points`` list of ``(x, y)``.
    per_stroke : steps per stroke (``>= 1``); a stroke of fewer points takes fewer, as no
        two frames of one stroke show the same prefix.

    Returns
    -------
    The frames in order; the last shows every stroke whole. Empty for no strokes.
    """
    if per_stroke < 1:
        raise ValueError(f"per_stroke must be at least 1, got {per_stroke}")
    whole = [replace(s, points=list(s.points)) for s in strokes]
    frames = []
    for i, stroke in enumerate(whole):
        n = len(stroke.points)
        cuts = sorted({max(1, int(round(n * f / per_stroke))) for f in range(1, per_stroke + 1)})
        for cut in cuts:
            part = replace(stroke, points=stroke.points[:cut])
            frames.append(ReplayFrame(tuple(whole[:i]) + (part,), i + cut / n))
    return frames
