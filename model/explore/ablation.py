"""Break it: switch units off (or scale them), add noise to the weights, and see what is left.

A :class:`Breakage` says, per ``(model, layer)``, a scale for each unit (0 switches it off;
a conv layer's unit is a whole feature map, a dense layer's one output) and one weight-noise
strength. :func:`broken_run` runs a light model (:class:`~digitlab.model.nets.light_layers.
LightModel`, NumPy) layer by layer with the scales applied to each layer's output and the
noise added to copies of the weights: the model given is never changed, nor any file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from digitlab.model.nets.outputs import ModelOutput

BREAKABLE = {"cnn": ("conv1", "conv2", "dense"), "dense": ("hidden",)}
"""The layers whose units can be switched off, per model."""
NOISE_SEED = 4
"""The weight noise is one fixed pattern scaled by the slider, so moving it back undoes it."""
ACCURACY_DIGITS = 1000
"""MNIST test digits the broken model's accuracy is measured on."""


@dataclass(frozen=True)
class Breakage:
    """scales : ``(model, layer)`` -> float32 ``(units,)`` per-unit output scale (1 = as
    trained, 0 = off); a layer not named is untouched. noise : model -> weight noise as a
    fraction of each weight array's standard deviation (0 = none)."""

    scales: Mapping[tuple[str, str], np.ndarray] = field(default_factory=dict)
    noise: Mapping[str, float] = field(default_factory=dict)

    def touches(self, model: str) -> bool:
        """True when anything of ``model`` is changed."""
        return self.noise.get(model, 0.0) > 0 or any(
            m == model and not np.all(s == 1) for (m, _), s in self.scales.items()
        )

    @property
    def broken(self) -> bool:
        return any(self.touches(m) for m in {m for m, _ in self.scales} | set(self.noise))

    def key(self, model: str) -> tuple:
        """A hashable summary of what changes ``model`` (the accuracy cache key)."""
        parts = tuple(
            (layer, s.tobytes()) for (m, layer), s in sorted(self.scales.items()) if m == model
        )
        return (model, parts, round(float(self.noise.get(model, 0.0)), 6))


def _noisy(weights: list[np.ndarray], amount: float, index: int) -> list[np.ndarray]:
    if amount <= 0:
        return weights
    rng = np.random.default_rng(NOISE_SEED + index)
    out = []
    for w in weights:
        sd = float(np.std(w)) or 1.0
        out.append((w + amount * sd * rng.standard_normal(w.shape)).astype(np.float32))
    return out


def broken_run(model, name: str, batch: np.ndarray, breakage: Breakage) -> ModelOutput:
    """Probabilities and every layer's output of the light ``model`` (registered as ``name``)
    for float32 ``(n, 28, 28, 1)`` inputs in 0..1, with ``breakage`` applied."""
    x = np.ascontiguousarray(batch, np.float32)
    amount = float(breakage.noise.get(name, 0.0))
    activations = {}
    for i, layer in enumerate(model.layers):
        if amount > 0 and layer.weights:
            layer = dataclasses.replace(layer, weights=_noisy(layer.weights, amount, i))
        x = layer(x)
        scale = breakage.scales.get((name, layer.name))
        if scale is not None:
            x = x * np.asarray(scale, np.float32)
        activations[layer.name] = x
    return ModelOutput(x, activations)


def accuracy(
    model,
    name: str,
    inputs: np.ndarray,
    labels: np.ndarray,
    breakage: Breakage,
    batch_size: int = 250,
    should_stop: Callable[[], bool] | None = None,
) -> float | None:
    """Share of float32 ``(n, 28, 28, 1)`` ``inputs`` read as their ``labels`` by the broken
    model (None when stopped)."""
    right = 0
    for start in range(0, len(inputs), batch_size):
        if should_stop is not None and should_stop():
            return None
        p = broken_run(model, name, inputs[start : start + batch_size], breakage).probabilities
        right += int((p.argmax(axis=1) == labels[start : start + batch_size]).sum())
    return right / max(len(inputs), 1)


def switched_off(units: int, off: Mapping[int, float] | None = None) -> np.ndarray:
    """float32 ``(units,)`` scales: 1 everywhere except ``off`` (unit -> its scale)."""
    s = np.ones(units, np.float32)
    for unit, value in (off or {}).items():
        s[int(unit)] = float(value)
    return s


@dataclass(frozen=True)
class BrokenAnswer:
    """Both answers for one drawing, as trained and broken.

    original, broken : model -> float32 ``(classes,)``.
    layer : ``(model, layer)`` shown as a mosaic; mosaic : uint8 colour-map indices of the
    broken layer's activation (:func:`digitlab.model.explain.mosaic.build_mosaic`, with the
    layer's fixed level); grid : its :class:`~digitlab.model.explain.mosaic.MosaicLayout`.
    """

    original: dict[str, np.ndarray]
    broken: dict[str, np.ndarray]
    layer: tuple[str, str]
    mosaic: np.ndarray
    grid: object


def layer_level(model, name: str, layer: str, inputs: np.ndarray) -> float:
    """A fixed top of the colour scale for ``layer`` of the light ``model``: a high
    percentile of its activations on float32 ``(n, 28, 28, 1)`` typical ``inputs``."""
    from digitlab.model.explain.mosaic import calibrate_level

    return calibrate_level(model.run(inputs).activations[layer])


def broken_answer(
    core, image: np.ndarray, breakage: Breakage, layer: tuple[str, str], level: float
) -> BrokenAnswer:
    """Every model of ``core`` (a LightCore) on float32 ``(28, 28)`` ``image``, as trained
    and with ``breakage``, and the broken ``layer``'s mosaic."""
    from digitlab.model.explain.mosaic import build_mosaic, layout_for

    batch = np.asarray(image, np.float32).reshape(1, 28, 28, 1)
    original, broken, mosaic, grid = {}, {}, None, None
    for name in core.names:
        model = core.model(name)
        original[name] = model(batch)[0]
        out = broken_run(model, name, batch, breakage)
        broken[name] = out.probabilities[0]
        if name == layer[0] and layer[1] in out.activations:
            act = out.activations[layer[1]][0]
            grid = layout_for(act.shape)
            mosaic = build_mosaic(act, grid, level)
    return BrokenAnswer(original, broken, layer, mosaic, grid)
