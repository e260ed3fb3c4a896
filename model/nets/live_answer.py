"""The live answer for one drawing: each model's probabilities, activations and mosaics.

Qt-free: the window's thread answers through a :class:`LiveSnapshot` when NumPy runs the
models, the inference thread (:mod:`digitlab.app.live.inference_worker`) calls
:func:`answer_drawing` and :func:`answer_input` itself otherwise; the views only show the
:class:`LiveResult` (while no activation map can be seen, answers skip the mosaics).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from digitlab.model.explain.mosaic import apply_lut, build_mosaic
from digitlab.model.nets.describe import ModelInfo
from digitlab.model.nets.known import KnownRule
from digitlab.model.preprocess.frame import Preprocessed, empty_input
from digitlab.model.preprocess.strokes import Stroke, strokes_to_input

EMPTY_INPUT = empty_input()
"""The model input of an empty canvas: float32 zeros ``(28, 28)``, marked empty."""


@dataclass(frozen=True)
class LiveResult:
    """The answer for one drawing.

    revision : the canvas revision this answers (the views record it when they paint).
    preprocessed : the 28x28 input and notes.
    probabilities : model name -> float32 ``(classes,)``; empty when the drawing is empty.
    activations : model name -> layer name -> float32 activation for this input (no batch axis).
    mosaics : model name -> layer name -> uint8 mosaic (see
        :func:`digitlab.model.explain.mosaic.build_mosaic`); empty for an answer made while no
        maps were wanted (``lut=None`` in :func:`answer_input`).
    coloured : the same mosaics through the colour table ``lut`` (the app's: uint32 ``(h, w)``
        ``0xAARRGGBB`` words), ready to show.
    seconds : time spent in preprocessing and in the models.
    known : model name -> True when the drawing looks like one of that model's classes
        (the model's :class:`digitlab.model.nets.known.KnownRule`); False is
        "not a digit?". Empty when the drawing is empty.
    """

    revision: int
    preprocessed: Preprocessed
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    activations: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    mosaics: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    coloured: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    known: dict[str, bool] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.preprocessed.empty


def answer_input(
    core, infos: Mapping[str, ModelInfo], revision: int, pre: Preprocessed, lut: np.ndarray | None
) -> LiveResult:
    """Run one ready model input through every model of ``core``.

    Parameters
    ----------
    core : an :class:`digitlab.model.nets.inference.InferenceCore`.
    infos : model name -> its :class:`ModelInfo` (layouts and colour scales of the mosaics).
    pre : the model input; an empty one is answered without asking any model.
    lut : the colour table for the mosaics, ``(256, ...)`` (the app's: uint32 words, see
        :func:`digitlab.app.widgets.styles.viridis_words`), or None for no mosaics at all
        (nobody can see them).
    """
    t1 = time.perf_counter()
    if pre.empty:
        return LiveResult(revision, pre, seconds={})
    outputs = core.run(pre.image)
    t2 = time.perf_counter()
    probabilities, activations, mosaics, coloured, known = {}, {}, {}, {}, {}
    for name, out in outputs.items():
        probabilities[name] = out.probabilities[0]
        info = infos.get(name)
        rule = info.known_rule if info is not None else KnownRule()
        known[name] = bool(rule.known(probabilities[name]))
        acts = {k: v[0] for k, v in out.activations.items()}
        activations[name] = acts
        if info is not None and lut is not None:
            mosaics[name] = {
                v.name: build_mosaic(acts[v.name], v.layout, v.level) for v in info.shown
            }
            coloured[name] = {k: apply_lut(m, lut) for k, m in mosaics[name].items()}
    t3 = time.perf_counter()
    return LiveResult(
        revision,
        pre,
        probabilities,
        activations,
        mosaics,
        coloured,
        {"models": t2 - t1, "mosaics": t3 - t2},
        known,
    )


def answer_drawing(
    core,
    infos: Mapping[str, ModelInfo],
    revision: int,
    strokes: Sequence[Stroke],
    canvas: tuple[float, float],
    lut: np.ndarray | None,
) -> LiveResult:
    """Preprocess a drawing (``strokes`` on a ``canvas`` of ``(width, height)``) with the one
    path (:func:`digitlab.model.preprocess.strokes.strokes_to_input`), then
    :func:`answer_input`."""
    t0 = time.perf_counter()
    pre = strokes_to_input(strokes, canvas)
    t1 = time.perf_counter()
    result = answer_input(core, infos, revision, pre, lut)
    result.seconds["preprocess"] = t1 - t0
    return result


@dataclass(frozen=True)
class LiveSnapshot:
    """The live models frozen together with their descriptions, to answer a drawing on the
    thread that calls it.

    core : a :class:`digitlab.model.nets.light_inference.LightCore` no one else changes
        (:meth:`~digitlab.model.nets.light_inference.LightCore.snapshot`): NumPy only, so any
        one thread may use it (TensorFlow cores stay on the inference thread).
    infos : model name -> its :class:`ModelInfo`, described from those same models (a mosaic's
        layout always matches the activation it is built from).
    """

    core: object
    infos: Mapping[str, ModelInfo]

    def answer_drawing(
        self,
        revision: int,
        strokes: Sequence[Stroke],
        canvas: tuple[float, float],
        lut: np.ndarray | None,
    ) -> LiveResult:
        """:func:`answer_drawing` with these models."""
        return answer_drawing(self.core, self.infos, revision, strokes, canvas, lut)

    def answer_input(self, revision: int, pre: Preprocessed, lut: np.ndarray | None) -> LiveResult:
        """:func:`answer_input` with these models."""
        return answer_input(self.core, self.infos, revision, pre, lut)
