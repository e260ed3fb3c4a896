"""What a unit wants: the 28x28 input that excites one conv filter, dense unit or output class
most (activation maximisation, as Lucid and tfjs' visualize-convnet do).

Gradient ascent (Adam, tf.GradientTape) on the unit's drive, from faint seeded noise; the
picture is ``sigmoid(blur(z))`` so it stays in 0..1 and is made of strokes a few pixels wide,
a total-variation penalty keeps it smooth and an L2 pull keeps the paper black (without them
the ascent finds high-frequency speckle that excites the unit but shows nothing).

Every unit is maximised before its activation function: a ReLU unit that is off still
has a gradient, and an output class's logit makes a picture of what makes the class likely,
not only of what makes the others unlikely.
"""

from __future__ import annotations

import numpy as np

STEPS = 160
LEARNING_RATE = 0.1
SMOOTHNESS = {"conv": 0.3, "dense": 15.0}
"""Weight of the total-variation penalty against the unit's drive, per kind of layer (a dense
unit's drive is tens of times a conv filter's)."""
BLUR_SIGMA = 1.0
"""Pixels: the picture is ``sigmoid(blur(z))`` (see :func:`dream`)."""
DARKNESS = {"conv": 1.0, "dense": 30.0}
"""Weight of an L2 pull toward black paper (MNIST is mostly empty), per kind of layer."""
DREAM_LAYERS = {
    "cnn": ("conv1", "conv2", "dense", "output"),
    "dense": ("hidden", "output"),
}
"""The layers whose units can be dreamed, per model."""


def _target_fn(model, layer: str):
    """``f(x) -> float (n, units)``: each unit's drive before its activation function (a conv
    filter at the middle of its map; an output class's logit). Before the ReLU, so a unit that
    is off still has a gradient to follow."""
    import keras

    out_layer = model.get_layer(layer)
    kernel, bias = (np.asarray(w) for w in out_layer.get_weights())
    feed = keras.Model(model.inputs[0], out_layer.input)
    if kernel.ndim == 4:
        strides, padding = out_layer.strides, out_layer.padding

        def filters(x):
            pre = keras.ops.conv(feed(x, training=False), kernel, strides, padding) + bias
            # The filter at the middle of its map: what it wants inside its receptive field
            # (a mean over positions is maximised by a flat grey for most first-layer edges).
            h, w = pre.shape[1] // 2, pre.shape[2] // 2
            return pre[:, h, w, :]

        return filters

    def units(x):
        return feed(x, training=False) @ kernel + bias

    return units


def _blur_kernel(sigma: float = BLUR_SIGMA, radius: int = 2) -> np.ndarray:
    """float32 ``(5, 5, 1, 1)`` Gaussian kernel summing to 1 (a conv2d filter)."""
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k = np.outer(k, k)
    return (k / k.sum())[:, :, None, None].astype(np.float32)


def kind(model, layer: str) -> str:
    """``"conv"`` or ``"dense"``: what kind of units ``layer`` has."""
    return "conv" if len(model.get_layer(layer).output.shape) == 4 else "dense"


def unit_count(model, layer: str) -> int:
    """How many units (conv filters, dense units, classes) ``layer`` of the Keras model has."""
    return int(model.get_layer(layer).output.shape[-1])


def dream(
    model,
    layer: str,
    unit: int,
    steps: int = STEPS,
    seed: int = 0,
    smoothness: float | None = None,
    darkness: float | None = None,
) -> np.ndarray:
    """float32 ``(28, 28)`` in 0..1: the input that excites ``unit`` of ``layer`` of the
    Keras ``model`` most (see the module docstring).

    Raises
    ------
    ValueError
        When ``unit`` is not a unit of ``layer``.
    """
    from digitlab.model.explore.adversarial import _tf

    tf = _tf()
    count = unit_count(model, layer)
    if not 0 <= unit < count:
        raise ValueError(f"{layer} has units 0..{count - 1}, not {unit}")
    target = _target_fn(model, layer)
    weight = SMOOTHNESS[kind(model, layer)] if smoothness is None else smoothness
    dark = DARKNESS[kind(model, layer)] if darkness is None else darkness
    rng = np.random.default_rng(seed)
    # Mid-grey noise: on black paper most ReLU units are off and give no gradient at all.
    z = tf.Variable(rng.normal(0.0, 0.5, (1, 28, 28, 1)).astype(np.float32))
    blur = tf.constant(_blur_kernel())

    def picture(z):
        # Blurred before the sigmoid: strokes a few pixels wide, as in MNIST, not speckle.
        return tf.sigmoid(tf.nn.conv2d(z, blur, 1, "SAME"))

    m = tf.Variable(tf.zeros_like(z))
    v = tf.Variable(tf.zeros_like(z))

    @tf.function(autograph=False)  # plain calls; a frozen build has no source to convert
    def step(t):
        # Adam by hand: no optimizer object tied to this thread's variables.
        with tf.GradientTape() as tape:
            x = picture(z)
            act = target(x)[0, unit]
            tv = tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1])) + tf.reduce_mean(
                tf.abs(x[:, :, 1:] - x[:, :, :-1])
            )
            loss = -act + weight * tv + dark * tf.reduce_mean(x * x)
        g = tape.gradient(loss, z)
        m.assign(0.9 * m + 0.1 * g)
        v.assign(0.999 * v + 0.001 * g * g)
        z.assign_sub(LEARNING_RATE * (m / (1 - 0.9**t)) / (tf.sqrt(v / (1 - 0.999**t)) + 1e-8))

    for t in range(1, steps + 1):
        step(tf.constant(float(t)))
    return np.asarray(picture(z))[0, ..., 0].astype(np.float32)


def activation_of(model, layer: str, unit: int, image: np.ndarray) -> float:
    """The unit's activation (as :func:`dream` maximises it) for float32 ``(28, 28)``."""
    x = np.asarray(image, np.float32)[None, ..., None]
    return float(np.asarray(_target_fn(model, layer)(x))[0, unit])
