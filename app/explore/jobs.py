"""The Explore thread's slower jobs, run in that thread only: "break it" (answers, accuracy)
and "what a unit wants" (dreams and their top digits), each cached per model weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.model.explore.ablation import ACCURACY_DIGITS, Breakage


@dataclass(frozen=True)
class DreamRequest:
    """The unit whose favourite input is wanted: ``model``, ``layer``, ``unit``."""

    model: str
    layer: str
    unit: int


@dataclass(frozen=True)
class DreamResult:
    """image : float32 ``(28, 28)`` in 0..1, the input that drives the unit most; drive : the
    unit's drive on it; top : int ``(k,)`` MNIST test digits that activate it most (may be
    empty); units : how many units the layer has."""

    request: DreamRequest
    image: np.ndarray
    drive: float
    top: np.ndarray
    units: int


@dataclass(frozen=True)
class AccuracyResult:
    """model -> ``(as trained, broken)`` share of :data:`ACCURACY_DIGITS` test digits read
    right, for ``breakage``."""

    breakage: Breakage
    accuracy: dict[str, tuple[float, float]]


class BreakJobs:
    """Break-it answers and accuracies for a worker (its ``core``, ``key``, ``stopping``)."""

    def __init__(self, worker):
        self.worker = worker
        self._levels: dict[tuple[str, str, str], float] = {}
        self._accuracy: dict[tuple, float] = {}

    def forget(self, name: str) -> None:
        """``name``'s model was replaced."""
        self._levels = {k: v for k, v in self._levels.items() if k[0] != name}

    def level(self, model: str, layer: str) -> float:
        from digitlab.model.data.mnist import mnist_test_inputs
        from digitlab.model.explore.ablation import layer_level

        key = (model, layer, self.worker.key(model))
        if key not in self._levels:
            light = self.worker.core.model(model)
            self._levels[key] = layer_level(light, model, layer, mnist_test_inputs()[:200])
        return self._levels[key]

    def answer(self, image: np.ndarray, breakage: Breakage, layer: tuple[str, str]):
        from digitlab.model.explore.ablation import broken_answer

        return broken_answer(self.worker.core, image, breakage, layer, self.level(*layer))

    def accuracy(self, breakage: Breakage) -> AccuracyResult | None:
        from digitlab.model.data.mnist import load_mnist, mnist_test_inputs
        from digitlab.model.explore.ablation import accuracy

        inputs = mnist_test_inputs()[:ACCURACY_DIGITS]
        labels = load_mnist().y_test[:ACCURACY_DIGITS]
        out = {}
        for name in self.worker.core.names:
            pair = []
            for b in (Breakage(), breakage):
                key = (self.worker.key(name), b.key(name))
                if key not in self._accuracy:
                    value = accuracy(
                        self.worker.core.model(name),
                        name,
                        inputs,
                        labels,
                        b,
                        should_stop=lambda: self.worker.stopping,
                    )
                    if value is None:
                        return None
                    self._accuracy[key] = value
                pair.append(self._accuracy[key])
            out[name] = (pair[0], pair[1])
        return AccuracyResult(breakage, out)


class DreamJobs:
    """Dreams for a worker (its Keras models through ``fooler()``), cached per weights in
    memory and in ``dreams-<model>-<sha256>.npz`` of the worker's cache folder."""

    def __init__(self, worker):
        self.worker = worker
        self._dreams: dict[tuple[str, str, int], tuple[np.ndarray, float]] = {}
        self._top: dict[tuple[str, str], np.ndarray] = {}
        self._read: set[str] = set()

    def dream(self, request: DreamRequest) -> DreamResult:
        from digitlab.model.explore.dream import activation_of, dream, unit_count

        model = self.worker.fooler().model(request.model)
        units = unit_count(model, request.layer)
        weights = self.worker.key(request.model)
        self._read_cache(request.model, weights)
        key = (weights, request.layer, int(request.unit))
        if key not in self._dreams:
            image = dream(model, request.layer, int(request.unit))
            self._dreams[key] = (image, activation_of(model, request.layer, request.unit, image))
            self._write_cache(request.model, weights)
        image, drive = self._dreams[key]
        top = self._top_digits(request.model, request.layer)
        unit_top = top[request.unit] if top is not None else np.zeros(0, np.int32)
        return DreamResult(request, image, drive, unit_top, units)

    def _read_cache(self, name: str, weights: str) -> None:
        """Dreams found earlier for these weights (once per model key; a bad file is ignored)."""
        from digitlab.model.explore.cache import dreams_path, load_dreams

        folder = self.worker.cache_folder()
        if folder is None or weights in self._read:
            return
        self._read.add(weights)
        try:
            found = load_dreams(dreams_path(folder, name, weights), weights)
        except ValueError:
            return
        for (layer, unit), value in found.items():
            self._dreams.setdefault((weights, layer, unit), value)

    def _write_cache(self, name: str, weights: str) -> None:
        from digitlab.model.explore.cache import dreams_path, save_dreams

        folder = self.worker.cache_folder()
        if folder is None:
            return
        mine = {(k[1], k[2]): v for k, v in self._dreams.items() if k[0] == weights}
        try:
            save_dreams(dreams_path(folder, name, weights), weights, mine)
        except OSError:
            pass  # a cache is a convenience

    def _top_digits(self, name: str, layer: str) -> np.ndarray | None:
        """int32 ``(units, k)`` strongest MNIST test digits per unit of ``layer``."""
        from digitlab.model.data.mnist import mnist_test_inputs
        from digitlab.model.explain.filters import top_activating
        from digitlab.model.explore.dream import DREAM_LAYERS

        key = (self.worker.key(name), layer)
        if key not in self._top:
            light = self.worker.core.model(name)
            layers = [n for n in DREAM_LAYERS.get(name, (layer,)) if n != "output"]
            layers = [*layers, layer] if layer not in layers else layers

            def outputs(batch):  # every dream layer in one pass over the 10,000 digits
                acts = light.run(batch).activations
                return {n: acts[n] for n in layers}

            top = top_activating(
                outputs, mnist_test_inputs(), should_stop=lambda: self.worker.stopping
            )
            if top is None:
                return None
            for n, t in top.items():
                self._top[(key[0], n)] = t
        return self._top[key]
