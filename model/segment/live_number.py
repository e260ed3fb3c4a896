"""The live answer for a written number: the reading, and one digit of it in full detail.

Qt-free: the inference thread (:mod:`digitlab.app.live.inference_worker`) calls
:func:`answer_number` for the newest drawing of the Number mode; the views only show the
:class:`NumberResult`. The digit shown in detail (its bars and activation maps, as for a
single digit) is answered by :func:`digitlab.model.nets.live_answer.answer_input` from the
digit's own 28x28 input, the one the number reading used.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from digitlab.model.nets.describe import ModelInfo
from digitlab.model.nets.live_answer import LiveResult, answer_input
from digitlab.model.preprocess.strokes import Stroke
from digitlab.model.segment.reading import NumberReader, NumberReading


@dataclass(frozen=True)
class NumberResult:
    """The answer for one drawing of the Number mode.

    revision : the number canvas's revision this answers.
    canvas : ``(width, height)`` of the canvas the boxes are in, px.
    reading : the digits found and how each model reads them.
    selected : index into ``reading.digits`` of the digit shown in detail, or None.
    detail : that digit answered as a single drawing (probabilities, activations, mosaics),
        or None (nothing drawn).
    seconds : time spent reading the number (all candidates) and answering the detail.
    """

    revision: int
    canvas: tuple[float, float]
    reading: NumberReading
    selected: int | None = None
    detail: LiveResult | None = None
    seconds: float = 0.0


def reader_for(core, infos: Mapping[str, ModelInfo]) -> NumberReader:
    """A reader for ``core`` with each model's "known" rule for a piece of a number from its
    :class:`~digitlab.model.nets.describe.ModelInfo`."""
    return NumberReader(core, {name: info.piece_rule for name, info in infos.items()})


def answer_number(
    reader: NumberReader,
    infos: Mapping[str, ModelInfo],
    revision: int,
    strokes: Sequence[Stroke],
    canvas: tuple[float, float],
    selected: int | None,
    lut: np.ndarray | None,
) -> NumberResult:
    """Read the number drawn on ``canvas`` and answer one digit of it in detail.

    selected : the digit to detail (index, left to right); None or out of range: the last
        digit (the one being written). lut : as for
        :func:`~digitlab.model.nets.live_answer.answer_input` (None: no mosaics).
    """
    t0 = time.perf_counter()
    reading = reader.read_strokes(strokes, canvas)
    detail = None
    index = None
    if reading.digits:
        count = len(reading.digits)
        index = selected if selected is not None and 0 <= selected < count else count - 1
        detail = answer_input(reader.core, infos, revision, reading.digits[index].preprocessed, lut)
    return NumberResult(revision, tuple(canvas), reading, index, detail, time.perf_counter() - t0)


SHORT_TITLES = {"cnn": "CNN", "dense": "Dense"}
"""The models' names in the big number headline."""


def short_title(model: str) -> str:
    """``"CNN"``, ``"Dense"``, or the name as it is for other models."""
    return SHORT_TITLES.get(model, model)


def headline(reading: NumberReading) -> str:
    """The big line over the digits, e.g. ``"CNN reads 2026 · Dense reads 2028"``; ``"?"``
    marks a digit a model does not know; empty when nothing is drawn."""
    if reading.empty:
        return ""
    return " · ".join(f"{short_title(m)} reads {reading.text(m)}" for m in reading.models)


def top_classes(probabilities: np.ndarray, known: bool, k: int = 2) -> str:
    """One model's top ``k`` classes for a digit, e.g. ``"2 98% · 7 1%"`` (runners-up under
    1% left out); for a digit the model does not know, ``"? (4 38% · 9 20%)"``.
    ``probabilities``: float ``(classes,)``."""
    p = np.asarray(probabilities, np.float64)
    order = np.argsort(-p, kind="stable")[:k]
    order = [order[0], *(c for c in order[1:] if p[c] >= 0.005)]
    text = " · ".join(f"{int(c)} {p[c]:.0%}" for c in order)
    return text if known else f"? ({text})"
