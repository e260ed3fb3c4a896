"""Train off the UI thread: the QObject training worker, with cancel and pause.

The worker runs in a thread owned by a :class:`digitlab.app.threads.WorkerThread` and calls
the Qt-free :func:`digitlab.model.nets.training.train`, then evaluates the new model with
:mod:`digitlab.model.nets.evaluation_report` (evaluating a model of the list is
:mod:`.evaluation_worker`'s job). It builds and trains its *own* model (TensorFlow objects
are not shared between threads); it hands the model over only in ``finished``, after it
stopped using it. Batch progress is throttled in the worker (one signal every
``throttle_s`` carrying every batch point since the last one), so the UI thread never has
more than a few updates a second to draw however fast the batches are.
"""

from __future__ import annotations

import math
import threading
import time
import traceback
from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from digitlab.model.data.mnist import Dataset, load_mnist
from digitlab.model.nets.evaluation_report import (
    NUM_CLASSES,
    EvaluationReport,
    evaluate_on_dataset,
    evaluate_on_mnist,
    is_custom,
)
from digitlab.model.nets.training import Recipe, TrainingStopped, train

PROGRESS_INTERVAL_S = 0.25
"""At most one progress signal per this many seconds: the curves stay live (four updates a
second), and the GUI thread's share of the two cores (which training needs) stays small."""


@dataclass
class TrainingOutcome:
    """How a run ended. ``model`` is the trained Keras model (None when it failed or NaN'd)."""

    architecture: str
    recipe: Recipe
    model: object | None
    history: dict = field(default_factory=dict)
    stopped: bool = False
    nan: bool = False
    seconds: float = 0.0
    epochs_run: int = 0  # epochs that finished (a cancelled one part way is not counted)
    batches_run: int = 0  # batches that finished, over all epochs
    batches_per_epoch: int = 0
    evaluation: EvaluationReport | None = None
    nan_at: tuple[int, int] | None = None  # (epoch, batch), 1-based
    data: Dataset | None = None  # the dataset of your own classes it learnt (None: MNIST)

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(getattr(self.data, "class_names", ()) or ())

    @property
    def completed(self) -> bool:
        return not self.stopped and not self.nan


