"""Small Keras models the tests build: one with a layer the NumPy light path does not run."""

from __future__ import annotations


def dropout_model():
    """784 -> Dropout -> Dense(10) softmax on a 28x28x1 input: Keras reads it, the light path
    refuses it (Dropout is not one of the seed families' layers)."""
    import keras

    inputs = keras.Input((28, 28, 1), name="input")
    x = keras.layers.Flatten(name="flatten")(inputs)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs)
