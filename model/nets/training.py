"""Train the seed models on MNIST-layout data, Qt-free, with progress and cooperative stop.

``train(model, data, recipe, on_progress=..., should_stop=...)`` is what both the command
line and the window's training worker call: the worker passes its signal's ``emit`` and a
flag reader, the tests pass ``list.append`` and a lambda.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import keras
import numpy as np

from digitlab.model.data.mnist import Dataset, to_model_input
from digitlab.model.nets.accuracy import score_answers
from digitlab.model.nets.run_progress import Progress, ProgressCallback, extend_history, finish_run
from digitlab.model.preprocess.augment import AugmentConfig, StyleConfig, add_styles, distort


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run (recorded in ``metrics.json``).

    epochs : passes over the training set.
    batch_size : images per step.
    learning_rate : Adam's peak rate; it decays to ~0 along a cosine over the run.
    augment : distort a share of the digits every epoch
        (see :mod:`digitlab.model.preprocess.augment`).
    augmented_copies : how many distorted versions of each digit are prepared up front;
        every epoch draws from them at random.
    train_size : use only the first N training images (None: all).
    seed : seeds NumPy, Python and TensorFlow, so a run is reproducible.
    distill : with a teacher model, the weight of its probabilities in the targets (0..1).
    distill_temperature : how much the teacher's probabilities are softened (1: as they are).
    """

    epochs: int = 12
    batch_size: int = 128
    learning_rate: float = 2e-3
    augment: bool = True
    augmented_copies: int = 3
    train_size: int | None = None
    seed: int = 0
    distill: float = 0.0
    distill_temperature: float = 3.0
    augment_config: AugmentConfig = field(default_factory=AugmentConfig)
    style_config: StyleConfig = field(default_factory=StyleConfig)

    def as_dict(self) -> dict:
        return asdict(self)


class TrainingStopped(Exception):
    """Raised inside the loop when ``should_stop`` answered True."""


def prepare_augmented(
    x: np.ndarray,
    y: np.ndarray,
    recipe: Recipe,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Progress | None = None,
) -> np.ndarray:
    """``recipe.augmented_copies`` distorted versions of ``x``.

    Parameters
    ----------
    x : float32 ``(n, 28, 28)`` in 0..1; y : their labels (for the style variants).

    Returns
    -------
    uint8 ``(copies, n, 28, 28)``, 0..255 (uint8 keeps four copies of MNIST in ~190 MB).
    """
    copies = recipe.augmented_copies
    out = np.empty((copies,) + x.shape, np.uint8)
    chunk = 2048
    jobs = [(c, s) for c in range(copies) for s in range(0, len(x), chunk)]

    def work(job):
        c, s = job
        if should_stop is not None and should_stop():
            return
        rng = np.random.default_rng([recipe.seed, c, s])
        part = add_styles(x[s : s + chunk], y[s : s + chunk], rng, recipe.style_config)
        part = distort(part, rng, recipe.augment_config)
        out[c, s : s + chunk] = np.round(part * 255).astype(np.uint8)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for i, _ in enumerate(pool.map(work, jobs)):
            if on_progress is not None:
                on_progress({"kind": "prepare", "done": i + 1, "total": len(jobs)})
    if should_stop is not None and should_stop():
        raise TrainingStopped()
    return out


def _teacher_targets(
    teachers: Sequence[keras.Model], x: np.ndarray, augmented: np.ndarray | None, temperature: float
) -> np.ndarray:
    """The teachers' averaged, softened probabilities for every clean and distorted digit, once.

    Returns float32 ``(copies + 1, n, classes)``: index 0 the clean digits, ``c + 1`` copy ``c``.
    Several teachers (an ensemble) are averaged before softening.
    Softening with temperature T (``p ** (1/T)``, renormalised, equals ``softmax(logits / T)``)
    brings out the runner-up classes, which is where a confident teacher's knowledge is.
    """
    sources = [x] + ([] if augmented is None else list(augmented))
    out = []
    for images in sources:
        inputs = to_model_input(images)
        probs = np.mean(
            [
                np.concatenate(
                    [
                        np.asarray(teacher(inputs[i : i + 2048], training=False))
                        for i in range(0, len(inputs), 2048)
                    ]
                )
                for teacher in teachers
            ],
            axis=0,
            dtype=np.float64,
        )
        soft = np.power(np.clip(probs, 1e-12, 1.0), 1.0 / temperature)
        out.append((soft / soft.sum(1, keepdims=True)).astype(np.float32))
    return np.stack(out)


def _epoch_plan(
    n: int, augmented: np.ndarray | None, recipe: Recipe, epoch: int
) -> tuple[np.ndarray, np.ndarray]:
    """This epoch's order of digits and, for each, 0 (clean) or 1 + the distorted copy used."""
    rng = np.random.default_rng([recipe.seed, 1000 + epoch])
    order = rng.permutation(n)
    source = np.zeros(n, np.int64)
    if augmented is not None:
        p = recipe.augment_config.probability
        pick = rng.integers(0, len(augmented), n)
        use = rng.random(n) < p
        source = np.where(use, pick + 1, 0)
    return order, source


