"""The explanation thread: saliency, steps and the answer's history for the newest drawing.

It owns its own copies of the models (a :class:`digitlab.model.explain.saliency.Explainer`),
separate from the live inference thread, so the live bars never wait for an explanation. A
:class:`digitlab.app.threads.MailboxWorker`: the GUI posts the newest drawing into its one-slot
mailbox (latest wins); model swaps are ordered jobs, and the one-off "top digits"
precomputation is a background job, run when no drawing waits. The top digits are worked
through batch by batch, and a waiting drawing is explained between two batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal

from digitlab.app.threads import MailboxWorker, WorkerThread
from digitlab.model.data.mnist import load_mnist, to_model_input
from digitlab.model.preprocess.frame import Preprocessed
from digitlab.model.preprocess.strokes import Stroke, rasterize, strokes_to_input

RAW_SIDE = 84
"""Side, px, of the raw canvas picture in the step-by-step view."""
MODEL_NAMES = ("cnn", "dense")


@dataclass(frozen=True)
class ExplainRequest:
    """A drawing to explain.

    preprocessed : the model input the live thread made (the one path), with its steps.
    strokes : the canvas strokes (for the raw step and the history), or ``()`` for a picture.
    canvas : ``(width, height)`` of the canvas.
    target : the class to explain, or None for each model's own answer.
    """

    revision: int
    preprocessed: Preprocessed
    strokes: tuple[Stroke, ...] = ()
    canvas: tuple[float, float] = (280.0, 280.0)
    target: int | None = None


@dataclass(frozen=True)
class Explanation:
    """What the explanation thread found for one drawing.

    probabilities : model -> float32 ``(10,)``.
    targets : model -> the class explained.
    occlusion : model -> float32 ``(28, 28)`` in -1..1 (see
        :func:`digitlab.model.explain.saliency.occlusion`).
    gradcam : model -> :class:`digitlab.model.explain.saliency.GradCam` (models with conv2 only).
    raw : float32 ``(84, 84)`` in 0..1, the canvas as drawn (None for a picture).
    history : model -> float32 ``(strokes, 10)``: the answer after each stroke (empty for a
        picture).
    seconds : time spent, by part.
    """

    revision: int
    preprocessed: Preprocessed
    probabilities: dict[str, np.ndarray]
    targets: dict[str, int]
    occlusion: dict[str, np.ndarray]
    gradcam: dict[str, object]
    raw: np.ndarray | None
    history: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelPictures:
    """Weights as pictures and each unit's top digits, for one model.

    mosaics : layer -> ``(float32 image with NaN gaps, model.filters.Grid, level)``.
    fields : the model's :class:`digitlab.model.explain.receptive_field.FieldRow` s.
    top : layer -> int32 ``(units, k)`` MNIST test indices, strongest first (may be empty
        until :attr:`ExplainWorker.top_ready` delivers them).
    """

    name: str
    mosaics: dict[str, tuple]
    fields: tuple
    top: dict[str, np.ndarray] = field(default_factory=dict)


def _load_models(paths: dict[str, object] | None) -> dict[str, object]:
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.model_files import load_model

    out = {}
    for name in MODEL_NAMES:
        source = (paths or {}).get(name, bundled_model_path(name))
        out[name] = source if hasattr(source, "layers") else load_model(source, num_classes=None)
    return out


def model_pictures(name: str, model) -> ModelPictures:
    """Weights as mosaics and the receptive-field table of ``model`` (no top digits yet)."""
    from digitlab.model.explain.filters import dense_templates, kernel_mosaic
    from digitlab.model.explain.receptive_field import receptive_fields

    mosaics = {}
    for layer in model.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is None:
            continue
        k = np.asarray(kernel.numpy() if hasattr(kernel, "numpy") else kernel)
        if k.ndim == 4:
            mosaics[layer.name] = kernel_mosaic(k)
        elif k.ndim == 2 and k.shape[0] == 784:
            mosaics[layer.name] = dense_templates(k)
    return ModelPictures(name, mosaics, tuple(receptive_fields(model)))


class ExplainWorker(MailboxWorker):
    """Runs in the explanation thread (see the module docstring).

    ``submit``, ``drop_pending``, ``set_model``, ``request_top`` and ``cancel`` may be called
    from any thread.
    """

    # The models are loaded: dict name -> ModelPictures (weights, receptive fields).
    ready = Signal(object)
    # One model was replaced: ModelPictures.
    model_changed = Signal(object)
    # An explanation of the newest drawing: Explanation.
    explained = Signal(object)
    # Top digits of a model: (name, dict layer -> int32 (units, k)).
    top_ready = Signal(str, object)
    # MNIST test digits for showing top digits: uint8 (10000, 28, 28).
    digits_ready = Signal(object)

    label = "explanations"
    serve_error = "could not explain the drawing"

    def __init__(
        self,
        model_factory: Callable[[], dict] | None = None,
        cache_dir: Callable[[], object] | None = None,
    ):
        super().__init__()
        self._factory = model_factory
        self._cache_dir = cache_dir
        self.explainer = None
        self._history_cache: dict[tuple, dict[str, np.ndarray]] = {}
        self.explained_count = 0

    # ---------------------------------------------------------------- any thread

    def submit(self, request: ExplainRequest) -> None:
        """Replace the drawing waiting to be explained (never queued)."""
        self.post(request)

    def set_model(self, name: str, model) -> None:
        """Explain with ``model`` (a Keras model this thread may own, or a ``.keras`` path)."""
        self.queue(lambda: self._swap(name, model))

    def request_top(self, name: str) -> None:
        """Find ``name``'s top MNIST digits per unit (from the cache when it has them)."""
        self.queue_background(("top", name), lambda: self._top(name))

    # ---------------------------------------------------------------- the thread

    def serve(self, request: ExplainRequest) -> None:
        self.explained.emit(self.explain(request))

    def setup(self) -> None:
        """Load the models (``ready``)."""
        from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

        import_tensorflow_quietly()
        from digitlab.model.explain.saliency import Explainer

        models = self._factory() if self._factory is not None else _load_models(None)
        self.explainer = Explainer(models)
        self.ready.emit(
            {
                name: model_pictures(name, self.explainer.model(name))
                for name in self.explainer.names
            }
        )

    def _swap(self, name: str, model) -> None:
        try:
            if not hasattr(model, "layers"):
                from digitlab.model.nets.model_files import load_model

                model = load_model(model, num_classes=None)
            self.explainer.set_model(name, model)
            self._history_cache.clear()
            self.model_changed.emit(model_pictures(name, self.explainer.model(name)))
        except Exception as exc:
            self.failed.emit(f"could not explain with the new {name} model: {exc}")

    def explain(self, request: ExplainRequest) -> Explanation:
        """Saliency, probabilities, raw picture and history for one drawing (no signals)."""
        ex = self.explainer
        pre = request.preprocessed
        t0 = time.perf_counter()
        probabilities, targets, occ, cams = {}, {}, {}, {}
        for name in ex.names:
            p = ex.probabilities(name, pre.image)[0]
            probabilities[name] = p
            target = int(np.argmax(p)) if request.target is None else int(request.target)
            target = min(max(target, 0), len(p) - 1)
            targets[name] = target
            occ[name] = ex.occlusion(name, pre.image, target)
            if ex.has_gradcam(name):
                cams[name] = ex.gradcam(name, pre.image, target)
        t1 = time.perf_counter()
        raw = None
        history: dict[str, np.ndarray] = {}
        if request.strokes:
            raw = rasterize(request.strokes, request.canvas, (RAW_SIDE, RAW_SIDE))
            history = self._history(request.strokes, request.canvas)
        t2 = time.perf_counter()
        self.explained_count += 1
        return Explanation(
            request.revision,
            pre,
            probabilities,
            targets,
            occ,
            cams,
            raw,
            history,
            {"saliency": t1 - t0, "steps_history": t2 - t1},
        )

    def _history(self, strokes: Sequence[Stroke], canvas) -> dict[str, np.ndarray]:
        """Both models' answers after each stroke (prefixes already seen come from a cache)."""
        keys, missing = [], []
        for k in range(1, len(strokes) + 1):
            s = strokes[k - 1]
            key = (keys[-1] if keys else (), len(s.points), float(s.points.sum()), s.erase, s.width)
            keys.append(key)
            if key not in self._history_cache:
                missing.append(k)
        if missing:
            images = [strokes_to_input(strokes[:k], canvas) for k in missing]
            batch = np.stack([p.image for p in images])
            probs = {
                name: self.explainer.probabilities(name, batch) for name in self.explainer.names
            }
            for i, (k, pre) in enumerate(zip(missing, images, strict=True)):
                self._history_cache[keys[k - 1]] = {
                    name: (np.full_like(p[i], np.nan) if pre.empty else p[i])
                    for name, p in probs.items()
                }
            if len(self._history_cache) > 512:
                self._history_cache = {k: self._history_cache[k] for k in keys}
        return {
            name: np.stack([self._history_cache[k][name] for k in keys])
            for name in self.explainer.names
        }

    def _top(self, name: str) -> None:
        from digitlab.model.explain.filters import (
            TOP_LAYERS,
            fingerprint,
            load_top,
            save_top,
            top_activating,
        )

        try:
            images = load_mnist().x_test
            self.digits_ready.emit(images)
            model = self.explainer.model(name)
            key = fingerprint(model.get_weights())
            layers = [n for n in TOP_LAYERS.get(name, ()) if n in {x.name for x in model.layers}]
            path = None
            if self._cache_dir is not None:
                path = self._cache_dir() / f"top-{name}-{key[:20]}.npz"
                try:
                    self.top_ready.emit(name, load_top(path, key, len(images)))
                    return
                except ValueError:
                    pass
            import keras

            extractor = keras.Model(model.inputs[0], [model.get_layer(n).output for n in layers])

            def outputs(batch):
                self.serve_pending()  # keep explaining the drawing between batches
                outs = extractor(to_model_input(batch), training=False)
                outs = outs if isinstance(outs, (list, tuple)) else [outs]
                return {n: np.asarray(o) for n, o in zip(layers, outs, strict=True)}

            top = top_activating(outputs, images, should_stop=lambda: self.stopping)
            if top is None:
                return
            if path is not None:
                try:
                    save_top(path, key, top)
                except OSError:
                    pass  # a cache is a convenience
            self.top_ready.emit(name, top)
        except Exception as exc:
            self.failed.emit(f"could not find the top digits of the {name} model: {exc}")


class ExplainThread(WorkerThread):
    """Owns the explanation thread and its :class:`ExplainWorker` (``worker``)."""

    def __init__(
        self,
        model_factory: Callable[[], dict] | None = None,
        cache_dir: Callable[[], object] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(ExplainWorker(model_factory, cache_dir), parent, "digitlab-explain")
