"""What an inference core answers, shared by the TensorFlow path and the NumPy path.

TensorFlow-free, so :mod:`digitlab.model.nets.light_inference` can answer in the same terms
without importing it (:mod:`digitlab.model.nets.inference` re-exports both names).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerInfo:
    """One layer as the views describe it: name, output shape (no batch axis), parameters."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int


@dataclass(frozen=True)
class ModelOutput:
    """What one model answered for a batch.

    probabilities : float32 ``(n, classes)``, rows sum to 1.
    activations : layer name -> float32 ``(n, *layer_output_shape)``, in layer order
        (e.g. ``conv1`` ``(n, 26, 26, 32)`` ... ``output`` ``(n, 10)``).
    """

    probabilities: np.ndarray
    activations: dict[str, np.ndarray]
