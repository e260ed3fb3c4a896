"""The two seed models, exactly as the seed describes them, with named layers.

Input contract: float32 ``(n, 28, 28, 1)`` in 0..1, white digit on black (MNIST / 255).
Output: ``(n, num_classes)`` softmax probabilities.
"""

from __future__ import annotations

import keras
from keras import layers

NUM_CLASSES = 10
INPUT_SHAPE = (28, 28, 1)
ARCHITECTURES = ("cnn", "dense")


def _compile(
    model: keras.Model, learning_rate: float | keras.optimizers.schedules.LearningRateSchedule
):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def build_cnn(
    num_classes: int = NUM_CLASSES, learning_rate=1e-3, input_shape=INPUT_SHAPE
) -> keras.Model:
    """Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu,
    Dense ``num_classes`` softmax: 225,034 parameters for 10 classes."""
    inputs = keras.Input(input_shape, name="input")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, activation="relu", name="dense")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return _compile(keras.Model(inputs, outputs, name="cnn"), learning_rate)


def build_dense(
    num_classes: int = NUM_CLASSES, learning_rate=1e-3, input_shape=INPUT_SHAPE
) -> keras.Model:
    """Flatten (784), Dense 128 relu, Dense ``num_classes`` softmax: 101,770 parameters."""
    inputs = keras.Input(input_shape, name="input")
    x = layers.Flatten(name="flatten")(inputs)
    x = layers.Dense(128, activation="relu", name="hidden")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return _compile(keras.Model(inputs, outputs, name="dense"), learning_rate)


BUILDERS = {"cnn": build_cnn, "dense": build_dense}


def build(
    name: str,
    num_classes: int = NUM_CLASSES,
    learning_rate=1e-3,
    input_shape: tuple[int, int, int] = INPUT_SHAPE,
) -> keras.Model:
    """Build ``"cnn"`` or ``"dense"`` (compiled, freshly initialised) for ``num_classes``
    classes and ``(size, size, 1)`` inputs (the CNN needs ``size >= 10``)."""
    try:
        builder = BUILDERS[name]
    except KeyError:
        raise ValueError(
            f"unknown model {name!r}; choose one of {', '.join(ARCHITECTURES)}"
        ) from None
    if name == "cnn" and min(input_shape[:2]) < 10:
        raise ValueError(f"the CNN needs inputs of at least 10x10 pixels, got {input_shape}")
    return builder(
        num_classes=num_classes, learning_rate=learning_rate, input_shape=tuple(input_shape)
    )
