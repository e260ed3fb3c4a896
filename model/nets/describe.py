"""What the views need to know of a loaded model: its layers, mosaic layouts and colour scales.

Qt-free and Keras-free at import: the inference thread calls :func:`describe_model` when a
model is loaded (TensorFlow is loaded by then), the views read the :class:`ModelInfo` it
makes, and :mod:`digitlab.model.nets.colour_levels` uses it to store the bundled models'
colour scales.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from digitlab.model.explain.mosaic import MosaicLayout, calibrate_level, layout_for
from digitlab.model.explain.receptive_field import FieldStep, field_steps
from digitlab.model.nets.known import KnownRule

DIGIT_MODELS = ("cnn", "dense")
"""The bundled digit models: the live set at start and after "Restore bundled models" (a
model of your own image classes is live as "custom" instead)."""
CALIBRATION_IMAGES = 128
"""MNIST test digits used to fix each layer's colour scale when a model is loaded."""
SHOWN_LAYERS = {
    "cnn": ("conv1", "pool1", "conv2", "pool2", "dense", "output"),
    "dense": ("hidden", "output"),
}
"""The layers whose activations are shown (``flatten`` repeats its input, so it is left out)."""


def reads_digits(names) -> bool:
    """True when the live models named ``names`` are the digit pair."""
    return set(names) == set(DIGIT_MODELS)


@dataclass(frozen=True)
class LayerView:
    """What a view needs to show one layer.

    shape : the layer's output shape without the batch axis, e.g. ``(26, 26, 32)``.
    layout : where each unit sits in the layer's mosaic (None: the layer has no mosaic).
    level : the activation shown as the top of the colour scale (float > 0; 1.0 for the
        output's probabilities).
    steps : the model's spatial layers, for the hover's receptive field
        (:func:`digitlab.model.explain.receptive_field.receptive_field`).
    """

    model: str
    name: str
    kind: str
    shape: tuple[int, ...]
    params: int
    layout: MosaicLayout | None
    level: float
    steps: tuple[FieldStep, ...] = ()


@dataclass(frozen=True)
class ModelInfo:
    """One loaded model as the views describe it."""

    name: str
    layers: tuple[LayerView, ...]  # every real layer, in order
    total_params: int
    class_names: tuple[str, ...] = ()  # one per output; () means the digits 0..9
    known_rule: KnownRule = KnownRule()  # "known" for a drawing: see digitlab.model.nets.known
    number_rule: KnownRule | None = None  # for a piece of a number; None: known_rule

    @property
    def piece_rule(self) -> KnownRule:
        """The "known" rule for one piece of a written number."""
        return self.known_rule if self.number_rule is None else self.number_rule

    @property
    def labels(self) -> tuple[str, ...]:
        """The class names to show, one per output."""
        classes = self.layers[-1].shape[-1] if self.layers else 10
        return self.class_names or tuple(str(i) for i in range(classes))

    @property
    def shown(self) -> tuple[LayerView, ...]:
        """The layers whose activation mosaics are shown, in order."""
        keep = SHOWN_LAYERS.get(self.name)
        return tuple(
            v
            for v in self.layers
            if v.layout is not None
            and (v.name in keep if keep is not None else v.kind != "Flatten")
        )


def calibration_batch() -> np.ndarray:
    """float32 ``(128, 28, 28, 1)`` in 0..1: the first MNIST test digits, which fix the colour
    scales; float32 zeros ``(1, 28, 28, 1)`` when the bundled MNIST cannot be read."""
    from digitlab.model.data.mnist import DatasetError, load_mnist, mnist_test_inputs

    try:
        load_mnist()
    except DatasetError:  # the scales fall back to 1.0; nothing else depends on them
        return np.zeros((1, 28, 28, 1), np.float32)
    return mnist_test_inputs()[:CALIBRATION_IMAGES]


def _steps_of(keras_model) -> tuple[FieldStep, ...]:
    try:
        return field_steps(keras_model)
    except ValueError:  # an odd kernel: the hover then outlines the whole input
        return ()


def describe_model(
    core,
    name: str,
    calibration: np.ndarray | None,
    class_names: tuple[str, ...] = (),
    levels: Mapping[str, float] | None = None,
    known_rule: KnownRule | None = None,
    number_rule: KnownRule | None = None,
) -> ModelInfo:
    """Layer views of ``name`` in ``core`` (a :class:`digitlab.model.nets.inference.InferenceCore`).

    The colour scales come from ``levels`` (layer name -> top > 0, see
    :mod:`digitlab.model.nets.colour_levels`) without running the model when it names every
    layer; otherwise from running the model on ``calibration``, float32 ``(n, 28, 28, 1)`` in
    0..1 (:func:`calibration_batch` when None). ``class_names`` label its outputs.
    ``known_rule`` / ``number_rule``: its "known" rules for a drawing and for a piece of a
    number (``KnownRule()`` / the drawing's when None).
    """
    infos = core.layers(name)
    if levels is not None and all(info.name in levels for info in infos):
        out = None
    else:
        levels = None
        if calibration is None:
            calibration = calibration_batch()
        out = core.run(calibration, names=(name,))[name]
    steps = _steps_of(core.model(name))
    views = []
    for info in infos:
        shape = tuple(info.output_shape)
        try:
            layout = layout_for(shape)
        except ValueError:
            layout = None
        if info.name == infos[-1].name:
            level = 1.0  # probabilities: always 0..1
        elif levels is not None:
            level = float(levels[info.name])
        else:
            level = calibrate_level(out.activations[info.name])
        views.append(
            LayerView(name, info.name, info.kind, shape, info.params, layout, level, steps)
        )
    return ModelInfo(
        name,
        tuple(views),
        sum(i.params for i in infos),
        tuple(class_names),
        known_rule or KnownRule(),
        number_rule,
    )
