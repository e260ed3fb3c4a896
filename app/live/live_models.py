"""Live inference off the GUI thread: the latest drawing wins, stale work is dropped.

One long-lived inference thread owns the :class:`digitlab.model.nets.inference.InferenceCore` (TensorFlow
objects stay on the thread that uses them). The GUI thread posts the drawing into a one-slot
mailbox; the thread wakes, takes the newest drawing, preprocesses it with the one path
(:func:`digitlab.model.preprocess.strokes.strokes_to_input`), runs both models once and posts the result
back, with each layer's activation mosaic already built, so the views only show pictures
(while another tab covers the maps, answers skip the mosaics: nobody could see them).
A ready 28x28 input (a dropped picture) goes through the same one-slot mailbox.
Model swaps (the training tab) go through an ordered queue that is never dropped.
:meth:`LiveModels.show_models` replaces the whole set through the same queue, e.g. one
model trained on your own image classes instead of the two digit models.
Batch classifications (e.g. the accuracy on the user's own samples) queue the same way, after
any swap.
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from digitlab.app.widgets.styles import viridis_lut
from digitlab.model.explain.mosaic import FieldStep, MosaicLayout, build_mosaic, calibrate_level, layout_for
from digitlab.model.preprocess.frame import Preprocessed
from digitlab.model.preprocess.strokes import Stroke, strokes_to_input

DIGIT_MODELS = ("cnn", "dense")
"""The bundled digit models: the live set at start and after "Restore bundled models" (a
model of your own image classes is live as "custom" instead)."""


def reads_digits(names) -> bool:
    """True when the live models named ``names`` are the digit pair."""
    return set(names) == set(DIGIT_MODELS)


CALIBRATION_IMAGES = 128
"""MNIST test digits used to fix each layer's colour scale when a model is loaded."""
GIL_SWITCH_INTERVAL_S = 0.001
"""How often Python threads hand over the GIL while the inference thread runs."""
SHOWN_LAYERS = {"cnn": ("conv1", "pool1", "conv2", "pool2", "dense", "output"),
                "dense": ("hidden", "output")}
"""The layers whose activations are shown (``flatten`` repeats its input, so it is left out)."""


@dataclass(frozen=True)
class LayerView:
    """What a view needs to show one layer: its name, kind, shape, parameters, mosaic layout,
    fixed colour-scale top and receptive-field steps."""

    model: str
    name: str
    kind: str
    shape: tuple[int, ...]
    params: int
    layout: MosaicLayout | None
    level: float
    steps: tuple[FieldStep, ...] = ()


@dataclass(frozen=True)
class ModelInfo:
    """One loaded model as the views describe it."""

    name: str
    layers: tuple[LayerView, ...]  # every real layer, in order
    total_params: int
    class_names: tuple[str, ...] = ()  # one per output; () means the digits 0..9

    @property
    def labels(self) -> tuple[str, ...]:
        """The class names to show, one per output."""
        classes = self.layers[-1].shape[-1] if self.layers else 10
        return self.class_names or tuple(str(i) for i in range(classes))

    @property
    def shown(self) -> tuple[LayerView, ...]:
        keep = SHOWN_LAYERS.get(self.name)
        return tuple(v for v in self.layers if v.layout is not None and
                     (v.name in keep if keep is not None else v.kind != "Flatten"))


@dataclass(frozen=True)
class LiveResult:
    """The answer for one drawing.

    revision : the canvas revision this answers (the views record it when they paint).
    preprocessed : the 28x28 input and notes.
    probabilities : model name -> float32 ``(classes,)``; empty when the drawing is empty.
    activations : model name -> layer name -> float32 activation for this input (no batch axis).
    mosaics : model name -> layer name -> uint8 mosaic (see :func:`digitlab.model.explain.mosaic.build_mosaic`);
        empty for an answer made while no maps were wanted (see ``InferenceWorker.maps_wanted``).
    coloured : the same mosaics as uint8 RGBA ``(h, w, 4)`` through the viridis table, ready to
        show (colouring happens here, off the GUI thread).
    seconds : time spent in preprocessing and in the models.
    """

    revision: int
    preprocessed: Preprocessed
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    activations: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    mosaics: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    coloured: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.preprocessed.empty


def colour_mosaic(mosaic: np.ndarray) -> np.ndarray:
    """uint8 RGBA ``(h, w, 4)`` of a uint8 mosaic (:func:`digitlab.model.explain.mosaic.build_mosaic`) through
    the viridis table: what the activation views show."""
    return np.take(viridis_lut(), mosaic, axis=0)


