"""The one inference path: both models' probabilities and every layer's activations, one call.

:class:`InferenceCore` owns private copies of the models it runs, so one inference thread can
use it while a training run changes other copies elsewhere (TensorFlow objects are not safe
to share between threads). It calls compiled graphs directly: ``model.predict`` costs about
45 ms per call, a compiled call about 1 ms.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.nets.model_files import load_model
from digitlab.model.nets.outputs import LayerInfo, ModelOutput
from digitlab.model.preprocess.frame import as_model_batch

MODEL_NAMES = ("cnn", "dense")


def copy_model(model: keras.Model) -> keras.Model:
    """An independent copy (same architecture and weights, new variables)."""
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def copy_for_thread(model: keras.Model | str | os.PathLike) -> keras.Model | str | os.PathLike:
    """``model`` as another thread may own it: a ``.keras`` path as it is (loading it there
    makes a private model), a Keras model copied (TensorFlow objects are not safe to share
    between threads)."""
    if isinstance(model, (str, os.PathLike)):
        return model
    return copy_model(model)


class _ModelGraph:
    """``fn(x)`` as a callable object, so its compiled graph has a tracing record of its own.

    TensorFlow warns that a function is "retracing" when functions made from the same Python
    code are traced five times in a short row: it keys its count by the code object, so a
    lambda compiled anew for every model swap (each new model needs its own graph, traced
    once for the fixed input signature) counted as one function traced again and again, and
    "Use this model" a few times in a row printed the warning. A callable object is keyed by
    itself: each model's graph counts alone, and a real retrace would still be reported.
    """

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, x):
        return self._fn(x)


def model_graph(fn, spec: tf.TensorSpec):
    """The compiled graph of ``fn(x)`` (one fixed model) for inputs of ``spec``, traced once."""
    # No Python control flow to convert: autograph=False saves its source transformation.
    return tf.function(_ModelGraph(fn), input_signature=[spec], autograph=False)


def describe(model: keras.Model) -> list[LayerInfo]:
    """The model's real layers: name, class, output shape and parameter count."""
    infos = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        shape = tuple(int(d) for d in layer.output.shape[1:])
        infos.append(LayerInfo(layer.name, type(layer).__name__, shape, int(layer.count_params())))
    return infos


class _Runner:
    """A model copy with one compiled function returning every layer's output."""

    def __init__(self, model: keras.Model, owned: bool = False):
        # A model just loaded from a file is already private; anything else is copied.
        self.model = model if owned else copy_model(model)
        self.layers = describe(self.model)
        names = {info.name for info in self.layers}
        outputs = [layer.output for layer in self.model.layers if layer.name in names]
        self._extractor = keras.Model(self.model.inputs, outputs)
        spec = tf.TensorSpec((None, 28, 28, 1), tf.float32)
        self._all = model_graph(lambda x: self._extractor(x, training=False), spec)
        self._probs = model_graph(lambda x: self.model(x, training=False), spec)

    @property
    def num_classes(self) -> int:
        return int(self.model.output_shape[-1])

    def run(self, batch: np.ndarray) -> ModelOutput:
        outputs = self._all(batch)
        arrays = {info.name: out.numpy() for info, out in zip(self.layers, outputs, strict=True)}
        return ModelOutput(arrays[self.layers[-1].name], arrays)

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        return self._probs(batch).numpy()


class InferenceCore:
    """Run the loaded models on model inputs.

    Parameters
    ----------
    models : name -> a Keras model or a ``.keras`` path. Defaults to the bundled ``cnn`` and
        ``dense``. The core keeps its own copies; the objects passed in are never called.
    """

    def __init__(self, models: Mapping[str, keras.Model | str | Path] | None = None):
        if models is None:
            models = {name: bundled_model_path(name) for name in MODEL_NAMES}
        self._runners: dict[str, _Runner] = {}
        self._joint = None
        for name, model in models.items():
            self._runners[name] = self._runner(model)
        self._joint = self._compile_joint()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._runners)

    def set_model(self, name: str, model: keras.Model | str | Path) -> None:
        """Load new weights (or a new model) under ``name``: one call, checked first."""
        self._runners[name] = self._runner(model)
        self._joint = self._compile_joint()

    @staticmethod
    def _runner(model: keras.Model | str | Path) -> _Runner:
        if isinstance(model, (str, Path)):
            return _Runner(load_model(model, num_classes=None), owned=True)
        return _Runner(model)

    def _compile_joint(self):
        """One compiled graph running every model: one call instead of one per model."""
        extractors = {name: runner._extractor for name, runner in self._runners.items()}
        spec = tf.TensorSpec((None, 28, 28, 1), tf.float32)
        joint = model_graph(
            lambda x: {name: ex(x, training=False) for name, ex in extractors.items()}, spec
        )
        joint(tf.zeros((1, 28, 28, 1)))
        return joint

    def model(self, name: str) -> keras.Model:
        """The core's own copy of ``name`` (call it only from the thread that runs the core)."""
        return self._runners[name].model

    def layers(self, name: str) -> list[LayerInfo]:
        return list(self._runners[name].layers)

    def num_classes(self, name: str) -> int:
        return self._runners[name].num_classes

    def run(
        self, inputs: np.ndarray, names: tuple[str, ...] | None = None
    ) -> dict[str, ModelOutput]:
        """Probabilities and all activations of each model for a batch.

        Parameters
        ----------
        inputs : float32 ``(n, 28, 28[, 1])`` in 0..1 (see :mod:`digitlab.model.preprocess.frame`).
        names : which models (default all).
        """
        batch = as_model_batch(inputs)
        if names is not None and set(names) != set(self._runners):
            return {name: self._runners[name].run(batch) for name in names}
        outputs = self._joint(batch)
        result = {}
        for name, runner in self._runners.items():
            arrays = {
                info.name: out.numpy()
                for info, out in zip(runner.layers, outputs[name], strict=True)
            }
            result[name] = ModelOutput(arrays[runner.layers[-1].name], arrays)
        return result

    def probabilities(
        self, inputs: np.ndarray, names: tuple[str, ...] | None = None, batch_size: int = 1024
    ) -> dict[str, np.ndarray]:
        """Only the probabilities, for large batches (the command line, evaluation)."""
        batch = as_model_batch(inputs)
        result = {}
        for name in names or self.names:
            runner = self._runners[name]
            parts = [
                runner.probabilities(batch[i : i + batch_size])
                for i in range(0, len(batch), batch_size)
            ]
            result[name] = (
                np.concatenate(parts) if parts else np.zeros((0, runner.num_classes), np.float32)
            )
        return result
