"""Outlier exposure: teach a seed model to answer a flat distribution on things that are not
digits, while it keeps reading digits (Hendrycks, Mazeika & Dietterich, ICLR 2019).

The model is unchanged (the seed architecture, 10-way softmax); only the loss grows a term:

    loss = cross_entropy(targets, p(digits))
           + oe_weight * mean(max(0, KL(uniform || p(outlier)) - oe_margin))

where the targets blend the true label with a teacher's softened probabilities (knowledge
distillation, as :func:`digitlab.model.nets.training.train` does) when a teacher is given.
A flat answer on an outlier has a low top probability, so
:func:`digitlab.model.nets.known.is_known` refuses it. Qt-free; the tests call it directly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import keras
import numpy as np
import tensorflow as tf


@dataclass(frozen=True)
class OutlierRecipe:
    """What decides an outlier-exposure run (recorded in ``metrics.json``).

    epochs : passes over the digits; batch_size : digits per step.
    outlier_batch : outliers per step (drawn at random from the outlier pool).
    learning_rate : Adam's peak rate, decayed along a cosine to ~0.
    oe_weight : weight of the flat-answer term.
    oe_margin : an outlier whose answer is already this close to flat (KL divergence from the
        uniform answer, nats; 0.3 is about a top probability of 0.4) adds nothing, so the
        model spends its capacity on the outliers it still reads as digits.
    distill, distill_temperature : as in :class:`digitlab.model.nets.training.Recipe`.
    distill_where_right : blend in the teacher only for digits it reads right. A teacher that
        never saw a style (a one with a long up-stroke, read as 7) would otherwise teach its
        misreading along with the label.
    seed : seeds the order of digits and outliers and Keras.
    """

    epochs: int = 6
    batch_size: int = 128
    outlier_batch: int = 64
    learning_rate: float = 3e-4
    oe_weight: float = 0.5
    oe_margin: float = 0.0
    distill: float = 0.7
    distill_temperature: float = 3.0
    distill_where_right: bool = False
    seed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _soften(p: tf.Tensor, temperature: float) -> tf.Tensor:
    soft = tf.pow(tf.clip_by_value(p, 1e-12, 1.0), 1.0 / temperature)
    return soft / tf.reduce_sum(soft, axis=-1, keepdims=True)


def train_with_outliers(
    model: keras.Model,
    digits: Callable[[int], tuple[np.ndarray, np.ndarray]],
    outliers: np.ndarray,
    recipe: OutlierRecipe,
    *,
    teacher: keras.Model | None = None,
    on_epoch: Callable[[int, dict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict:
    """Train ``model`` in place with the outlier-exposure loss.

    Parameters
    ----------
    digits : ``digits(epoch)`` -> this epoch's shuffled float32 ``(n, 28, 28, 1)`` inputs in
        0..1 and int ``(n,)`` labels (clean or distorted, as the caller decides).
    outliers : float32 ``(m, 28, 28, 1)`` non-digit inputs in 0..1 (the flat-answer pool).
    teacher : a trained model of the same classes, or None (plain one-hot targets).
    on_epoch : called after each epoch with ``(epoch, {"loss", "digit_loss", "flat_loss",
        "seconds"})``; should_stop : polled before every step.

    Returns
    -------
    dict with ``history`` (per-epoch lists of those numbers), ``epochs_run``, ``seconds`` and
    ``stopped``.
    """
    keras.utils.set_random_seed(recipe.seed)
    num_classes = int(model.output_shape[-1])
    rng = np.random.default_rng([recipe.seed, 7])
    first = digits(0)
    steps = math.ceil(len(first[0]) / recipe.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, recipe.epochs * steps)
    optimizer = keras.optimizers.Adam(learning_rate=schedule)
    weights = model.trainable_variables
    w_oe = tf.constant(recipe.oe_weight, tf.float32)
    alpha = tf.constant(recipe.distill if teacher is not None else 0.0, tf.float32)
    log_k = math.log(num_classes)

    @tf.function(reduce_retracing=True)
    def step(xd, yd, xo):
        onehot = tf.one_hot(yd, num_classes)
        if teacher is not None:
            soft = _soften(teacher(xd, training=False), recipe.distill_temperature)
            a = alpha
            if recipe.distill_where_right:
                right = tf.equal(tf.argmax(soft, axis=-1, output_type=tf.int32), yd)
                a = alpha * tf.cast(right, tf.float32)[:, None]
            target = (1.0 - a) * onehot + a * soft
        else:
            target = onehot
        with tf.GradientTape() as tape:
            p = model(tf.concat([xd, xo], 0), training=True)
            pd, po = p[: tf.shape(xd)[0]], p[tf.shape(xd)[0] :]
            digit_loss = tf.reduce_mean(keras.losses.categorical_crossentropy(target, pd))
            # Cross-entropy to the uniform answer, minus its minimum log(k): 0 when flat.
            kl = -tf.reduce_mean(tf.math.log(tf.clip_by_value(po, 1e-7, 1.0)), axis=-1) - log_k
            flat = tf.reduce_mean(tf.nn.relu(kl - recipe.oe_margin))
            loss = digit_loss + w_oe * flat
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))
        return loss, digit_loss, flat

    history: dict[str, list[float]] = {"loss": [], "digit_loss": [], "flat_loss": []}
    history["seconds"] = []
    start = time.perf_counter()
    stopped = False
    epochs_run = 0
    for epoch in range(recipe.epochs):
        t0 = time.perf_counter()
        x, y = first if epoch == 0 else digits(epoch)
        sums = np.zeros(3)
        count = 0
        for s in range(0, len(x), recipe.batch_size):
            if should_stop is not None and should_stop():
                stopped = True
                break
            pick = rng.integers(0, len(outliers), recipe.outlier_batch)
            out = step(
                tf.constant(x[s : s + recipe.batch_size]),
                tf.constant(y[s : s + recipe.batch_size], tf.int32),
                tf.constant(outliers[pick]),
            )
            sums += [float(v) for v in out]
            count += 1
        if stopped:
            break
        epochs_run += 1
        means = (sums / max(count, 1)).tolist()
        logs = dict(zip(("loss", "digit_loss", "flat_loss"), means, strict=True))
        logs["seconds"] = time.perf_counter() - t0
        for k, v in logs.items():
            history[k].append(float(v))
        if on_epoch is not None:
            on_epoch(epoch, logs)
    model.compile(
        optimizer=keras.optimizers.Adam(recipe.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return {
        "history": history,
        "epochs_run": epochs_run,
        "seconds": time.perf_counter() - start,
        "stopped": stopped,
    }