def _field_steps(keras_model) -> tuple[FieldStep, ...]:
    steps = []
    for layer in keras_model.layers:
        kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        strides = getattr(layer, "strides", None)
        if kernel is None or strides is None:
            continue
        steps.append(FieldStep(layer.name, int(kernel[0]), int(strides[0])))
    return tuple(steps)


@functools.lru_cache(maxsize=1)
def _calibration_batch() -> np.ndarray:
    """A fixed handful of MNIST test digits (for colour scales); zeros if MNIST is missing."""
    try:
        from digitlab.model.data.bundled import MNIST_PATH

        with np.load(MNIST_PATH, allow_pickle=False) as data:
            x = data["x_test"][:CALIBRATION_IMAGES]
        return (x.astype(np.float32) / 255.0)[..., None]
    except Exception:  # noqa: BLE001 - the scale falls back to 1.0; nothing else depends on it
        return np.zeros((1, 28, 28, 1), np.float32)


def describe_model(core, name: str, calibration: np.ndarray | None,
                   class_names: tuple[str, ...] = (),
                   levels: Mapping[str, float] | None = None) -> ModelInfo:
    """Layer views of ``name`` in ``core``, with colour scales from ``calibration`` inputs
    (MNIST test digits, loaded when None), or from ``levels`` (layer name -> top, see
    :mod:`digitlab.app.live.colour_levels`) without running it; ``class_names`` label its outputs."""
    infos = core.layers(name)
    if levels is not None and all(info.name in levels for info in infos):
        out = None
    else:
        levels = None
        if calibration is None:
            calibration = _calibration_batch()
        out = core.run(calibration, names=(name,))[name]
    steps = _field_steps(core.model(name))
    views = []
    for info in infos:
        shape = tuple(info.output_shape)
        try:
            layout = layout_for(shape)
        except ValueError:
            layout = None
        if info.name == infos[-1].name:
            level = 1.0  # probabilities: always 0..1
        elif levels is not None:
            level = float(levels[info.name])
        else:
            level = calibrate_level(out.activations[info.name])
        views.append(LayerView(name, info.name, info.kind, shape, info.params, layout, level,
                               steps))
    return ModelInfo(name, tuple(views), sum(i.params for i in infos), tuple(class_names))


def _stored_levels(model) -> dict[str, float] | None:
    """The stored colour scales of a model given as a file (e.g. the bundled ones brought back
    by "Restore bundled models"), so it is not calibrated again; None for anything else."""
    if not isinstance(model, (str, os.PathLike)):
        return None
    from digitlab.app.live.colour_levels import stored_levels

    return stored_levels(model)


