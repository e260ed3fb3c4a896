"""Fine-tune a trained model on the user's own handwriting without forgetting MNIST. Qt-free.

Every epoch mixes a fixed slice of MNIST training digits with the personal samples,
oversampled to a set share of the epoch and lightly distorted
(:func:`digitlab.model.preprocess.augment.distort`) so a few dozen drawings are not simply
memorised. A low, constant learning rate and a few epochs move the weights only a little.
Progress and cooperative stop work exactly as in :func:`digitlab.model.nets.training.train`
(same events, same callback: :mod:`digitlab.model.nets.run_progress`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import keras
import numpy as np

from digitlab.model.nets.known import DEFAULT_THRESHOLD, KnownRule, is_known
from digitlab.model.nets.run_progress import Progress, ProgressCallback, extend_history, finish_run
from digitlab.model.nets.training import evaluate
from digitlab.model.preprocess.augment import AugmentConfig, distort
from digitlab.model.preprocess.frame import as_model_batch

LIGHT_AUGMENT = AugmentConfig(
    probability=0.75, rotation_deg=8.0, shear=0.15, aspect=0.12, elastic_px=0.8, thickness=0.5
)
"""Gentler than training from scratch: the user's style must survive the distortion."""


@dataclass(frozen=True)
class FineTuneRecipe:
    """What decides a fine-tuning run.

    epochs : passes over the mixed set.
    batch_size : images per step.
    learning_rate : Adam's rate, constant (low: the model already reads digits).
    mnist_size : MNIST training digits mixed in (a seeded random choice), against forgetting.
    personal_share : share of every epoch made of (oversampled) personal samples, 0..0.9.
    holdout : share of the personal samples kept out of fine-tuning to measure it fairly.
    min_for_holdout : with fewer personal samples, all are used and the "after" figure on
        them is measured on what the model was tuned on (the result says so).
    seed : seeds the MNIST choice, oversampling, distortion and Keras.
    """

    epochs: int = 3
    batch_size: int = 64
    learning_rate: float = 3e-4
    mnist_size: int = 6000
    personal_share: float = 0.15
    holdout: float = 0.25
    min_for_holdout: int = 12
    seed: int = 0
    augment_config: AugmentConfig = field(default_factory=lambda: LIGHT_AUGMENT)

    def as_dict(self) -> dict:
        return asdict(self)

    def personal_per_epoch(self, mnist_count: int) -> int:
        """Personal samples drawn (with repeats, distorted) into each epoch beside ``mnist_count``
        MNIST digits, so they make ``personal_share`` (capped at 0.9) of the epoch."""
        share = min(max(self.personal_share, 0.0), 0.9)
        return int(round(mnist_count * share / (1.0 - share)))

    def steps_per_epoch(self, mnist_count: int) -> int:
        """Batches in one epoch of ``mnist_count`` MNIST digits plus the personal ones (>= 1)."""
        total = mnist_count + self.personal_per_epoch(mnist_count)
        return max(1, math.ceil(total / self.batch_size))


