"""Reading a whole number: the digits found, each read by every model as if drawn alone.

:class:`NumberReader` finds the pieces of a drawing (:mod:`.pen_pieces`) or a picture
(:mod:`.picture_pieces`), lets the cut search (:mod:`.search`) choose which runs of pieces
are digits by how confidently the models read them, and answers with a
:class:`NumberReading`. Each candidate digit goes through the one preprocessing path
(:func:`~digitlab.model.preprocess.strokes.strokes_to_input` for strokes,
:func:`~digitlab.model.preprocess.frame.normalise` for pictures, as for a single digit).
The command line, the live Number mode, the self-test and the benchmarks all read through it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from digitlab.model.nets.known import KnownRule, is_known
from digitlab.model.preprocess.frame import Preprocessed, normalise
from digitlab.model.preprocess.strokes import Stroke, as_strokes, strokes_to_input
from digitlab.model.segment.pen_pieces import pen_pieces, stroke_box
from digitlab.model.segment.picture_pieces import ink_of, picture_pieces, piece_ink
from digitlab.model.segment.search import Piece, best_split, union_box

UNKNOWN = "?"
"""What the text shows for a digit a model does not know (not a digit, to that model)."""
CACHE_SIZE = 512
"""Candidate digits remembered between readings (while drawing, only the runs touching the
newest stroke change, so each move reads a handful of new candidates)."""


@dataclass(frozen=True)
class DigitReading:
    """One digit found in a number.

    box : ``(x0, y0, x1, y1)`` int, input pixels, covering all of the digit's ink.
    preprocessed : its 28x28 model input (float32, 0..1), made as if it were drawn alone.
    probabilities : model name -> float32 ``(classes,)``, summing to 1.
    known : model name -> whether the model takes it for one of its classes.
    """

    box: tuple[int, int, int, int]
    preprocessed: Preprocessed
    probabilities: dict[str, np.ndarray]
    known: dict[str, bool]

    def label(self, model: str) -> int:
        """The model's top class for this digit."""
        return int(np.argmax(self.probabilities[model]))


