"""The seed model families as NumPy arithmetic: layers read from a Keras config, run in float32.

Qt-free, TensorFlow-free and Keras-free. :func:`layers_from_config` turns a Keras 3 layer list
(the ``config.json`` of a ``.keras`` archive, or ``model.get_config()``) into
:class:`LightLayer` s, checking every option it does not implement; :class:`LightModel` runs
them. Only what the seed families use is supported: ``InputLayer``, ``Conv2D`` (strides 1,
``valid`` or ``same``), ``MaxPooling2D`` (pool = stride, ``valid``), ``Flatten`` and ``Dense``,
activations relu, linear and softmax, all float32. Anything else raises
:class:`NotLightError`, and callers use TensorFlow instead.

A convolution is one matrix product (im2col from shifted copies), so both seed
models with every activation take a few tenths of a millisecond for one 28x28 input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from digitlab.model.nets.outputs import LayerInfo, ModelOutput

ACTIVATIONS = ("relu", "linear", "softmax")
KINDS = ("InputLayer", "Conv2D", "MaxPooling2D", "Flatten", "Dense")
MAX_UNITS = 1 << 16
"""The most filters or units one layer may declare (the seed models have at most 128)."""


class NotLightError(ValueError):
    """The model uses something the NumPy path does not implement: use TensorFlow instead."""


def snake_case(name: str) -> str:
    """Keras' ``to_snake_case``: how a layer's class names its group in ``model.weights.h5``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


