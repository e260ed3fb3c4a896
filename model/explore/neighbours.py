"""Digits the network thinks are like yours: the MNIST training digits nearest to a drawing
in one layer's space.

The 60,000 training digits' activations are reduced to the layer map's principal axes
(:attr:`digitlab.model.explore.embedding.LayerMap.basis`, 32 of them) and kept as float16
(3.8 MB per layer); the nearest are found by squared Euclidean distance in that space (at 32
axes the PCA keeps nearly all of a 128-unit layer's variance; for pool2's 1,600 values it is
an approximation, said in the tab).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from digitlab.model.explore.embedding import EmbeddingMap, layer_features

NEIGHBOURS = 8
"""Training digits shown beside the drawing."""


@dataclass(frozen=True)
class NeighbourIndex:
    """key : the weights' sha256; reduced : layer -> float16 ``(n_train, k)``."""

    key: str
    reduced: dict[str, np.ndarray]

    def nearest(self, layer: str, query: np.ndarray, count: int = NEIGHBOURS) -> np.ndarray:
        """int64 ``(count,)``: indices of the training digits nearest to ``query`` (float
        ``(k,)`` in the layer's principal axes, :meth:`LayerMap.reduce`), nearest first."""
        data = self.reduced[layer]
        q = np.asarray(query, np.float32).reshape(-1)
        if q.shape[0] != data.shape[1]:
            raise ValueError(f"query has {q.shape[0]} values, the index {data.shape[1]}")
        d = np.square(data.astype(np.float32) - q).sum(axis=1)
        count = min(count, len(d))
        idx = np.argpartition(d, count - 1)[:count]
        return idx[np.argsort(d[idx], kind="stable")]


def build_neighbours(
    emap: EmbeddingMap,
    outputs: Callable[[np.ndarray], Mapping[str, np.ndarray]],
    train_images: np.ndarray,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> NeighbourIndex | None:
    """Reduce the training digits (uint8 ``(N, 28, 28)`` 0..255) into every layer of
    ``emap``; ``outputs`` as in :func:`layer_features`. None when stopped."""
    layers = tuple(emap.layers)

    def reduced_outputs(batch: np.ndarray) -> dict[str, np.ndarray]:
        # Reduce batch by batch: pool2's 1,600 values for 60,000 digits would be 384 MB.
        outs = outputs(batch)
        return {name: emap.layers[name].reduce(outs[name]).astype(np.float16) for name in layers}

    reduced = layer_features(reduced_outputs, train_images, layers, 500, should_stop, on_progress)
    if reduced is None:
        return None
    return NeighbourIndex(emap.key, {k: v.astype(np.float16) for k, v in reduced.items()})
