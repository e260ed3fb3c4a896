"""The light inference path: the models run in NumPy, answering as
:class:`digitlab.model.nets.inference.InferenceCore` does, without importing TensorFlow.

Importing TensorFlow and tracing its graphs takes seconds; the seed models are tiny (225,034
and 101,770 parameters) and their weights read from a ``.keras`` archive in milliseconds. So
the live view and ``digitlab classify`` answer through :class:`LightCore` and TensorFlow loads
only for what needs it (training, Grad-CAM, fine-tuning). The arithmetic is the same float32
arithmetic (tested equal to Keras on all 10,000 MNIST test digits).

Archives are read under the rules of :mod:`digitlab.model.nets.model_files`: ``.keras`` only,
a zip with ``config.json`` and ``model.weights.h5``; the config is parsed as JSON and never
run; each weight's declared shape and type are checked against the config before it is read.
A model with a layer this path does not implement raises
:class:`digitlab.model.nets.light_layers.NotLightError`: the caller then uses TensorFlow.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.nets.light_layers import (
    LightModel,
    NotLightError,
    layers_from_config,
    snake_case,
)
from digitlab.model.nets.model_files import ModelFileError, check_archive_of, check_model
from digitlab.model.nets.outputs import LayerInfo, ModelOutput
from digitlab.model.preprocess.frame import as_model_batch

MODEL_NAMES = ("cnn", "dense")
MAX_CONFIG_BYTES = 5_000_000
MAX_WEIGHTS_BYTES = 256_000_000
CHUNK = 256
"""Inputs per NumPy pass for large batches (bounds the im2col buffers to tens of MB)."""

__all__ = ["LightCore", "LightModel", "NotLightError", "light_model", "read_light_model"]


def _entries(config: dict) -> list[dict]:
    """The layer entries of a Sequential or Functional model config."""
    kind = config.get("class_name")
    inner = config.get("config")
    if kind not in ("Functional", "Sequential", "Model") or not isinstance(inner, dict):
        raise NotLightError(f"a {kind!r} model is not supported by the light path")
    entries = inner.get("layers")
    if not isinstance(entries, list) or not entries:
        raise NotLightError("a model without a layer list is not supported by the light path")
    return entries


def _check_chain(config: dict, entries: list[dict]) -> None:
    """Each layer of a functional model is fed by the one before, and the last answers
    (anything else, e.g. branches or nested models, is :class:`NotLightError`)."""
    if config.get("class_name") == "Sequential":
        return
    names = [e.get("name") or (e.get("config") or {}).get("name") for e in entries]
    for i in range(1, len(entries)):
        try:
            (node,) = entries[i].get("inbound_nodes")
            (arg,) = node["args"]
            fed_by = arg["config"]["keras_history"][0]
            extra = node.get("kwargs")
        except (TypeError, KeyError, ValueError, IndexError, AttributeError):
            fed_by, extra = None, None
        if fed_by != names[i - 1] or extra:
            raise NotLightError(
                f"layer {names[i]!r} is not fed "
                "by the layer before it: branching models are not supported by the light path"
            )
    outputs = config["config"].get("output_layers")
    if isinstance(outputs, list) and outputs and isinstance(outputs[0], str):
        outputs = [outputs]  # one output is stored flat: ["output", 0, 0]
    if outputs is not None and (
        not isinstance(outputs, list) or len(outputs) != 1 or outputs[0][0] != names[-1]
    ):
        raise NotLightError(
            "a model whose output is not its last layer is not supported by the light path"
        )


def _model_of(config: dict, name: str) -> LightModel:
    entries = _entries(config)
    input_shape, layers = layers_from_config(entries)  # names any unknown layer kind first
    _check_chain(config, entries)
    return LightModel(name, input_shape, layers)


def read_light_model(
    path: str | Path,
    num_classes: int | None = 10,
    input_shape: tuple[int, int, int] | None = (28, 28, 1),
) -> LightModel:
    """Read a ``.keras`` archive into a :class:`LightModel`, checked as
    :func:`digitlab.model.nets.model_files.load_model` checks a Keras model.

    Raises
    ------
    NotLightError
        The model uses a layer or option the NumPy path does not implement (use TensorFlow).
    ModelFileError
        The file cannot be used at all: not ``.keras``, not a Keras archive, oversized
        members, weights that do not match the config, wrong shapes, non-finite outputs.
    """
    path = Path(path)
    name = str(path)
    if path.suffix.lower() != ".keras":
        raise ModelFileError(f"{name}: only .keras model files are accepted")
    check_archive_of(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            for member, limit in (
                ("config.json", MAX_CONFIG_BYTES),
                ("model.weights.h5", MAX_WEIGHTS_BYTES),
            ):
                if member not in members:
                    raise ModelFileError(f"{name}: not a Keras model archive (no {member})")
                if members[member].file_size > limit:
                    raise ModelFileError(f"{name}: {member} is larger than {limit:,} bytes")
            config = json.loads(archive.read("config.json").decode("utf-8"))
            if not isinstance(config, dict):
                raise ModelFileError(f"{name}: config.json is not a model config")
            inner = config.get("config") if isinstance(config.get("config"), dict) else {}
            model = _model_of(config, str(inner.get("name") or path.stem))
            _read_weights(model, _entries(config), archive.read("model.weights.h5"), name)
    except (ModelFileError, NotLightError):
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{name}: not a readable Keras model archive ({exc})") from exc
    return check_model(model, name, num_classes, input_shape)


def _read_weights(model: LightModel, entries: list[dict], data: bytes, name: str) -> None:
    """Fill ``model``'s weights from ``model.weights.h5`` (Keras 3: ``layers/<snake case
    class name, numbered in model order>/vars/<i>``), each checked before it is read."""
    import h5py

    used: dict[str, int] = {}
    groups = []
    for entry in entries:
        key = snake_case(str(entry.get("class_name")))
        used[key] = used.get(key, -1) + 1
        groups.append(key if used[key] == 0 else f"{key}_{used[key]}")
    by_name = {layer.name: layer for layer in model.layers}
    with h5py.File(io.BytesIO(data), "r") as h5:
        for entry, group in zip(entries, groups, strict=True):
            layer = by_name.get((entry.get("config") or {}).get("name"))
            if layer is None or not layer.weight_shapes:
                continue
            vars_ = h5.get(f"layers/{group}/vars")
            if not isinstance(vars_, h5py.Group):
                raise NotLightError(f"{name}: no weights stored for layer {layer.name!r} (light)")
            if len(vars_) != len(layer.weight_shapes):
                raise ModelFileError(
                    f"{name}: layer {layer.name!r} has {len(vars_)} weights stored, its config "
                    f"declares {len(layer.weight_shapes)}"
                )
            arrays = []
            for i, shape in enumerate(layer.weight_shapes):
                ds = vars_.get(str(i))
                if not isinstance(ds, h5py.Dataset) or ds.dtype != np.float32:
                    raise ModelFileError(f"{name}: layer {layer.name!r} weight {i} is not float32")
                if tuple(ds.shape) != shape:
                    raise ModelFileError(
                        f"{name}: layer {layer.name!r} weight {i} has shape {tuple(ds.shape)}, "
                        f"its config declares {shape}"
                    )
                arrays.append(ds[()])
            try:
                layer.set_weights(arrays)
            except ValueError as exc:
                raise ModelFileError(f"{name}: {exc}") from exc


def light_model(model) -> LightModel:
    """A :class:`LightModel` of a Keras model in memory (e.g. one just trained): its config
    and a copy of its weights, so it never shares state with the object given.

    Raises
    ------
    NotLightError
        The model uses a layer or option the NumPy path does not implement.
    """
    config = {"class_name": type(model).__name__, "config": model.get_config()}
    # As the file would hold it (tuples as lists); anything not JSON cannot match a check.
    config = json.loads(json.dumps(config, default=repr))
    if config["class_name"] not in ("Functional", "Sequential", "Model"):
        config["class_name"] = "Functional"  # a subclass: its layer chain is checked anyway
    light = _model_of(config, str(getattr(model, "name", "model")))
    by_name = {layer.name: layer for layer in light.layers}
    for layer in model.layers:
        if layer.name in by_name:
            by_name[layer.name].set_weights([np.array(w, np.float32) for w in layer.get_weights()])
    if any(layer.weight_shapes and not layer.weights for layer in light.layers):
        raise NotLightError(f"{light.name}: a layer's weights were not found (light path)")
    return light


class LightCore:
    """:class:`digitlab.model.nets.inference.InferenceCore`'s contract, computed in NumPy.

    Parameters
    ----------
    models : name -> a ``.keras`` path, a :class:`LightModel` or a Keras model in memory.
        Defaults to the bundled ``cnn`` and ``dense``.

    Raises
    ------
    NotLightError
        Any model uses something the NumPy path does not implement.
    """

    light = True
    """Answers without TensorFlow (callers test it to know which path they have)."""

    def __init__(self, models: Mapping[str, object] | None = None):
        if models is None:
            models = {name: bundled_model_path(name) for name in MODEL_NAMES}
        self._models = {name: self._light(model) for name, model in models.items()}

    @staticmethod
    def _light(model) -> LightModel:
        if isinstance(model, LightModel):
            return model
        if isinstance(model, (str, os.PathLike)):
            return read_light_model(model, num_classes=None, input_shape=None)
        return light_model(model)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._models)

    def set_model(self, name: str, model) -> None:
        """Put ``model`` (path, :class:`LightModel` or Keras model) under ``name``."""
        self._models[name] = self._light(model)

    def model(self, name: str) -> LightModel:
        return self._models[name]

    def snapshot(self) -> LightCore:
        """A core holding the same models that later :meth:`set_model` calls on this one do
        not change (the models themselves are never changed: both share them)."""
        return LightCore(dict(self._models))

    def layers(self, name: str) -> list[LayerInfo]:
        return self._models[name].describe()

    def num_classes(self, name: str) -> int:
        return int(self._models[name].output_shape[-1])

    def run(
        self, inputs: np.ndarray, names: tuple[str, ...] | None = None
    ) -> dict[str, ModelOutput]:
        """Probabilities and all activations of each model for a batch of float32
        ``(n, 28, 28[, 1])`` inputs in 0..1, as ``InferenceCore.run``."""
        batch = as_model_batch(inputs)
        return {name: self._models[name].run(batch) for name in names or self.names}

    def probabilities(
        self, inputs: np.ndarray, names: tuple[str, ...] | None = None, batch_size: int = CHUNK
    ) -> dict[str, np.ndarray]:
        """Only the probabilities, float32 ``(n, classes)`` per model, in chunks."""
        batch = as_model_batch(inputs)
        result = {}
        for name in names or self.names:
            model = self._models[name]
            parts = [model(batch[i : i + batch_size]) for i in range(0, len(batch), batch_size)]
            result[name] = (
                np.concatenate(parts)
                if parts
                else np.zeros((0, self.num_classes(name)), np.float32)
            )
        return result