class InferenceWorker(QObject):
    """Runs in the inference thread: loads the models, then answers the newest drawing.

    The GUI thread calls :meth:`submit`, :meth:`set_model` and :meth:`stop` (thread-safe);
    everything else happens in :meth:`run`, which loops until stopped.
    """

    # Loading began / a status message for the user (e.g. "loading models").
    status = Signal(str)
    # Models are loaded: dict name -> ModelInfo.
    models_ready = Signal(object)
    # One model was replaced: ModelInfo.
    model_changed = Signal(object)
    # The answer for a drawing: LiveResult.
    result = Signal(object)
    # Something went wrong: a message (the thread keeps serving).
    errored = Signal(str)
    # run() returned.
    finished = Signal()

    def __init__(self, core_factory: Callable[[], object] | None = None):
        super().__init__()
        self._core_factory = core_factory
        self.core = None
        self.infos: dict[str, object] = {}
        self._cond = threading.Condition()
        # The newest job: ("strokes", (revision, strokes, canvas)) or ("input", (revision, pre)).
        self._pending: tuple[str, tuple] | None = None
        self._swaps: list[tuple[str, object, Callable[[str | None], None] | None]] = []
        self._batches: list[tuple[Callable[[], np.ndarray], Callable]] = []
        self._stop = False
        # MNIST digits for colour scales; None: describe_model loads them on first need.
        self._calibration: np.ndarray | None = None
        self.runs = 0  # how many drawings went to the models (tests check it stays 0)
        # False while no activation maps can be seen (another tab covers them): answers then
        # carry activations but no mosaics, and a view that ever shows one builds its own.
        # A training run shares the two cores with this thread, so work nobody sees is skipped.
        self.maps_wanted = True

    # ---------------------------------------------------------------- called from any thread

    def submit(self, revision: int, strokes: Sequence[Stroke], canvas: tuple[float, float]) -> None:
        """Replace whatever drawing is waiting with this one (never queued)."""
        self._post(("strokes", (revision, list(strokes), canvas)))

    def submit_input(self, revision: int, preprocessed: Preprocessed) -> None:
        """Replace whatever is waiting with a ready model input (e.g. a dropped picture)."""
        self._post(("input", (revision, preprocessed)))

    def _post(self, job: tuple[str, tuple]) -> None:
        with self._cond:
            self._pending = job
            self._cond.notify()

    def set_model(self, name: str, model, done: Callable[[str | None], None] | None = None) -> None:
        with self._cond:
            self._swaps.append((name, model, done))
            self._cond.notify()

    def replace_models(self, models: dict, class_names: dict[str, tuple[str, ...]],
                       done: Callable[[str | None], None] | None = None) -> None:
        """Queue a swap of the whole model set (``models``: name -> Keras model or path)."""
        with self._cond:
            self._swaps.append((None, (dict(models), dict(class_names)), done))
            self._cond.notify()

    def classify(self, make_inputs: Callable[[], np.ndarray],
                 done: Callable[[dict | None, str | None], None]) -> None:
        """Queue a batch: ``make_inputs()`` (run in the inference thread) gives float32
        ``(n, 28, 28)`` inputs; ``done(probabilities by model name or None, error or None)``."""
        with self._cond:
            self._batches.append((make_inputs, done))
            self._cond.notify()

    def drop_pending(self) -> None:
        """Forget the drawing waiting to be answered (the canvas was cleared)."""
        with self._cond:
            self._pending = None

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()

    # ---------------------------------------------------------------- the inference thread

    @Slot()
    def run(self) -> None:
        try:
            self._load()
            while True:
                with self._cond:
                    while not (self._stop or self._pending or self._swaps or self._batches):
                        self._cond.wait()
                    if self._stop:
                        break
                    swaps, self._swaps = self._swaps, []
                    job, self._pending = self._pending, None
                    batches, self._batches = self._batches, []
                for name, model, done in swaps:
                    self._swap(name, model, done)
                for make_inputs, done in batches:
                    self._classify(make_inputs, done)
                if job is not None:
                    self._answer(*job)
        except Exception as exc:  # noqa: BLE001 - report, never kill the app
            self.errored.emit(f"inference stopped: {exc}\n{traceback.format_exc()}")
        finally:
            self.finished.emit()

    def _load(self) -> None:
        stored = None
        if self.core is None:
            self.status.emit("loading models")
            if self._core_factory is None:
                from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

                import_tensorflow_quietly()  # seconds
                from digitlab.app.live.colour_levels import bundled_levels
                from digitlab.model.nets.inference import InferenceCore

                self.core = InferenceCore()
                # The bundled models' colour scales are stored: no MNIST, no calibration run.
                stored = bundled_levels(self.core.names)
            else:
                self.core = self._core_factory()
        self.infos = {name: describe_model(self.core, name, self._calibration,
                                           levels=None if stored is None else stored[name])
                      for name in self.core.names}
        self.models_ready.emit(dict(self.infos))

    def _replace(self, models: dict, class_names: dict, done) -> None:
        """Build a new core for ``models``; the old one stays on any error."""
        try:
            from digitlab.model.nets.inference import InferenceCore

            core = InferenceCore(models)
            infos = {name: describe_model(core, name, self._calibration,
                                          class_names.get(name, ()),
                                          levels=_stored_levels(models[name]))
                     for name in core.names}
            self.core, self.infos = core, infos
            self.models_ready.emit(dict(infos))
            error = None
        except Exception as exc:  # noqa: BLE001 - a bad model must not stop live inference
            error = f"could not load {', '.join(models)}: {exc}"
            self.errored.emit(error)
        if done is not None:
            done(error)

    def _swap(self, name: str | None, model, done) -> None:
        if name is None:
            self._replace(*model, done)
            return
        try:
            self.core.set_model(name, model)
            old = self.infos.get(name)
            info = describe_model(self.core, name, self._calibration,
                                  old.class_names if old is not None else (),
                                  levels=_stored_levels(model))
            self.infos[name] = info
            self.model_changed.emit(info)
            error = None
        except Exception as exc:  # noqa: BLE001 - a bad model must not stop live inference
            error = f"could not load the {name} model: {exc}"
            self.errored.emit(error)
        if done is not None:
            done(error)

    def _classify(self, make_inputs, done) -> None:
        try:
            inputs = make_inputs()
            probabilities = self.core.probabilities(inputs)
        except Exception as exc:  # noqa: BLE001 - reported to the asker, live inference goes on
            done(None, f"could not classify the batch: {exc}")
            return
        done(probabilities, None)

    def answer(self, revision: int, strokes: Sequence[Stroke],
               canvas: tuple[float, float]) -> LiveResult:
        """Preprocess and run one drawing (no signals; tests call it directly)."""
        t0 = time.perf_counter()
        pre = strokes_to_input(strokes, canvas)
        t1 = time.perf_counter()
        result = self.answer_input(revision, pre)
        result.seconds["preprocess"] = t1 - t0
        return result

    def answer_input(self, revision: int, pre: Preprocessed) -> LiveResult:
        """Run one ready model input (no signals; tests call it directly)."""
        t1 = time.perf_counter()
        if pre.empty:
            return LiveResult(revision, pre, seconds={})
        self.runs += 1
        outputs = self.core.run(pre.image)
        t2 = time.perf_counter()
        probabilities, activations, mosaics, coloured = {}, {}, {}, {}
        for name, out in outputs.items():
            probabilities[name] = out.probabilities[0]
            acts = {k: v[0] for k, v in out.activations.items()}
            activations[name] = acts
            info = self.infos.get(name)
            if info is not None and self.maps_wanted:
                mosaics[name] = {v.name: build_mosaic(acts[v.name], v.layout, v.level)
                                 for v in info.shown}
                coloured[name] = {k: colour_mosaic(m) for k, m in mosaics[name].items()}
        t3 = time.perf_counter()
        return LiveResult(revision, pre, probabilities, activations, mosaics, coloured,
                          {"models": t2 - t1, "mosaics": t3 - t2})

    def _answer(self, kind: str, job: tuple) -> None:
        try:
            if kind == "input":
                self.result.emit(self.answer_input(*job))
            else:
                self.result.emit(self.answer(*job))
        except Exception as exc:  # noqa: BLE001 - e.g. a PreprocessError on a crazy drawing
            self.errored.emit(f"could not read the drawing: {exc}")