def split_personal(
    labels: np.ndarray, recipe: FineTuneRecipe
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Which personal samples to tune on and which to measure on.

    Each digit with two or more samples gives about ``recipe.holdout`` of them (at least one,
    never all) to the held-out part; the choice is seeded.

    Returns
    -------
    ``(tune, measure, held_out)``: int index arrays; ``held_out`` is False when there were too
    few samples (or no digit with two), and then both arrays hold every sample.
    """
    labels = np.asarray(labels, np.int64)
    everything = np.arange(len(labels))
    if len(labels) < recipe.min_for_holdout:
        return everything, everything, False
    rng = np.random.default_rng([recipe.seed, 7])
    measure = []
    for digit in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == digit))
        if len(members) >= 2:
            take = min(len(members) - 1, max(1, int(round(len(members) * recipe.holdout))))
            measure.extend(members[:take].tolist())
    if not measure:
        return everything, everything, False
    measure_idx = np.sort(np.asarray(measure, np.int64))
    tune_idx = np.setdiff1d(everything, measure_idx)
    return tune_idx, measure_idx, True


def accuracy(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    rule: KnownRule | float = DEFAULT_THRESHOLD,
) -> float:
    """Share of ``x`` (float32 ``(n, 28, 28)`` in 0..1) that ``model`` reads right; NaN if
    empty. A digit sample (``y`` 0..9) is read right when it is the top class; a negative
    sample (``y`` = ``NOT_A_DIGIT``) when the model does not know it (``rule``: the
    model's :class:`~digitlab.model.nets.known.KnownRule`, or a bare threshold on the top
    probability; :func:`digitlab.model.nets.known.is_known`)."""
    if len(x) == 0:
        return float("nan")
    y = np.asarray(y, np.int64)
    result = evaluate(model, as_model_batch(x), np.maximum(y, 0))
    right = np.where(
        y >= 0,
        result["predictions"] == y,
        ~is_known(result["probabilities"], rule),
    )
    return float(right.mean())


def targets(labels: np.ndarray, classes: int) -> np.ndarray:
    """float32 ``(n, classes)`` training targets: one-hot for a label 0..classes-1, and the
    flat ``1 / classes`` for ``NOT_A_DIGIT`` (-1): a negative sample teaches the model to
    spread its answer, so its top probability falls under the "known" threshold."""
    labels = np.asarray(labels, np.int64)
    out = np.zeros((len(labels), classes), np.float32)
    digits = labels >= 0
    out[np.flatnonzero(digits), labels[digits]] = 1.0
    out[~digits] = 1.0 / classes
    return out


def _epoch_set(
    mnist_x: np.ndarray,
    mnist_y: np.ndarray,
    personal_x: np.ndarray,
    personal_y: np.ndarray,
    recipe: FineTuneRecipe,
    epoch: int,
    classes: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch's shuffled float32 ``(n, 28, 28, 1)`` inputs and float32 ``(n, classes)``
    targets (:func:`targets`)."""
    rng = np.random.default_rng([recipe.seed, 100 + epoch])
    count = recipe.personal_per_epoch(len(mnist_x)) if len(personal_x) else 0
    pick = rng.integers(0, len(personal_x), count) if count else np.zeros(0, np.int64)
    mine = distort(personal_x[pick], rng, recipe.augment_config) if count else personal_x[:0]
    x = np.concatenate([mnist_x, mine]).astype(np.float32)
    y = np.concatenate([mnist_y, personal_y[pick]]).astype(np.int64)
    order = rng.permutation(len(x))
    return x[order][..., None], targets(y[order], classes)


def fine_tune(
    model: keras.Model,
    mnist_x: np.ndarray,
    mnist_y: np.ndarray,
    personal_x: np.ndarray,
    personal_y: np.ndarray,
    recipe: FineTuneRecipe = FineTuneRecipe(),
    *,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict:
    """Fine-tune ``model`` in place (pass a copy to keep the original).

    Parameters
    ----------
    mnist_x : uint8 ``(n, 28, 28)`` 0..255 (MNIST training images); mnist_y : ``(n,)`` labels.
        A seeded random ``recipe.mnist_size`` of them is used.
    personal_x : float32 ``(k, 28, 28)`` in 0..1, the personal samples' model inputs
        (:func:`digitlab.model.data.personal_data.model_inputs`); personal_y : int ``(k,)``,
        0..9, or ``NOT_A_DIGIT`` (-1) for a negative sample (trained toward a flat answer).
    on_progress, should_stop : as for :func:`digitlab.model.nets.training.train` (batch and
        epoch events).

    Returns
    -------
    dict with ``history`` (per-epoch logs), ``stopped``, ``nan``, ``seconds``, ``epochs_run``.
    """
    keras.utils.set_random_seed(recipe.seed)
    start = time.perf_counter()
    rng = np.random.default_rng([recipe.seed, 1])
    n = min(recipe.mnist_size, len(mnist_x))
    chosen = np.sort(rng.choice(len(mnist_x), n, replace=False)) if n else np.zeros(0, np.int64)
    mx = np.asarray(mnist_x[chosen], np.float32) / 255.0
    my = np.asarray(mnist_y[chosen], np.int64)
    px = np.asarray(personal_x, np.float32).reshape(-1, 28, 28)
    py = np.asarray(personal_y, np.int64)
    steps = recipe.steps_per_epoch(n) if len(px) else max(1, math.ceil(n / recipe.batch_size))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=recipe.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    callback = ProgressCallback(on_progress, should_stop, recipe.epochs, steps)
    history: dict[str, list[float]] = {}
    for epoch in range(recipe.epochs):
        if callback.stopped or callback.nan or (should_stop is not None and should_stop()):
            callback.stopped = callback.stopped or not callback.nan
            break
        xe, ye = _epoch_set(mx, my, px, py, recipe, epoch, classes=int(model.output_shape[-1]))
        result = model.fit(
            xe,
            ye,
            batch_size=recipe.batch_size,
            epochs=epoch + 1,
            initial_epoch=epoch,
            shuffle=False,
            callbacks=[callback],
            verbose=0,
        )
        extend_history(history, result.history)
        if model.stop_training:
            break
    return finish_run(model, history, callback, start)