@dataclass(frozen=True)
class NumberReading:
    """A number as the models read it: its digits, left to right (empty: nothing drawn)."""

    models: tuple[str, ...]
    digits: tuple[DigitReading, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.digits

    def text(self, model: str) -> str:
        """The number as ``model`` reads it, e.g. ``"2026"``; :data:`UNKNOWN` for a digit it
        does not know."""
        return "".join(str(d.label(model)) if d.known[model] else UNKNOWN for d in self.digits)

    def as_json(self) -> dict:
        """``{model: {"text": ..., "digits": [{"label", "probabilities", "known", "box"}]}}``
        as ``digitlab read`` prints it."""
        return {
            model: {
                "text": self.text(model),
                "digits": [
                    {
                        "label": d.label(model),
                        "probabilities": [round(float(v), 6) for v in d.probabilities[model]],
                        "known": bool(d.known[model]),
                        "box": list(d.box),
                    }
                    for d in self.digits
                ],
            }
            for model in self.models
        }


class NumberReader:
    """Reads numbers with the models of one inference core.

    core : a :class:`~digitlab.model.nets.light_inference.LightCore` or
        :class:`~digitlab.model.nets.inference.InferenceCore` (``names``, ``probabilities``).
    rules : model name -> its "known" :class:`~digitlab.model.nets.known.KnownRule` for a
        piece of a number, or a bare threshold on the top probability (default
        ``KnownRule()``).
    Not thread-safe: one reader per thread (it keeps a cache of candidate digits).
    """

    def __init__(self, core, rules: Mapping[str, KnownRule | float] | None = None):
        self.core = core
        self.rules = dict(rules or {})
        self._cache: OrderedDict[tuple, tuple[Preprocessed, dict]] = OrderedDict()
        self.candidates_read = 0  # candidate digits sent to the models (for benchmarks)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.core.names)

    def forget(self) -> None:
        """Drop remembered candidates (call it when the models change)."""
        self._cache.clear()

    def read_strokes(self, raw_strokes: Iterable, canvas: Sequence[float]) -> NumberReading:
        """Read a drawing: ``raw_strokes`` as for
        :func:`~digitlab.model.preprocess.strokes.strokes_to_input`, on a ``canvas`` of
        ``(width, height)`` px. Raises PreprocessError for malformed strokes."""
        strokes = as_strokes(raw_strokes)
        canvas = (float(canvas[0]), float(canvas[1]))
        strokes_to_input([], canvas)  # checks the canvas size, one message for all paths
        pieces, height = pen_pieces(strokes, canvas)
        marks = [_fingerprint(s) for s in strokes]
        erasers = [i for i, s in enumerate(strokes) if s.erase]

        def members(run: tuple[int, int]) -> tuple[list, tuple]:
            parts, key = [], []
            for piece in pieces[run[0] : run[1]]:
                for item in piece.payload:
                    if isinstance(item, tuple):  # a slice of a cut stroke
                        parts.append(item)
                        key.append(_fingerprint(item[1]))
                    else:
                        parts.append((item, strokes[item]))
                        key.append(marks[item])
            box = union_box([p.box for p in pieces[run[0] : run[1]]])
            for i in erasers:
                if _touches(stroke_box(strokes[i], 0.0), box, strokes[i].width or 0.0):
                    parts.append((i, strokes[i]))
                    key.append(marks[i])
            parts.sort(key=lambda p: p[0])
            return parts, (canvas, *sorted(key, key=repr))

        def render(run):
            parts, key = members(run)
            return key, lambda: strokes_to_input([s for _, s in parts], canvas)

        return self._read(pieces, height, render)

    def read_picture(self, pixels: np.ndarray) -> NumberReading:
        """Read a picture of a number (dark on light or light on dark), any
        :func:`~digitlab.model.preprocess.pictures.to_grey` input; boxes in its pixels."""
        ink = ink_of(pixels)
        pieces, height, labels = picture_pieces(ink)

        def render(run):
            part = pieces[run[0] : run[1]]
            x0, y0, x1, y1 = (int(v) for v in union_box([p.box for p in part]))
            crop = piece_ink(ink, labels, [p.payload for p in part])[y0:y1, x0:x1]
            return None, lambda: normalise(crop, stretch_flat=True)

        return self._read(pieces, height, render)

    # ------------------------------------------------------------------ the search

    def _read(
        self,
        pieces: list[Piece],
        height: float,
        render: Callable[[tuple[int, int]], tuple[tuple | None, Callable[[], Preprocessed]]],
    ) -> NumberReading:
        answers: dict[tuple[int, int], tuple[Preprocessed, dict]] = {}

        def score(runs: list[tuple[int, int]]) -> np.ndarray:
            todo = []
            for run in runs:
                key, make = render(run)
                hit = self._cache.get(key) if key is not None else None
                if hit is not None:
                    self._cache.move_to_end(key)
                    answers[run] = hit
                else:
                    todo.append((run, key, make()))
            self._answer(todo, answers)
            return np.array([_confidence(answers[run][1]) for run in runs])

        runs = best_split(pieces, score, height)
        digits = []
        for run in runs:
            pre, probs = answers[run]
            if pre.empty:
                continue
            box = union_box([p.box for p in pieces[run[0] : run[1]]])
            digits.append(
                DigitReading(
                    _int_box(box),
                    pre,
                    probs,
                    {
                        m: bool(is_known(p, self.rules.get(m, KnownRule())))
                        for m, p in probs.items()
                    },
                )
            )
        digits.sort(key=lambda d: d.box[0] + d.box[2])
        return NumberReading(self.models, tuple(digits))

    def _answer(self, todo: list, answers: dict) -> None:
        """Run the new candidates through the models in one batch and remember them."""
        images = [pre.image for _, _, pre in todo if not pre.empty]
        probs = self.core.probabilities(np.stack(images)) if images else {}
        self.candidates_read += len(images)
        k = 0
        for run, key, pre in todo:
            if pre.empty:
                answer = (pre, {})
            else:
                answer = (pre, {m: np.asarray(p[k], np.float32) for m, p in probs.items()})
                k += 1
            answers[run] = answer
            if key is not None:
                self._cache[key] = answer
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)


def _confidence(probs: Mapping[str, np.ndarray]) -> float:
    """How surely the models read a candidate as one of their classes: the mean of their
    log top probabilities (<= 0; 0 for an empty candidate, which costs nothing)."""
    if not probs:
        return 0.0
    return float(np.mean([np.log(max(float(np.max(p)), 1e-6)) for p in probs.values()]))


def _fingerprint(stroke: Stroke) -> tuple:
    return (hash(stroke.points.tobytes()), len(stroke.points), stroke.width, stroke.erase)


def _touches(eraser_box, box, width: float) -> bool:
    r = width / 2.0
    return not (
        eraser_box[2] + r < box[0]
        or eraser_box[0] - r > box[2]
        or eraser_box[3] + r < box[1]
        or eraser_box[1] - r > box[3]
    )


def _int_box(box) -> tuple[int, int, int, int]:
    """The smallest integer box covering a float box."""
    return (
        int(np.floor(box[0])),
        int(np.floor(box[1])),
        int(np.ceil(box[2])),
        int(np.ceil(box[3])),
    )