def _epoch_arrays(
    x: np.ndarray, y: np.ndarray, augmented: np.ndarray | None, recipe: Recipe, epoch: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """One epoch's shuffled float32 model inputs: each digit clean or one of its distortions.

    Plain arrays (not a generator) keep ``fit`` at full speed: a Keras ``PyDataset`` here
    halved the CNN's throughput on two cores. Also returns the plan (order, source).
    """
    order, source = _epoch_plan(len(x), augmented, recipe, epoch)
    batch = x[order]
    rows = np.flatnonzero(source)
    if len(rows):
        batch[rows] = augmented[source[rows] - 1, order[rows]]
    return to_model_input(batch), y[order], (order, source)


def train(
    model: keras.Model,
    data: Dataset,
    recipe: Recipe,
    *,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    validate: bool = True,
    teacher: keras.Model | Sequence[keras.Model] | None = None,
) -> dict:
    """Train ``model`` in place (it is recompiled with the recipe's cosine-decayed Adam).

    With a ``teacher`` (a trained model of the same classes), the targets are a blend of the
    true label and the teacher's probabilities for the very digit shown (weight
    ``recipe.distill``): knowledge distillation, which lets the small dense network learn
    what the CNN knows about ambiguous digits. A list of teachers is an ensemble: their
    probabilities are averaged. The model is compiled back to the seed's
    ``sparse_categorical_crossentropy`` when training ends.

    Parameters
    ----------
    on_progress : called from this thread with dicts: ``{"kind": "prepare"|"batch"|"epoch",
        ...}``; batch and epoch events carry ``epoch``, ``batch``, ``batches`` and Keras
        ``logs`` (loss, accuracy; val_loss and val_accuracy at epoch end).
    should_stop : polled before every batch; True stops after the current batch.

    Returns
    -------
    dict with ``history`` (per-epoch logs), ``stopped`` (bool), ``nan`` (the loss became NaN
    or blew up past :data:`digitlab.model.nets.run_progress.DIVERGED_LOSS`: the model is
    ruined and must not be used), ``seconds`` and ``epochs_run``.
    """
    keras.utils.set_random_seed(recipe.seed)
    n = (
        len(data.x_train)
        if recipe.train_size is None
        else min(recipe.train_size, len(data.x_train))
    )
    x = data.x_train[:n]
    y = data.y_train[:n].astype(np.int64)
    start = time.perf_counter()
    augmented = None
    if recipe.augment and recipe.augmented_copies > 0:
        augmented = prepare_augmented(
            x.astype(np.float32) / 255.0, y, recipe, should_stop, on_progress
        )
    steps = math.ceil(n / recipe.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, recipe.epochs * steps)
    teachers = (
        [] if teacher is None else [teacher] if isinstance(teacher, keras.Model) else list(teacher)
    )
    distill = bool(teachers) and recipe.distill > 0
    teacher_soft = None
    if distill:
        teacher_soft = _teacher_targets(teachers, x, augmented, recipe.distill_temperature)
    num_classes = int(model.output_shape[-1])
    optimizer = keras.optimizers.Adam(learning_rate=schedule)
    model.compile(
        optimizer=optimizer,
        loss="categorical_crossentropy" if distill else "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    callback = ProgressCallback(on_progress, should_stop, recipe.epochs, steps)
    validation = (to_model_input(data.x_test), data.y_test.astype(np.int64)) if validate else None
    if distill and validation is not None:
        validation = (validation[0], np.eye(num_classes, dtype=np.float32)[validation[1]])
    history: dict[str, list[float]] = {}
    for epoch in range(recipe.epochs):
        if callback.stopped or callback.nan:
            break
        xe, ye, (order, source) = _epoch_arrays(x, y, augmented, recipe, epoch)
        if distill:
            soft = teacher_soft[source, order]
            ye = (1 - recipe.distill) * np.eye(num_classes, dtype=np.float32)[
                ye
            ] + recipe.distill * soft
        result = model.fit(
            xe,
            ye,
            batch_size=recipe.batch_size,
            epochs=epoch + 1,
            initial_epoch=epoch,
            shuffle=False,
            validation_data=validation,
            callbacks=[callback],  # our callback stops on NaN; Keras's TerminateOnNaN prints
            verbose=0,
        )
        extend_history(history, result.history)
        if model.stop_training:
            break
    if distill:
        model.compile(
            optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
    return finish_run(model, history, callback, start)


def evaluate(
    model: keras.Model, x: np.ndarray, y: np.ndarray, num_classes: int = 10, batch_size: int = 1000
) -> dict:
    """Accuracy and confusion matrix of ``model`` on model inputs ``x`` ``(n, 28, 28, 1)``:
    :func:`digitlab.model.nets.accuracy.score_answers` of its probabilities."""
    probs = [
        np.asarray(model(x[i : i + batch_size], training=False))
        for i in range(0, len(x), batch_size)
    ]
    return score_answers(
        np.concatenate(probs) if probs else np.zeros((0, num_classes), np.float32), y, num_classes
    )