def describe_exception(exc: BaseException) -> str:
    """A one-line message for the user: the exception's type and its first line (300 chars)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class TrainingWorker(QObject):
    """Trains a fresh ``architecture`` model with ``recipe`` when :meth:`run` is called.

    Parameters
    ----------
    architecture : ``"cnn"`` or ``"dense"`` (see :func:`digitlab.model.nets.architectures.build`).
    data : the dataset (default: the bundled MNIST, loaded in the worker thread).
    evaluate_after : evaluate on the MNIST test images after a completed run.
    validate : validation pass on the test images after every epoch.
    throttle_s : at most one ``progress`` signal per this many seconds.
    """

    # The run began: the model is built and the data loaded. Payload: total batches.
    started = Signal(int)
    # Augmented copies being prepared: done, total chunks.
    preparing = Signal(int, int)
    # Throttled batch progress, a dict (see _on_batch for the keys).
    progress = Signal(object)
    # An epoch ended: dict with epoch (1-based), epochs and logs (loss, accuracy, val_*).
    epoch_ended = Signal(object)
    # Training is over and the test-set evaluation is running.
    evaluating = Signal()
    # The run ended (completed, cancelled or stopped by NaN): a TrainingOutcome.
    finished = Signal(object)
    # The run raised: a one-line message for the user (the traceback is in ``last_traceback``).
    failed = Signal(str)
    # Always emitted last, after finished or failed: the thread may quit.
    done = Signal()

    def __init__(
        self,
        architecture: str,
        recipe: Recipe,
        *,
        data: Dataset | None = None,
        evaluate_after: bool = True,
        validate: bool = True,
        throttle_s: float = PROGRESS_INTERVAL_S,
    ):
        super().__init__()
        self.architecture = architecture
        self.recipe = recipe
        self._data = data
        self._evaluate_after = evaluate_after
        self._validate = validate
        self._throttle_s = throttle_s
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._paused_s = 0.0
        self._pending: list[tuple[int, float, float]] = []
        self._last_emit = -math.inf  # the first batch is shown at once
        self._first_batch_t: float | None = None
        self._start_t = 0.0
        self._nan_at: tuple[int, int] | None = None
        self.steps_done = 0  # batches finished so far (read from any thread)
        self.last_traceback = ""

    # --- control, callable from any thread -----------------------------------------------
    def cancel(self) -> None:
        """Stop after the current batch (or at once while paused or preparing)."""
        self._cancel.set()
        self._running.set()

    def pause(self) -> None:
        """Hold the run after the current batch until :meth:`resume` or :meth:`cancel`."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    # --- the work ---------------------------------------------------------------------------
    def _should_stop(self) -> bool:
        return self._cancel.is_set()

    def _wait_while_paused(self) -> None:
        if self._running.is_set():
            return
        began = time.perf_counter()
        while not self._running.wait(0.1):
            pass
        self._paused_s += time.perf_counter() - began

    def _on_progress(self, event: dict) -> None:
        kind = event.get("kind")
        if kind == "batch":
            self._on_batch(event)
            self._wait_while_paused()
        elif kind == "epoch":
            self._flush(event)
            self.epoch_ended.emit(
                {"epoch": event["epoch"], "epochs": event["epochs"], "logs": dict(event["logs"])}
            )
        elif kind == "prepare":
            self.preparing.emit(int(event["done"]), int(event["total"]))
            self._wait_while_paused()

    def _on_batch(self, event: dict) -> None:
        now = time.perf_counter()
        if self._first_batch_t is None:
            self._first_batch_t = now
        step = event["epoch"] * event["batches"] + event["batch"]
        self.steps_done = step
        logs = event["logs"]
        loss = float(logs.get("loss", math.nan))
        acc = float(logs.get("accuracy", math.nan))
        if not math.isfinite(loss) and self._nan_at is None:
            self._nan_at = (event["epoch"] + 1, event["batch"])
        self._pending.append((step, loss, acc))
        self._last_event = event
        last_of_epoch = event["batch"] >= event["batches"]
        if now - self._last_emit >= self._throttle_s or last_of_epoch:
            self._flush(event, now=now)

    def _flush(self, event: dict, now: float | None = None) -> None:
        if not self._pending:
            return
        now = time.perf_counter() if now is None else now
        self._last_emit = now
        points = np.asarray(self._pending, np.float64)
        self._pending = []
        batch_event = getattr(self, "_last_event", event)
        batches = batch_event["batches"]
        epochs = batch_event["epochs"]
        step = int(points[-1, 0])
        total = batches * epochs
        elapsed = now - self._start_t - self._paused_s
        eta = None
        if self._first_batch_t is not None and step > 1:
            per_step = (now - self._first_batch_t - self._paused_s_since_first()) / (step - 1)
            eta = max(0.0, per_step * (total - step))
        self.progress.emit(
            {
                "epoch": batch_event["epoch"] + 1,  # 1-based
                "epochs": epochs,
                "batch": batch_event["batch"],
                "batches": batches,
                "step": step,
                "total_steps": total,
                "elapsed_s": elapsed,
                "eta_s": eta,
                "loss": float(points[-1, 1]),
                "accuracy": float(points[-1, 2]),
                "points": points,  # (k, 3): global step, loss, accuracy
                "t": now,  # perf_counter of the newest batch (benchmarks)
                "batch_size": self.recipe.batch_size,
            }
        )

    def _paused_s_since_first(self) -> float:
        # Pauses happen after a batch, hence after the first one: all paused time counts.
        return self._paused_s

    @Slot()
    def run(self) -> None:
        """Train, evaluate, emit ``finished`` or ``failed``, then ``done``. Never raises."""
        try:
            self._start_t = time.perf_counter()
            outcome = self._train()
            self.finished.emit(outcome)
        except Exception as exc:  # every failure reaches the tab as a message
            self.last_traceback = traceback.format_exc()
            self.failed.emit(describe_exception(exc))
        finally:
            self.done.emit()

    def _train(self) -> TrainingOutcome:
        from digitlab.model.nets.architectures import build

        data = self._data if self._data is not None else load_mnist()
        custom = is_custom(data)
        if custom and self.recipe.augment:
            # The distortions and styles are made for handwritten digits, not your classes.
            self.recipe = replace(self.recipe, augment=False)
        size = int(data.x_train.shape[1])
        model = build(
            self.architecture,
            data.num_classes if custom else NUM_CLASSES,
            self.recipe.learning_rate,
            input_shape=(size, size, 1),
        )
        n = (
            len(data.x_train)
            if self.recipe.train_size is None
            else min(self.recipe.train_size, len(data.x_train))
        )
        steps = math.ceil(n / self.recipe.batch_size)
        self.started.emit(steps * self.recipe.epochs)
        outcome = TrainingOutcome(
            self.architecture,
            self.recipe,
            None,
            data=data if custom else None,
            batches_per_epoch=steps,
        )
        try:
            result = train(
                model,
                data,
                self.recipe,
                on_progress=self._on_progress,
                should_stop=self._should_stop,
                validate=self._validate,
            )
        except TrainingStopped:
            outcome.stopped = True
            outcome.seconds = time.perf_counter() - self._start_t
            return outcome
        self._flush({})
        outcome.history = result["history"]
        outcome.stopped = bool(result["stopped"])
        outcome.nan = bool(result["nan"])
        outcome.nan_at = self._nan_at
        outcome.seconds = float(result["seconds"])
        outcome.epochs_run = int(result["epochs_run"])
        outcome.batches_run = self.steps_done
        if outcome.nan:
            return outcome  # broken weights: never handed out
        outcome.model = model
        if outcome.completed and self._evaluate_after and not self._cancel.is_set():
            self.evaluating.emit()
            outcome.evaluation = (
                evaluate_on_dataset(model, data) if custom else evaluate_on_mnist(model)
            )
        return outcome