class LiveModels(QObject):
    """The app's live models: owns the inference thread and its worker.

    Call :meth:`request` with the canvas's drawing whenever it changes; :attr:`result` follows
    for the newest drawing (an empty drawing answers at once, asking no model). The training
    tab calls :meth:`set_model` to show a newly trained model live.

    Parameters
    ----------
    core_factory : builds the :class:`~model.inference.InferenceCore` in the inference thread
        (default: the bundled models). Tests pass one that returns a shared core.
    """

    # Models are loaded: dict name -> ModelInfo (layers, params, colour scales).
    models_ready = Signal(object)
    # A model was replaced with set_model: ModelInfo.
    model_changed = Signal(object)
    # The answer for the newest drawing: LiveResult.
    result = Signal(object)
    # A status line for the user ("loading models", errors).
    status = Signal(str)
    # A model swap finished: (name, error message or "").
    model_set = Signal(str, str)
    # Something went wrong in the inference thread: a message.
    errored = Signal(str)
    # set_model was called: (name, the model or path given), for other model users (Explain).
    model_requested = Signal(str, object)
    # Internal: a swap finished in the inference thread, (name, error or "").
    _swapped = Signal(str, str)
    # A batch asked with classify_batch was answered: (token, {name: float32 (n, classes)}
    # or None, error message or "").
    batch_classified = Signal(object, object, str)

    def __init__(self, core_factory: Callable[[], object] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.ready = False
        self.infos: dict[str, ModelInfo] = {}
        self.latest: LiveResult | None = None
        self._shown_revision = -1
        self._requested_revision = -1
        # The model names queued last (changes at once, unlike ``infos``).
        self._queued_names: tuple[str, ...] = DIGIT_MODELS
        self._thread = QThread()
        self._thread.setObjectName("digitlab-inference")
        self.worker = InferenceWorker(core_factory)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        self.worker.finished.connect(self._thread.quit)
        self.worker.models_ready.connect(self._on_models_ready)
        self.worker.model_changed.connect(self._on_model_changed)
        self.worker.result.connect(self._on_result)
        self.worker.status.connect(self.status)
        self.worker.errored.connect(self.errored)
        self._swapped.connect(self.model_set)
        self._stopped = False
        # A QThread destroyed while running aborts the process: join it at exit at the latest.
        ref = weakref.ref(self)
        atexit.register(lambda: (lambda live: live is not None and live.stop())(ref()))

    def start(self) -> None:
        """Start the inference thread (it loads the models first)."""
        # The GUI thread and the inference thread share the GIL; with Python's default 5 ms
        # switch interval a paint or a mouse move can wait that long for it while a drawing
        # is preprocessed. 1 ms keeps both sides moving (process-wide, harmless elsewhere).
        if sys.getswitchinterval() > GIL_SWITCH_INTERVAL_S:
            sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        self._thread.start()

    def stop(self) -> None:
        """Stop and join the inference thread (safe to call twice)."""
        if self._stopped:
            return
        self._stopped = True
        self.worker.stop()
        self._thread.quit()
        if not self._thread.wait(30_000):  # a model load in progress cannot be interrupted
            self._thread.terminate()
            self._thread.wait()

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(self.infos)

    def request(self, revision: int, strokes: Sequence[Stroke], canvas: tuple[float, float]) -> None:
        """Answer this drawing (replacing any drawing not yet answered)."""
        self._requested_revision = revision
        if not any(not s.erase for s in strokes):
            # Nothing drawn: answer at once, ask no model, and drop any pending drawing.
            self._drop_pending()
            self._show(LiveResult(revision, _EMPTY))
            return
        self.worker.submit(revision, strokes, canvas)

    def request_input(self, revision: int, preprocessed: Preprocessed) -> None:
        """Answer a ready 28x28 input (a dropped picture) under ``revision``; the latest
        request, drawing or input, wins."""
        self._requested_revision = revision
        if preprocessed.empty:
            self._drop_pending()
            self._show(LiveResult(revision, preprocessed))
            return
        self.worker.submit_input(revision, preprocessed)

    def set_model(self, name: str, model) -> None:
        """Show ``model`` (a Keras model or a ``.keras`` path) live under ``name``.

        The inference thread copies it; :attr:`model_set` reports when done (or why not).
        """
        if name not in self._queued_names and name in DIGIT_MODELS:
            # Another model set is live (your own classes): bring the digit pair back first.
            self.restore_digit_models()
        self.model_requested.emit(name, model)
        self.worker.set_model(name, model,
                              lambda error, n=name: self._swapped.emit(n, error or ""))

    def show_models(self, models: dict, class_names: dict[str, tuple[str, ...]] | None = None
                    ) -> None:
        """Replace the whole live set, e.g. ``{"custom": model}`` with its class names.

        :attr:`models_ready` follows with the new set (the views lay themselves out again);
        :attr:`model_set` reports the names (joined by ", ") when done, or why not; on an
        error the models live before stay live.
        """
        self._queued_names = tuple(models)
        label = ", ".join(models)
        self.worker.replace_models(models, class_names or {},
                                   lambda error: self._swapped.emit(label, error or ""))

    def restore_digit_models(self) -> None:
        """Show the bundled CNN and dense digit models again."""
        from digitlab.model.data.bundled import bundled_model_path

        self.show_models({name: bundled_model_path(name) for name in DIGIT_MODELS})

    def set_maps_wanted(self, wanted: bool) -> None:
        """Whether answers should come with activation mosaics (False while nobody can see
        them; any view that shows such an answer later builds the mosaics itself)."""
        self.worker.maps_wanted = bool(wanted)

    def classify_batch(self, token, make_inputs: Callable[[], np.ndarray]) -> None:
        """Run every live model on a batch in the inference thread, after any model swap
        already asked for; :attr:`batch_classified` answers with ``token``. ``make_inputs``
        runs in that thread too (preprocessing included) and returns float32 ``(n, 28, 28)``."""
        self.worker.classify(make_inputs, lambda probabilities, error, t=token:
                             self.batch_classified.emit(t, probabilities, error or ""))

    def _drop_pending(self) -> None:
        self.worker.drop_pending()

    def _show(self, result: LiveResult) -> None:
        if result.revision < self._shown_revision:
            return  # an older drawing finished after a newer one was shown
        self._shown_revision = result.revision
        self.latest = result
        self.result.emit(result)

    @Slot(object)
    def _on_result(self, result: LiveResult) -> None:
        self._show(result)

    @Slot(object)
    def _on_models_ready(self, infos) -> None:
        self.infos = dict(infos)
        self.ready = True
        self.models_ready.emit(dict(infos))

    @Slot(object)
    def _on_model_changed(self, info) -> None:
        self.infos[info.name] = info
        self.model_changed.emit(info)


_EMPTY = Preprocessed(np.zeros((28, 28), np.float32), True)
