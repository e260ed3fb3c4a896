"""Fine-tune a model on the user's handwriting in a worker thread, measuring before and after.

:class:`FineTuneWorker` is a :class:`~app.training_worker.TrainingWorker` (same signals,
throttled progress, pause and cancel) whose run loads its own copy of the model, measures it
on the MNIST test set and on the personal samples held out of tuning, fine-tunes it
(:func:`digitlab.model.nets.fine_tune.fine_tune`) and measures again. The tuned model is handed
over only in ``finished``; nothing live changes until the user keeps it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal

from digitlab.app.training.worker import PROGRESS_INTERVAL_S, TrainingWorker
from digitlab.model.data.mnist import load_mnist, mnist_test_inputs, to_model_input
from digitlab.model.data.personal_data import Sample, labels_of, model_inputs
from digitlab.model.nets.fine_tune import FineTuneRecipe, accuracy, fine_tune, split_personal
from digitlab.model.nets.known import KnownRule
from digitlab.model.nets.training import TrainingStopped, evaluate
from digitlab.model.nets.wording import plural


@dataclass
class Scores:
    """Accuracies (0..1) of one model: MNIST test, and the personal samples measured on."""

    mnist: float
    personal: float


@dataclass
class FineTuneOutcome:
    """How a fine-tuning run ended.

    slot : the live slot the model fits ("cnn" or "dense"); source : the label of the model
    that was tuned. model : the tuned Keras model (None when cancelled, failed or NaN).
    before, after : :class:`Scores`. held_out : True when ``measured`` samples were kept out
    of tuning (a fair test); False when there were too few and all were used for both.
    tuned : samples tuned on; measured : samples the personal accuracy is measured on.
    """

    slot: str
    source: str
    recipe: FineTuneRecipe
    model: object | None = None
    before: Scores | None = None
    after: Scores | None = None
    held_out: bool = False
    tuned: int = 0
    measured: int = 0
    history: dict = field(default_factory=dict)
    stopped: bool = False
    nan: bool = False
    seconds: float = 0.0
    epochs_run: int = 0

    @property
    def completed(self) -> bool:
        return not self.stopped and not self.nan and self.model is not None


class FineTuneWorker(TrainingWorker):
    """Fine-tunes ``model`` (a Keras model this worker may use alone, or a ``.keras`` path).

    Parameters
    ----------
    slot : "cnn" or "dense"; source : a label for messages.
    known_rule : the model's "known" rule: a negative ("not a digit") sample counts as read
        right when the model does not know it.
    samples : the personal samples (preprocessed again here, with the one path).
    data : MNIST-layout data (default: the bundled MNIST); ``test_size`` limits the MNIST
        test digits measured (None: all 10,000).
    """

    # What the run is doing now, a line for the status area.
    stage = Signal(str)

    def __init__(
        self,
        slot: str,
        model,
        samples: list[Sample],
        recipe: FineTuneRecipe,
        *,
        source: str = "",
        known_rule: KnownRule | None = None,
        data=None,
        test_size: int | None = None,
        throttle_s: float = PROGRESS_INTERVAL_S,
    ):
        super().__init__(
            slot, recipe, data=data, evaluate_after=False, validate=False, throttle_s=throttle_s
        )
        self._model = model
        self._samples = list(samples)
        self._source = source or slot
        self._rule = known_rule or KnownRule()
        self._test_size = test_size

    def _scores(self, model, test_x, test_y, px, py) -> Scores:
        mnist_acc = float(evaluate(model, test_x, test_y)["accuracy"])
        return Scores(mnist_acc, accuracy(model, px, py, self._rule))

    def _train(self) -> FineTuneOutcome:
        recipe: FineTuneRecipe = self.recipe
        outcome = FineTuneOutcome(self.architecture, self._source, recipe)
        model = self._model
        self._model = None  # the worker's alone from now on
        if isinstance(model, (str, Path)):
            from digitlab.model.nets.model_files import load_model

            self.stage.emit("Loading the model…")
            model = load_model(model)
        data = self._data if self._data is not None else load_mnist()
        if self._data is None:
            test_x, test_y = mnist_test_inputs(), data.y_test.astype(np.int64)
        else:
            test_x = to_model_input(data.x_test)
            test_y = data.y_test.astype(np.int64)
        if self._test_size is not None:
            test_x, test_y = test_x[: self._test_size], test_y[: self._test_size]
        self.stage.emit(f"Reading your {plural(len(self._samples), 'sample')}…")
        x = model_inputs(self._samples)
        y = labels_of(self._samples)
        tune, measure, held_out = split_personal(y, recipe)
        outcome.held_out, outcome.tuned, outcome.measured = held_out, len(tune), len(measure)
        self.stage.emit(f"Measuring the model before tuning ({len(test_y):,} MNIST test digits)…")
        outcome.before = self._scores(model, test_x, test_y, x[measure], y[measure])
        if self._cancel.is_set():
            outcome.stopped = True
            return outcome
        n = min(recipe.mnist_size, len(data.x_train))
        self.started.emit(recipe.steps_per_epoch(n) * recipe.epochs)
        self.stage.emit("Fine-tuning…")
        try:
            result = fine_tune(
                model,
                data.x_train,
                data.y_train,
                x[tune],
                y[tune],
                recipe,
                on_progress=self._on_progress,
                should_stop=self._should_stop,
            )
        except TrainingStopped:
            outcome.stopped = True
            return outcome
        self._flush({})
        outcome.history = result["history"]
        outcome.stopped = bool(result["stopped"])
        outcome.nan = bool(result["nan"]) or not all(
            math.isfinite(v) for v in result["history"].get("loss", [])
        )
        outcome.seconds = float(result["seconds"])
        outcome.epochs_run = int(result["epochs_run"])
        if outcome.nan or outcome.stopped:
            return outcome  # never handed out half-tuned or broken
        self.evaluating.emit()
        self.stage.emit("Measuring the tuned model…")
        outcome.after = self._scores(model, test_x, test_y, x[measure], y[measure])
        outcome.model = model
        outcome.seconds = time.perf_counter() - self._start_t
        return outcome
