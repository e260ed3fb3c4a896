"""The inference thread's worker: loads the models, then answers the newest drawing.

A :class:`digitlab.app.threads.MailboxWorker`: it owns the core, the NumPy
:class:`digitlab.model.nets.light_inference.LightCore` whenever it can run the models (no
TensorFlow needed, so the first answer comes within a second of launch), else TensorFlow's
:class:`digitlab.model.nets.inference.InferenceCore` (TensorFlow objects stay on the thread
that uses them). With every change of models it sends the window's thread a frozen copy of
a NumPy core (``snapshot``), which answers drawings there (see
:mod:`digitlab.app.live.live_models`); what comes here is a drawing or a ready 28x28 input
while TensorFlow runs the models, and every reading of the Number mode, each posted into the
one-slot mailbox, so a burst is answered once, for the newest. Model swaps and batch
classifications are ordered jobs that are never dropped. The answers themselves are
computed by the Qt-free :mod:`digitlab.model.nets.live_answer`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import Signal

from digitlab.app.threads import MailboxWorker
from digitlab.app.widgets.styles import viridis_words
from digitlab.model.nets.colour_levels import levels_of
from digitlab.model.nets.describe import DIGIT_MODELS, ModelInfo, describe_model
from digitlab.model.nets.known import stored_rules
from digitlab.model.nets.live_answer import (
    LiveResult,
    LiveSnapshot,
    answer_drawing,
    answer_input,
)
from digitlab.model.preprocess.frame import Preprocessed
from digitlab.model.preprocess.strokes import Stroke
from digitlab.model.segment.live_number import NumberResult, answer_number, reader_for

Done = Callable[[str | None], None]
"""Called in the inference thread when a model swap ends: the error message, or None."""


def _rules(model) -> dict:
    """``describe_model``'s ``known_rule`` and ``number_rule`` for a model file (or a model in
    memory: the defaults), its metrics read once."""
    known, number = stored_rules(model)
    return {"known_rule": known, "number_rule": number}


class InferenceWorker(MailboxWorker):
    """Runs in the inference thread (see the module docstring).

    The GUI thread calls :meth:`submit`, :meth:`submit_input`, :meth:`set_model`,
    :meth:`replace_models`, :meth:`classify` and :meth:`cancel` (all thread-safe).

    Parameters
    ----------
    core_factory : builds the core in the inference thread (default: the bundled models,
        with their stored colour scales).
    calibration : float32 ``(n, 28, 28, 1)`` inputs that fix a loaded model's colour scales
        (default: MNIST test digits, read when first needed).
    """

    # A status message for the user (e.g. "loading models").
    status = Signal(str)
    # Models are loaded: dict name -> ModelInfo.
    models_ready = Signal(object)
    # One model was replaced: ModelInfo.
    model_changed = Signal(object)
    # The answer for a drawing: LiveResult.
    result = Signal(object)
    # The answer for a drawing of the Number mode: NumberResult.
    number_result = Signal(object)
    # The models live from now on, for the window's thread to answer drawings itself: a
    # LiveSnapshot while NumPy runs them all, None while TensorFlow does (then drawings come
    # here). Emitted before the models_ready or model_changed of the same change.
    snapshot = Signal(object)

    label = "inference"
    serve_error = "could not read the drawing"

    def __init__(
        self,
        core_factory: Callable[[], object] | None = None,
        calibration: np.ndarray | None = None,
    ):
        super().__init__()
        self._core_factory = core_factory
        self._calibration = calibration
        self.core = None
        # What the core was built from (name -> path or Keras model), to rebuild it with
        # TensorFlow when a model swapped in later is one NumPy cannot run.
        self._sources: dict = {}
        self.infos: dict[str, ModelInfo] = {}
        self.runs = 0  # how many drawings went to the models (tests check it stays 0)
        # False while no activation maps can be seen (another tab covers them): answers then
        # carry activations but no mosaics, and a view that ever shows one builds its own.
        # A training run shares the two cores with this thread, so work nobody sees is skipped.
        self.maps_wanted = True
        self._reader = None  # the Number mode's reader, rebuilt when the models change

    # ---------------------------------------------------------------- called from any thread

    def submit(self, revision: int, strokes: Sequence[Stroke], canvas: tuple[float, float]) -> None:
        """Replace whatever drawing is waiting with this one (never queued)."""
        self.post(("strokes", (revision, list(strokes), canvas)))

    def submit_input(self, revision: int, preprocessed: Preprocessed) -> None:
        """Replace whatever is waiting with a ready model input (e.g. a dropped picture)."""
        self.post(("input", (revision, preprocessed)))

    def submit_number(
        self,
        revision: int,
        strokes: Sequence[Stroke],
        canvas: tuple[float, float],
        selected: int | None = None,
    ) -> None:
        """Replace whatever is waiting with a number to read (the Number mode's drawing),
        detailing digit ``selected`` (None: the last one)."""
        self.post(("number", (revision, list(strokes), canvas, selected)))

    def set_model(self, name: str, model, done: Done | None = None) -> None:
        """Queue a swap of the model ``name`` (a Keras model or a ``.keras`` path)."""
        self.queue(lambda: self._swap(name, model, done))

    def replace_models(
        self, models: dict, class_names: dict[str, tuple[str, ...]], done: Done | None = None
    ) -> None:
        """Queue a swap of the whole model set (``models``: name -> Keras model or path)."""
        models, class_names = dict(models), dict(class_names)
        self.queue(lambda: self._replace(models, class_names, done))

    def classify(
        self, make_inputs: Callable[[], np.ndarray], done: Callable[[dict | None, str | None], None]
    ) -> None:
        """Queue a batch: ``make_inputs()`` (run in the inference thread) gives float32
        ``(n, 28, 28)`` inputs; ``done(probabilities by model name or None, error or None)``."""
        self.queue(lambda: self._classify(make_inputs, done))

    # ---------------------------------------------------------------- the inference thread

    def setup(self) -> None:
        """Load the models and describe them (``models_ready``).

        The bundled models are read into the NumPy core (milliseconds, no TensorFlow): the
        first answers do not wait for TensorFlow, which only loads where NumPy cannot run a
        model (:func:`_core_for`).
        """
        from digitlab.model.nets.blas_threads import use_one_blas_thread

        use_one_blas_thread()  # small products: more threads only fight a training run's
        stored = None
        if self.core is None:
            self.status.emit("loading models")
            if self._core_factory is None:
                from digitlab.model.data.bundled import bundled_model_path
                from digitlab.model.nets.colour_levels import bundled_levels

                self._sources = {name: bundled_model_path(name) for name in DIGIT_MODELS}
                self.core = _core_for(self._sources)
                # The bundled models' colour scales are stored: no MNIST, no calibration run.
                stored = bundled_levels(self.core.names)
            else:
                self.core = self._core_factory()
        self.infos = {
            name: describe_model(
                self.core,
                name,
                self._calibration,
                levels=None if stored is None else stored[name],
                **_rules(self._sources.get(name)),
            )
            for name in self.core.names
        }
        self._publish()
        self.models_ready.emit(dict(self.infos))

    def serve(self, request: tuple[str, tuple]) -> None:
        kind, job = request
        if kind == "number":
            self.number_result.emit(self.answer_number(*job))
            return
        self.result.emit(self.answer_input(*job) if kind == "input" else self.answer(*job))

    def answer_number(
        self,
        revision: int,
        strokes: Sequence[Stroke],
        canvas: tuple[float, float],
        selected: int | None = None,
    ) -> NumberResult:
        """Read one number and detail one digit (no signals; tests call it directly)."""
        if self._reader is None or self._reader.core is not self.core:
            self._reader = reader_for(self.core, self.infos)
        result = answer_number(
            self._reader, self.infos, revision, strokes, canvas, selected, self.maps_lut()
        )
        self.runs += not result.reading.empty
        return result

    def answer(
        self, revision: int, strokes: Sequence[Stroke], canvas: tuple[float, float]
    ) -> LiveResult:
        """Preprocess and run one drawing (no signals; tests call it directly)."""
        result = answer_drawing(self.core, self.infos, revision, strokes, canvas, self.maps_lut())
        self.runs += not result.empty
        return result

    def answer_input(self, revision: int, pre: Preprocessed) -> LiveResult:
        """Run one ready model input (no signals; tests call it directly)."""
        result = answer_input(self.core, self.infos, revision, pre, self.maps_lut())
        self.runs += not result.empty
        return result

    def _publish(self) -> None:
        light = getattr(self.core, "light", False)
        self.snapshot.emit(LiveSnapshot(self.core.snapshot(), dict(self.infos)) if light else None)

    def maps_lut(self) -> np.ndarray | None:
        """The colour table the answers' maps are made with, or None when no map is wanted
        (:attr:`maps_wanted`): the same for answers made here and in the window's thread."""
        return viridis_words() if self.maps_wanted else None

    def _replace(self, models: dict, class_names: dict, done: Done | None) -> None:
        """Build a new core for ``models``; the old one stays on any error."""
        try:
            core = _core_for(models)
            infos = {
                name: describe_model(
                    core,
                    name,
                    self._calibration,
                    class_names.get(name, ()),
                    levels=levels_of(models[name]),
                    **_rules(models[name]),
                )
                for name in core.names
            }
            self.core, self.infos, self._sources = core, infos, dict(models)
            self._reader = None
            self._publish()
            self.models_ready.emit(dict(infos))
            error = None
        except Exception as exc:
            error = f"could not load {', '.join(models)}: {exc}"
            self.failed.emit(error)
        if done is not None:
            done(error)

    def _swap(self, name: str, model, done: Done | None) -> None:
        try:
            if getattr(self.core, "light", False):
                sources = {**self._sources, name: model}
                try:
                    self.core.set_model(name, model)
                except Exception:  # not for NumPy (or refused by it): TensorFlow decides
                    if set(sources) != set(self.core.names):
                        raise
                    self.core = _core_for(sources, light=False)
                self._sources = sources
            else:
                self.core.set_model(name, model)
            old = self.infos.get(name)
            info = describe_model(
                self.core,
                name,
                self._calibration,
                old.class_names if old is not None else (),
                levels=levels_of(model),
                **_rules(model),
            )
            self.infos[name] = info
            self._reader = None
            self._publish()
            self.model_changed.emit(info)
            error = None
        except Exception as exc:
            error = f"could not load the {name} model: {exc}"
            self.failed.emit(error)
        if done is not None:
            done(error)

    def _classify(self, make_inputs, done) -> None:
        try:
            inputs = make_inputs()
            probabilities = self.core.probabilities(inputs)
        except Exception as exc:
            done(None, f"could not classify the batch: {exc}")
            return
        done(probabilities, None)


def _core_for(models: dict, light: bool = True):
    """A core for ``models`` (name -> ``.keras`` path or Keras model): the NumPy
    :class:`~digitlab.model.nets.light_inference.LightCore` when it can run them all (it is
    faster and needs no TensorFlow), else TensorFlow's
    :class:`~digitlab.model.nets.inference.InferenceCore` (imported here, seconds)."""
    if light:
        from digitlab.model.nets.light_inference import LightCore, NotLightError
        from digitlab.model.nets.model_files import ModelFileError

        try:
            return LightCore(models)
        except (NotLightError, ModelFileError):
            pass  # TensorFlow runs what NumPy does not, and words a refusal its own way
    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

    import_tensorflow_quietly()  # seconds, once
    from digitlab.model.nets.inference import InferenceCore

    return InferenceCore(models)
