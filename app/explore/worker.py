"""The Explore tab's thread: maps, neighbours, pushed inputs and fooling, off the GUI thread.

A :class:`digitlab.app.threads.MailboxWorker` with its own NumPy copies of the models
(:class:`digitlab.model.nets.light_inference.LightCore`, no TensorFlow) for the maps and the
"push it" curves; TensorFlow is imported only when "fool it" is first asked. The GUI posts the
newest drawing (:class:`ExploreRequest`) into the one-slot mailbox: the latest wins. A model's
map and its neighbour index are background jobs (read from the cache per weights sha256, or
computed batch by batch, serving a waiting drawing between two batches). "Fool it" keeps a
one-slot mailbox of its own, so a burst of clicks is answered once, for the newest.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from digitlab.app.explore.jobs import BreakJobs, DreamJobs, DreamRequest
from digitlab.app.threads import MailboxWorker, WorkerThread
from digitlab.model.explore.embedding import MAP_LAYERS, EmbeddingMap
from digitlab.model.explore.neighbours import NeighbourIndex

MODEL_NAMES = ("cnn", "dense")


@dataclass(frozen=True)
class ExploreRequest:
    """The newest drawing, as the live thread answered it.

    image : float32 ``(28, 28)`` in 0..1, the model input (the one preprocessing path).
    ink : float32 ``(h, w)`` in 0..1, the drawing's ink as that path cropped it (what "push
        it" changes and sends through the path again).
    activations : model -> layer -> float32 activation (no batch axis), from the live answer.
    neighbours : ``(model, layer)`` whose nearest training digits are wanted, or None.
    push : the "push it" settings (:class:`digitlab.model.explore.push.PushSettings`), or
        None when the page is not shown.
    breakage : the "break it" :class:`~digitlab.model.explore.ablation.Breakage` and the
        ``(model, layer)`` whose broken activations are shown, or None.
    """

    revision: int
    image: np.ndarray
    ink: np.ndarray
    activations: dict[str, dict[str, np.ndarray]]
    neighbours: tuple[str, str] | None = None
    push: object | None = None
    breakage: tuple[object, tuple[str, str]] | None = None


@dataclass(frozen=True)
class ExploreAnswer:
    """What the thread found for one drawing.

    neighbours : int64 ``(k,)`` training-digit indices, nearest first (None: not asked or the
        index is not ready yet); layer : the ``(model, layer)`` they are for.
    pushed : the :class:`digitlab.model.explore.push.PushResult`, or None.
    broken : the :class:`digitlab.model.explore.ablation.BrokenAnswer`, or None.
    pushed_activation : the pushed input's float32 activation in ``layer`` (to place it on
        the map), or None.
    """

    revision: int
    layer: tuple[str, str] | None
    neighbours: np.ndarray | None
    pushed: object | None = None
    broken: object | None = None
    pushed_activation: np.ndarray | None = None


@dataclass(frozen=True)
class FoolRequest:
    """Fool the CNN (``source``) into reading ``target`` on ``image`` float32 ``(28, 28)``."""

    revision: int
    image: np.ndarray
    target: int
    source: str = "cnn"


class ExploreWorker(MailboxWorker):
    """Runs in the Explore thread (see the module docstring); the public methods may be
    called from any thread."""

    # A model's map is ready: EmbeddingMap.
    map_ready = Signal(object)
    # A model's neighbour index is ready: (model name, NeighbourIndex).
    neighbours_ready = Signal(str, object)
    # Work on a model's map goes on: (model, what, fraction 0..1).
    progress = Signal(str, str, float)
    # The answer for the newest drawing: ExploreAnswer.
    answered = Signal(object)
    # A model was replaced: its name (its map is recomputed when asked again).
    model_changed = Signal(str)
    # "Fool it" answered: digitlab.model.explore.adversarial.FoolResult.
    fooled = Signal(object)
    # The broken models' accuracy: jobs.AccuracyResult.
    accuracy_ready = Signal(object)
    # A unit's dream: jobs.DreamResult.
    dreamed = Signal(object)
    # The bundled MNIST for pictures and labels: digitlab.model.data.mnist.Dataset.
    digits_ready = Signal(object)

    label = "the Explore tab"
    serve_error = "could not place the drawing"

    def __init__(
        self,
        model_factory: Callable[[], dict] | None = None,
        cache_dir: Callable[[], Path] | None = None,
        sizes: tuple[int, int] | None = None,
    ):
        super().__init__()
        self._sizes = sizes
        self._factory = model_factory
        self._cache_dir = cache_dir
        self.core = None
        self._keys: dict[str, str] = {}
        self._maps: dict[str, EmbeddingMap] = {}
        self._index: dict[str, NeighbourIndex] = {}
        # Set while the tab is on screen: the map and neighbour passes wait between batches
        # while it is clear, so a hidden tab costs the live view nothing (measured in
        # benchmarks/explore_latency.py).
        self._shown = threading.Event()
        self._shown.set()
        self._slot_lock = threading.Lock()
        self._slots: dict[str, object] = {}
        self._posts = 0
        self._fooler = None
        self.breaking = BreakJobs(self)
        self.dreaming = DreamJobs(self)
        # model name -> what TensorFlow loads for "fool it" (a .keras path or a Keras copy).
        self._sources: dict[str, object] = {}

    # ---------------------------------------------------------------- any thread

    def submit(self, request: ExploreRequest) -> None:
        """Replace the drawing waiting to be answered."""
        self.post(request)

    def request_map(self, model: str) -> None:
        """Map ``model``'s layers (from the cache when it has them), then its neighbours."""
        self.queue_background(("map", model), lambda: self._map(model))

    def set_model(self, name: str, light, source) -> None:
        """Explore a new model under ``name``: ``light`` (a ``.keras`` path or a
        :class:`LightModel`) for the maps and curves, ``source`` (a ``.keras`` path or a Keras
        model this thread may own) for "fool it"."""
        self.queue(lambda: self._swap(name, light, source))

    def fool(self, request: FoolRequest) -> None:
        """Find the small change that makes the model read ``request.target`` (newest wins)."""
        self._post_slot("fool", request, self._serve_fool)

    def measure(self, breakage) -> None:
        """Measure the broken models' accuracy on 1,000 test digits (newest wins)."""
        self._post_slot("accuracy", breakage, self._serve_accuracy)

    def request_dream(self, request: DreamRequest) -> None:
        """Find the input that excites ``request``'s unit most (newest wins)."""
        self._post_slot("dream", request, self._serve_dream)

    def set_shown(self, shown: bool) -> None:
        """The tab is on screen (the long passes run) or hidden (they pause between batches)."""
        if shown:
            self._shown.set()
        else:
            self._shown.clear()

    def _post_slot(self, name: str, request: object, serve: Callable[[object], None]) -> None:
        """A one-slot mailbox per kind of slow job: a burst of clicks is served once, for the
        newest. Every post queues a job of its own key (a job already running would make a
        same-key post a no-op, and its request would wait forever); a job that finds its
        slot empty (a later job took it) does nothing."""
        with self._slot_lock:
            self._slots[name] = (request, serve)
            self._posts += 1
            key = (name, self._posts)
        self.queue_background(key, lambda: self._serve_slot(name))

    def _serve_slot(self, name: str) -> None:
        with self._slot_lock:
            waiting = self._slots.pop(name, None)
        if waiting is not None:
            request, serve = waiting
            serve(request)

    def _serve_slots(self) -> None:
        """Serve every slow job waiting (the long passes call it between batches, so a click
        on "Fool it" does not wait for the neighbour index)."""
        with self._slot_lock:
            names = list(self._slots)
        for name in names:
            self._serve_slot(name)

    # ---------------------------------------------------------------- the thread

    def setup(self) -> None:
        from digitlab.model.data.bundled import bundled_model_path
        from digitlab.model.data.mnist import load_mnist
        from digitlab.model.nets.light_inference import LightCore

        models = self._factory() if self._factory is not None else None
        self.core = LightCore(models)
        self._sources = {n: (models or {}).get(n, bundled_model_path(n)) for n in self.core.names}
        self.digits_ready.emit(load_mnist())

    def _swap(self, name: str, light, source) -> None:
        try:
            self.core.set_model(name, light)
            self._sources[name] = source
        except Exception as exc:
            self.failed.emit(f"could not explore the new {name} model: {exc}")
            return
        self._keys.pop(name, None)
        self._maps.pop(name, None)
        self._index.pop(name, None)
        self._fooler = None
        self.breaking.forget(name)
        self.model_changed.emit(name)

    def key(self, name: str) -> str:
        """sha256 of ``name``'s weights (the cache key)."""
        if name not in self._keys:
            from digitlab.model.explain.filters import fingerprint

            model = self.core.model(name)
            key = fingerprint([w for layer in model.layers for w in layer.weights])
            if self._sizes is not None:  # a map of fewer digits (tests) is cached apart
                key = hashlib.sha256(f"{key}/{self._sizes}".encode()).hexdigest()
            self._keys[name] = key
        return self._keys[name]

    def cache_folder(self) -> Path | None:
        """Where the caches go (None: nowhere)."""
        return self._cache_dir() if self._cache_dir is not None else None

    def _outputs(self, name: str):
        model = self.core.model(name)

        def outputs(batch: np.ndarray) -> dict[str, np.ndarray]:
            while not self._shown.wait(0.05) and not self.stopping:
                pass  # the tab is hidden: wait, so the live view keeps both cores
            self.serve_pending()  # keep answering the drawing between two batches
            self._serve_slots()
            return model.run(batch).activations

        return outputs

    def _map(self, name: str) -> None:
        from digitlab.model.data.mnist import load_mnist, mnist_test_inputs
        from digitlab.model.explore import cache
        from digitlab.model.explore.embedding import build_map

        if name not in self.core.names or name not in MAP_LAYERS:
            return
        key = self.key(name)
        folder = self._cache_dir() if self._cache_dir is not None else None
        emap = self._maps.get(name)
        if emap is None and folder is not None:
            try:
                emap = cache.load_map(cache.map_path(folder, name, key), key)
            except ValueError:
                emap = None
        if emap is None:
            emap = build_map(
                name,
                key,
                self._outputs(name),
                mnist_test_inputs()[: (self._sizes or (None, None))[0]],
                load_mnist().y_test[: (self._sizes or (None, None))[0]],
                should_stop=lambda: self.stopping,
                on_progress=lambda f: self.progress.emit(name, "map", f),
            )
            if emap is None:
                return
            if folder is not None:
                try:
                    cache.save_map(cache.map_path(folder, name, key), emap)
                except OSError:
                    pass  # a cache is a convenience
        self._maps[name] = emap
        self.map_ready.emit(emap)
        self._neighbours(name, emap, folder)

    def _neighbours(self, name: str, emap: EmbeddingMap, folder: Path | None) -> None:
        from digitlab.model.data.mnist import load_mnist
        from digitlab.model.explore import cache
        from digitlab.model.explore.neighbours import build_neighbours

        if name in self._index:
            self.neighbours_ready.emit(name, self._index[name])
            return
        index = None
        if folder is not None:
            try:
                index = cache.load_neighbours(
                    cache.neighbours_path(folder, name, emap.key), emap.key
                )
            except ValueError:
                index = None
        if index is None:
            index = build_neighbours(
                emap,
                self._outputs(name),
                load_mnist().x_train[: (self._sizes or (None, None))[1]],
                should_stop=lambda: self.stopping,
                on_progress=lambda f: self.progress.emit(name, "neighbours", f),
            )
            if index is None:
                return
            if folder is not None:
                try:
                    cache.save_neighbours(cache.neighbours_path(folder, name, emap.key), index)
                except OSError:
                    pass
        self._index[name] = index
        self.neighbours_ready.emit(name, index)

    def serve(self, request: ExploreRequest) -> None:
        self.answered.emit(self.answer(request))

    def answer(self, request: ExploreRequest) -> ExploreAnswer:
        """Neighbours and pushed inputs for one drawing (no signals)."""
        nearest = None
        if request.neighbours is not None:
            model, layer = request.neighbours
            emap, index = self._maps.get(model), self._index.get(model)
            act = request.activations.get(model, {}).get(layer)
            if emap is not None and index is not None and act is not None and layer in emap.layers:
                nearest = index.nearest(layer, emap.layers[layer].reduce(act)[0])
        pushed, pushed_act = None, None
        if request.push is not None:
            from digitlab.model.explore.push import push_curves

            pushed = push_curves(self.core, request.ink, request.push)
            if request.neighbours is not None and request.neighbours[0] in self.core.names:
                model, layer = request.neighbours
                run = self.core.model(model).run(pushed.image.reshape(1, 28, 28, 1))
                pushed_act = run.activations.get(layer, [None])[0]
        broken = None
        if request.breakage is not None:
            breakage, layer = request.breakage
            broken = self.breaking.answer(request.image, breakage, layer)
        return ExploreAnswer(
            request.revision, request.neighbours, nearest, pushed, broken, pushed_act
        )

    def fooler(self):
        """The Keras models (loaded on first use, TensorFlow imported then)."""
        if self._fooler is None:
            from digitlab.model.explore.adversarial import Fooler

            self._fooler = Fooler(self._sources)
        return self._fooler

    def _serve_fool(self, request: FoolRequest) -> None:
        try:
            result = self.fooler().fool(
                request.image, request.target, request.revision, lambda: self.stopping
            )
            if not self.stopping:
                self.fooled.emit(result)
        except Exception as exc:
            self.failed.emit(f"could not fool the models: {exc}")

    def _serve_accuracy(self, breakage) -> None:
        result = self.breaking.accuracy(breakage)
        if result is not None:
            self.accuracy_ready.emit(result)

    def _serve_dream(self, request: DreamRequest) -> None:
        try:
            self.dreamed.emit(self.dreaming.dream(request))
        except Exception as exc:
            self.failed.emit(f"could not dream for {request.layer} unit {request.unit}: {exc}")


class ExploreThread(WorkerThread):
    """Owns the Explore thread and its :class:`ExploreWorker` (``worker``)."""

    def __init__(
        self,
        model_factory: Callable[[], dict] | None = None,
        cache_dir: Callable[[], Path] | None = None,
        parent: QObject | None = None,
        sizes: tuple[int, int] | None = None,
    ):
        """``sizes``: ``(test, training)`` digits to map and search (default: all; tests
        use fewer)."""
        super().__init__(ExploreWorker(model_factory, cache_dir, sizes), parent, "digitlab-explore")
