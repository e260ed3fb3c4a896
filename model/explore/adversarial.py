"""Fool it: the small change to a 28x28 input that makes a model read another digit.

Targeted gradient descent (tf.GradientTape on the model's cross-entropy for the target):
each step moves the input :data:`STEP_L2` along the normalised gradient, clipped to 0..1,
and the search stops at the first input the model reads as the target with at least
:data:`CONFIDENT` probability, so the change found is small (not provably the smallest: a
gradient walk finds a nearby answer, the usual "basic iterative method"). The other model is
then asked about the same changed input: is it fooled too?
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

STEP_L2 = 0.08
"""L2 length of one step in input space (a drawn digit's L2 norm is about 9)."""
MAX_STEPS = 400
"""Steps before the search gives up."""
CONFIDENT = 0.5
"""The target's probability that counts as fooled (then it is also the top answer)."""


@dataclass(frozen=True)
class Attack:
    """One model fooled (or not) into reading ``target``.

    source : the model attacked. image : float32 ``(28, 28)`` in 0..1, the changed input.
    delta : float32 ``(28, 28)`` in -1..1, ``image - original``. l2, linf : its size.
    probabilities : model -> float32 ``(10,)`` on the changed input. fooled : model -> True
    when that model's top answer is ``target``. steps : gradient steps taken.
    """

    source: str
    target: int
    image: np.ndarray
    delta: np.ndarray
    l2: float
    linf: float
    probabilities: dict[str, np.ndarray]
    fooled: dict[str, bool]
    steps: int


@dataclass(frozen=True)
class FoolResult:
    """Each model attacked in turn (model -> :class:`Attack`) for the drawing ``revision``;
    ``original`` model -> float32 ``(10,)`` on the unchanged input."""

    revision: int
    target: int
    original: dict[str, np.ndarray]
    attacks: dict[str, Attack]


def _tf():
    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

    import_tensorflow_quietly()
    import tensorflow as tf

    return tf


def _as_image(image: np.ndarray) -> np.ndarray:
    x = np.asarray(image, np.float32)
    if x.shape != (28, 28):
        raise ValueError(f"expected a (28, 28) input, got {x.shape}")
    return np.clip(x, 0.0, 1.0)


def push_step(model, image: np.ndarray, target: int, step: float = STEP_L2) -> np.ndarray:
    """One step toward ``target``: float32 ``(28, 28)`` in 0..1, ``image`` moved ``step`` (L2)
    against the gradient of the Keras ``model``'s cross-entropy for ``target``."""
    tf = _tf()
    x = tf.constant(_as_image(image)[None, ..., None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        p = model(x, training=False)
        loss = -tf.math.log(p[0, target] + 1e-12)
    g = tape.gradient(loss, x).numpy()[0, ..., 0]
    moved = _as_image(image) - step * g / (np.linalg.norm(g) + 1e-12)
    return np.clip(moved, 0.0, 1.0).astype(np.float32)


def attack(
    model,
    image: np.ndarray,
    target: int,
    step: float = STEP_L2,
    max_steps: int = MAX_STEPS,
    should_stop=None,
) -> tuple[np.ndarray, int]:
    """``(changed float32 (28, 28) in 0..1, steps)``: gradient steps toward ``target`` until
    the Keras ``model`` gives it :data:`CONFIDENT`, ``max_steps`` were taken or
    ``should_stop()`` (checked every 20 steps) says so."""
    tf = _tf()
    original = _as_image(image)
    x = tf.Variable(original[None, ..., None])
    for i in range(max_steps):
        if should_stop is not None and i % 20 == 0 and should_stop():
            break
        with tf.GradientTape() as tape:
            p = model(x, training=False)
            loss = -tf.math.log(p[0, target] + 1e-12)
        if float(p[0, target]) >= CONFIDENT:
            return x.numpy()[0, ..., 0], i
        g = tape.gradient(loss, x)
        g = g / (tf.norm(g) + 1e-12)
        x.assign(tf.clip_by_value(x - step * g, 0.0, 1.0))
    return x.numpy()[0, ..., 0], max_steps


class Fooler:
    """Fools each model in turn and asks the other about the change.

    Parameters
    ----------
    sources : model name -> a ``.keras`` path or a Keras model this thread may own (loaded
        with the safe loader on first use).
    """

    def __init__(self, sources: Mapping[str, object]):
        self._sources = dict(sources)
        self._models: dict[str, object] = {}

    def model(self, name: str):
        if name not in self._models:
            source = self._sources[name]
            if isinstance(source, (str, os.PathLike)):
                from digitlab.model.nets.model_files import load_model

                source = load_model(source, num_classes=None)
            self._models[name] = source
        return self._models[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._sources)

    def probabilities(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """model -> float32 ``(classes,)`` for one float32 ``(28, 28)`` input."""
        x = _as_image(image)[None, ..., None]
        return {n: np.asarray(self.model(n)(x, training=False))[0] for n in self.names}

    def fool(
        self, image: np.ndarray, target: int, revision: int = 0, should_stop=None
    ) -> FoolResult:
        """Attack every model toward ``target`` (0..9) on ``image`` float32 ``(28, 28)``
        (``should_stop``: see :func:`attack`)."""
        original = _as_image(image)
        attacks = {}
        for name in self.names:
            changed, steps = attack(
                self.model(name), original, int(target), should_stop=should_stop
            )
            delta = (changed - original).astype(np.float32)
            probs = self.probabilities(changed)
            attacks[name] = Attack(
                name,
                int(target),
                changed.astype(np.float32),
                delta,
                float(np.linalg.norm(delta)),
                float(np.abs(delta).max()),
                probs,
                {n: int(np.argmax(p)) == int(target) for n, p in probs.items()},
                steps,
            )
        return FoolResult(revision, int(target), self.probabilities(original), attacks)
