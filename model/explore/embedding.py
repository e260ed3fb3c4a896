"""Where a drawing lands: the 10,000 MNIST test digits on a 2-D map of one layer's space.

A layer's activations (e.g. the CNN's dense-128) are reduced with PCA, fitted in NumPy on the
test digits' activations: :data:`DIMS` principal axes are kept for the neighbour search
(:mod:`digitlab.model.explore.neighbours`), and two 2-D projections are offered for the map:

* ``"pca"``: the first two principal axes (what varies most, labels unused);
* ``"lda"``: Fisher's linear discriminant in the PCA space (the two directions that best
  pull the ten classes apart; fitted with the test labels, so it shows the classes as the
  layer separates them).

Both are linear, so a new drawing is placed with the same matrices, live: its activation
minus the mean, times the axes (:meth:`LayerMap.place`). t-SNE and UMAP keep neighbours
better, but neither is a dependency (scikit-learn and umap-learn would add about 100 MB to
the executable), t-SNE cannot place a new point at all, and both take minutes on two cores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from digitlab.model.data.mnist import to_model_input

DIMS = 32
"""Principal axes kept per layer (neighbours are searched in this space)."""
METHODS = ("lda", "pca")
"""The 2-D projections of a map, the default first."""
MAP_LAYERS = {"cnn": ("dense", "pool2"), "dense": ("hidden",)}
"""The layers mapped per model (the CNN's dense-128 and pool2, the dense network's hidden)."""
LAYER_TITLES = {
    ("cnn", "dense"): "CNN dense (128)",
    ("cnn", "pool2"): "CNN pool2 (1,600)",
    ("dense", "hidden"): "Dense network hidden (128)",
}
"""How the layer picker names each mapped layer."""


def layer_title(model: str, layer: str) -> str:
    return LAYER_TITLES.get((model, layer), f"{model} {layer}")


@dataclass(frozen=True)
class LayerMap:
    """One layer's map of the test digits.

    mean : float32 ``(d,)``, the test activations' mean (``d`` the layer's flattened size).
    basis : float32 ``(d, k)``, orthonormal principal axes (``k <= DIMS``), strongest first.
    axes : method -> float32 ``(d, 2)``: the map's projection (see the module docstring).
    coords : method -> float32 ``(n, 2)``: the test digits on the map.
    """

    model: str
    layer: str
    mean: np.ndarray
    basis: np.ndarray
    axes: dict[str, np.ndarray]
    coords: dict[str, np.ndarray]

    @property
    def title(self) -> str:
        return layer_title(self.model, self.layer)

    def place(self, activation: np.ndarray, method: str = METHODS[0]) -> np.ndarray:
        """float32 ``(2,)`` map position of one activation (any shape of ``d`` values), or
        ``(n, 2)`` for a batch ``(n, ...)``."""
        a = np.asarray(activation, np.float32)
        d = self.mean.shape[0]
        flat = a.reshape(-1, d) if a.size != d else a.reshape(1, d)
        out = (flat - self.mean) @ self.axes[method]
        return out[0] if a.size == d else out

    def reduce(self, activation: np.ndarray) -> np.ndarray:
        """float32 ``(n, k)``: activations ``(n, ...)`` in the principal axes."""
        a = np.asarray(activation, np.float32).reshape(-1, self.mean.shape[0])
        return (a - self.mean) @ self.basis


@dataclass(frozen=True)
class EmbeddingMap:
    """Every mapped layer of one model, for the weights with sha256 ``key``.

    labels : uint8 ``(n,)`` the test digits' labels; predicted : uint8 ``(n,)`` the model's
    answers (misread digits are where they differ).
    """

    model: str
    key: str
    labels: np.ndarray
    predicted: np.ndarray
    layers: dict[str, LayerMap]

    @property
    def misread(self) -> np.ndarray:
        """bool ``(n,)``: the test digits the model gets wrong."""
        return self.labels != self.predicted


def layer_features(
    outputs: Callable[[np.ndarray], Mapping[str, np.ndarray]],
    inputs: np.ndarray,
    layers: tuple[str, ...],
    batch_size: int = 500,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, np.ndarray] | None:
    """Flattened activations of ``layers`` for every input.

    Parameters
    ----------
    outputs : ``f(batch) -> {layer: float array (n, ...)}`` for float32 ``(n, 28, 28, 1)``
        inputs in 0..1 (e.g. a light model's activations); it must include ``"output"`` when
        ``"output"`` is in ``layers``.
    inputs : float32 ``(N, 28, 28, 1)`` in 0..1, or uint8 ``(N, 28, 28)`` in 0..255 (converted
        one batch at a time, so 60,000 training digits never exist as float32 at once).
    should_stop : checked between batches; True makes the result None.
    on_progress : called with the fraction done after each batch.

    Returns
    -------
    layer -> float32 ``(N, d)``.
    """
    parts: dict[str, list[np.ndarray]] = {name: [] for name in layers}
    n = len(inputs)
    for start in range(0, n, batch_size):
        if should_stop is not None and should_stop():
            return None
        batch = inputs[start : start + batch_size]
        if batch.dtype == np.uint8:
            batch = to_model_input(batch)
        outs = outputs(batch)
        for name in layers:
            a = np.asarray(outs[name], np.float32)
            parts[name].append(a.reshape(len(a), -1))
        if on_progress is not None:
            on_progress(min(1.0, (start + batch_size) / max(n, 1)))
    return {name: np.concatenate(p) for name, p in parts.items()}


def fit_pca(features: np.ndarray, dims: int = DIMS) -> tuple[np.ndarray, np.ndarray]:
    """``(mean (d,), basis (d, k))`` float32: the ``k = min(dims, d, n)`` principal axes of
    float ``(n, d)`` features, strongest first, each signed so its largest loading is
    positive (the same features always give the same map)."""
    x = np.asarray(features, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"expected (n >= 2, d) features, got {x.shape}")
    mean = x.mean(axis=0)
    centred = x - mean
    # The d x d covariance's eigenvectors: d is at most 1,600 here, far below n.
    cov = centred.T @ centred / (len(x) - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][: min(dims, x.shape[1], len(x))]
    basis = vectors[:, order]
    signs = np.sign(basis[np.abs(basis).argmax(axis=0), np.arange(basis.shape[1])])
    basis = basis * np.where(signs == 0, 1.0, signs)
    return mean.astype(np.float32), basis.astype(np.float32)


def fit_lda(reduced: np.ndarray, labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """float64 ``(k, 2)``: the two Fisher discriminant directions of float ``(n, k)``
    features with int labels ``(n,)`` 0..classes-1 (within-class scatter lightly
    regularised, so a dead unit cannot make it singular)."""
    x = np.asarray(reduced, np.float64)
    y = np.asarray(labels)
    mean = x.mean(axis=0)
    k = x.shape[1]
    within = np.zeros((k, k))
    between = np.zeros((k, k))
    for c in range(classes):
        xc = x[y == c]
        if len(xc) == 0:
            continue
        mc = xc.mean(axis=0)
        d = xc - mc
        within += d.T @ d
        between += len(xc) * np.outer(mc - mean, mc - mean)
    within += np.eye(k) * (1e-3 * np.trace(within) / k + 1e-9)
    chol = np.linalg.cholesky(within)
    inv = np.linalg.inv(chol)
    values, vectors = np.linalg.eigh(inv @ between @ inv.T)
    w = inv.T @ vectors[:, np.argsort(values)[::-1][:2]]
    w /= np.linalg.norm(w, axis=0, keepdims=True)
    signs = np.sign(w[np.abs(w).argmax(axis=0), np.arange(2)])
    return w * np.where(signs == 0, 1.0, signs)


def fit_layer_map(model: str, layer: str, features: np.ndarray, labels: np.ndarray) -> LayerMap:
    """A :class:`LayerMap` of float ``(n, d)`` test features with their labels ``(n,)``."""
    mean, basis = fit_pca(features)
    reduced = (np.asarray(features, np.float32) - mean) @ basis
    axes = {
        "pca": np.ascontiguousarray(basis[:, :2]),
        "lda": (basis.astype(np.float64) @ fit_lda(reduced, labels)).astype(np.float32),
    }
    centred = np.asarray(features, np.float32) - mean
    coords = {m: np.ascontiguousarray(centred @ a, np.float32) for m, a in axes.items()}
    return LayerMap(model, layer, mean, basis, axes, coords)


def build_map(
    model: str,
    key: str,
    outputs: Callable[[np.ndarray], Mapping[str, np.ndarray]],
    inputs: np.ndarray,
    labels: np.ndarray,
    layers: tuple[str, ...] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> EmbeddingMap | None:
    """Map every layer of ``layers`` (default :data:`MAP_LAYERS` of ``model``) for the test
    ``inputs`` float32 ``(n, 28, 28, 1)`` with ``labels`` ``(n,)``; ``outputs`` as in
    :func:`layer_features` (it must give ``"output"`` too). None when stopped."""
    layers = tuple(layers or MAP_LAYERS[model])
    feats = layer_features(outputs, inputs, (*layers, "output"), 500, should_stop, on_progress)
    if feats is None:
        return None
    labels = np.asarray(labels).astype(np.uint8)
    predicted = feats.pop("output").argmax(axis=1).astype(np.uint8)
    maps = {}
    for layer in layers:
        if should_stop is not None and should_stop():
            return None
        maps[layer] = fit_layer_map(model, layer, feats[layer], labels)
    return EmbeddingMap(model, key, labels, predicted, maps)