@dataclass
class LightLayer:
    """One layer: what it computes, its output shape (no batch axis) and its weights.

    ``kernel_size``, ``strides``, ``padding``, ``dilation_rate`` and ``pool_size`` carry the
    Keras attribute names, so :func:`digitlab.model.explain.receptive_field.field_steps` reads
    a :class:`LightModel` as it reads a Keras model.
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    weight_shapes: tuple[tuple[int, ...], ...] = ()
    activation: str = "linear"
    kernel_size: tuple[int, int] | None = None
    strides: tuple[int, int] | None = None
    padding: str = "valid"
    dilation_rate: tuple[int, int] = (1, 1)
    pool_size: tuple[int, int] | None = None
    weights: list[np.ndarray] = field(default_factory=list, repr=False)

    @property
    def params(self) -> int:
        return int(sum(np.prod(s) for s in self.weight_shapes))

    def set_weights(self, arrays: Sequence[np.ndarray]) -> None:
        """Take the layer's weights (Keras order: kernel, bias), checked against the config.

        Raises
        ------
        ValueError
            When their number or shapes differ from what the config declares.
        """
        shapes = tuple(tuple(int(d) for d in np.shape(a)) for a in arrays)
        if shapes != self.weight_shapes:
            raise ValueError(
                f"layer {self.name!r}: weights of shapes {list(shapes)}, the config "
                f"declares {list(self.weight_shapes)}"
            )
        weights = [np.ascontiguousarray(a, dtype=np.float32) for a in arrays]
        if self.kind == "Conv2D":
            # (kh, kw, c, f) -> (kh * kw * c, f): rows in the order _conv lays out a window
            weights[0] = weights[0].reshape(-1, self.weight_shapes[0][-1])
        self.weights = weights

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "Conv2D":
            return _activate(_conv(x, self), self.activation)
        if self.kind == "Dense":
            y = x @ self.weights[0]
            if len(self.weights) > 1:
                y += self.weights[1]
            return _activate(y, self.activation)
        if self.kind == "MaxPooling2D":
            p = self.pool_size[0]
            oh, ow = x.shape[1] // p, x.shape[2] // p
            # The maximum of the p * p strided views, element by element: exact, and several
            # times faster than reducing a 6-axis reshape.
            y = x[:, 0 : oh * p : p, 0 : ow * p : p].copy()
            for i in range(p):
                for j in range(p):
                    if i or j:
                        np.maximum(y, x[:, i : oh * p : p, j : ow * p : p], out=y)
            return y
        if self.kind == "Flatten":
            return x.reshape(len(x), -1)
        raise NotLightError(f"layer {self.name!r} ({self.kind}) is not supported by the light path")


def _conv(x: np.ndarray, layer: LightLayer) -> np.ndarray:
    kh, kw = layer.kernel_size
    if layer.padding == "same":
        # As TensorFlow pads for strides 1: the odd pixel goes after (bottom, right).
        top, left = (kh - 1) // 2, (kw - 1) // 2
        x = np.pad(x, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)))
    n, h, w, _ = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    # im2col: each window's pixels side by side, (kh, kw, c) per row, so one matrix product
    # does the whole layer. Concatenating the kh * kw shifted copies moves contiguous runs of
    # c floats: 2-3x faster than reshaping a sliding_window_view.
    cols = np.concatenate(
        [x[:, i : i + oh, j : j + ow] for i in range(kh) for j in range(kw)], axis=-1
    )
    y = cols.reshape(n * oh * ow, -1) @ layer.weights[0]
    if len(layer.weights) > 1:
        y += layer.weights[1]
    return y.reshape(n, oh, ow, -1)


def _activate(y: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(y, 0, out=y)
    if activation == "softmax":
        y -= y.max(axis=-1, keepdims=True)
        np.exp(y, out=y)
        y /= y.sum(axis=-1, keepdims=True)
    return y


def _pair(value, what: str, layer: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
    ):
        raise NotLightError(f"layer {layer!r}: {what} {value!r} is not supported by the light path")
    return int(value[0]), int(value[1])


def _require(ok: bool, layer: str, what: str) -> None:
    if not ok:
        raise NotLightError(f"layer {layer!r}: {what} is not supported by the light path")


def _float32(dtype) -> bool:
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name")
    return dtype in (None, "float32")


def _common(kind: str, name: str, cfg: dict) -> None:
    _require(_float32(cfg.get("dtype")), name, f"dtype {cfg.get('dtype')!r}")
    _require(cfg.get("data_format") in (None, "channels_last"), name, "channels_first")
    activation = cfg.get("activation", "linear")
    _require(activation in ACTIVATIONS, name, f"activation {activation!r}")
    if kind in ("Conv2D", "Dense"):
        units = cfg.get("filters" if kind == "Conv2D" else "units")
        _require(isinstance(units, int) and 1 <= units <= MAX_UNITS, name, f"{units!r} units")
        _require(isinstance(cfg.get("use_bias", True), bool), name, "use_bias")
        _require(not cfg.get("lora_rank") and not cfg.get("quantization_config"), name, "LoRA")


def _layer(kind: str, cfg: dict, shape: tuple[int, ...]) -> LightLayer:
    """The :class:`LightLayer` of one Keras layer config taking inputs of ``shape``."""
    name = str(cfg.get("name"))
    _common(kind, name, cfg)
    activation = cfg.get("activation", "linear")
    bias = bool(cfg.get("use_bias", True))
    if kind == "Conv2D":
        _require(len(shape) == 3, name, f"a convolution of a {len(shape)}-d input")
        k = _pair(cfg.get("kernel_size"), "kernel_size", name)
        _require(_pair(cfg.get("strides", 1), "strides", name) == (1, 1), name, "strides > 1")
        dilation = _pair(cfg.get("dilation_rate", 1), "dilation_rate", name)
        _require(dilation == (1, 1), name, "dilation")
        _require(cfg.get("groups", 1) == 1, name, "grouped convolution")
        padding = cfg.get("padding", "valid")
        _require(padding in ("valid", "same"), name, f"padding {padding!r}")
        h, w, c = shape
        if padding == "valid":
            h, w = h - k[0] + 1, w - k[1] + 1
        _require(h >= 1 and w >= 1, name, "a kernel larger than its input")
        f = int(cfg["filters"])
        weights = ((*k, c, f), (f,)) if bias else ((*k, c, f),)
        return LightLayer(name, kind, (h, w, f), weights, activation, k, (1, 1), padding)
    if kind == "MaxPooling2D":
        _require(len(shape) == 3, name, f"pooling a {len(shape)}-d input")
        p = _pair(cfg.get("pool_size", 2), "pool_size", name)
        s = _pair(cfg.get("strides") or p, "strides", name)
        _require(p[0] == p[1] and s == p, name, f"pool {p} with strides {s}")
        _require(cfg.get("padding", "valid") == "valid", name, "padding 'same'")
        h, w, c = shape
        _require(h >= p[0] and w >= p[0], name, "a pool larger than its input")
        return LightLayer(
            name, kind, (h // p[0], w // p[0], c), strides=s, pool_size=p, padding="valid"
        )
    if kind == "Flatten":
        return LightLayer(name, kind, (int(np.prod(shape)),))
    if kind == "Dense":
        units = int(cfg["units"])
        weights = ((shape[-1], units), (units,)) if bias else ((shape[-1], units),)
        return LightLayer(name, kind, (*shape[:-1], units), weights, activation)
    raise NotLightError(f"layer {name!r} ({kind}) is not supported by the light path")


def layers_from_config(entries: Sequence[dict]) -> tuple[tuple[int, ...], list[LightLayer]]:
    """``(input shape without the batch axis, the real layers)`` of a Keras 3 layer list.

    ``entries`` are ``{"class_name": ..., "config": {...}}`` dicts in model order, the first an
    ``InputLayer``, each layer fed by the one before (checked by the caller for functional
    models).

    Raises
    ------
    NotLightError
        For any layer kind or option the NumPy path does not implement.
    """
    if (
        not entries
        or not isinstance(entries[0], dict)
        or entries[0].get("class_name") != ("InputLayer")
    ):
        raise NotLightError(
            "a model without an InputLayer first is not supported by the light path"
        )
    cfg = entries[0].get("config") or {}
    batch_shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
    _require(_float32(cfg.get("dtype")), "input", f"dtype {cfg.get('dtype')!r}")
    if (
        not isinstance(batch_shape, list)
        or len(batch_shape) < 2
        or not all(isinstance(d, int) and 1 <= d <= MAX_UNITS for d in batch_shape[1:])
    ):
        raise NotLightError(f"input shape {batch_shape!r} is not supported by the light path")
    shape = input_shape = tuple(batch_shape[1:])
    layers = []
    for entry in entries[1:]:
        if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
            raise NotLightError("a layer entry without a config is not supported by the light path")
        kind = entry.get("class_name")
        if kind not in KINDS or kind == "InputLayer":
            name = entry["config"].get("name")
            raise NotLightError(f"layer {name!r} ({kind}) is not supported by the light path")
        layer = _layer(kind, entry["config"], shape)
        layers.append(layer)
        shape = layer.output_shape
    if not layers:
        raise NotLightError("a model without layers is not supported by the light path")
    return input_shape, layers


class LightModel:
    """A model run in NumPy: the real layers (no ``InputLayer``), weights set.

    Looks like a Keras model where this app reads one: ``name``, ``layers``, ``input_shape``,
    ``output_shape``, ``count_params()``, and calling it answers the probabilities (so
    :func:`digitlab.model.nets.model_files.check_model` can probe it).
    """

    def __init__(self, name: str, input_shape: tuple[int, ...], layers: list[LightLayer]):
        self.name = name
        self.layers = list(layers)
        self.input_shape = (None, *input_shape)
        self.output_shape = (None, *layers[-1].output_shape)

    def count_params(self) -> int:
        return sum(layer.params for layer in self.layers)

    def describe(self) -> list[LayerInfo]:
        return [LayerInfo(v.name, v.kind, v.output_shape, v.params) for v in self.layers]

    def _check_input(self, x) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.shape[1:] != self.input_shape[1:]:
            raise ValueError(f"{self.name}: expected inputs {self.input_shape}, got {x.shape}")
        return x

    def run(self, batch: np.ndarray) -> ModelOutput:
        """Probabilities and every layer's float32 output for a ``(n, *input_shape)`` batch."""
        x = self._check_input(batch)
        activations = {}
        for layer in self.layers:
            x = layer(x)
            activations[layer.name] = x
        return ModelOutput(x, activations)

    def __call__(self, batch, training: bool = False) -> np.ndarray:
        """The last layer's output (``training`` is accepted and ignored, as Keras' is)."""
        x = self._check_input(batch)
        for layer in self.layers:
            x = layer(x)
        return x
