"""A training run's progress and its end, shared by training and fine-tuning. Qt-free.

:class:`ProgressCallback` is the Keras callback of both
:func:`digitlab.model.nets.training.train` and
:func:`digitlab.model.nets.fine_tune.fine_tune`: it forwards Keras's logs as progress events
(dicts), stops after the current batch when ``should_stop`` says so, and stops a run whose loss
blew up. :func:`finish_run` ends a run the same way for both: the traced graphs released, the
garbage settled, and one result dict.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

import keras

Progress = Callable[[dict], None]
"""Receives progress events: dicts with a ``"kind"`` (``"prepare"``, ``"batch"``, ``"epoch"``)."""
DIVERGED_LOSS = 1e6
"""A loss above this (or NaN) stops the run: the weights have blown up (learning rate too high)."""


class ProgressCallback(keras.callbacks.Callback):
    """Forwards Keras logs to ``on_progress`` and stops after the batch when asked.

    An epoch stopped before its last batch (cancelled, or the loss blew up) is not an epoch
    that ended: Keras still calls ``on_epoch_end`` for it (with the partial means and a
    validation pass), but no ``"epoch"`` event is sent and :attr:`partial_epoch` is set, so
    nothing shows or counts it as finished.
    """

    def __init__(
        self,
        on_progress: Progress | None,
        should_stop: Callable[[], bool] | None,
        epochs: int,
        steps: int,
    ):
        super().__init__()
        self._on_progress = on_progress
        self._should_stop = should_stop
        self._epochs = epochs
        self._steps = steps
        self._epoch = 0
        self._start = time.perf_counter()
        self.stopped = False
        self.nan = False
        self.partial_epoch = False  # the last epoch began but did not finish
        self._batches_in_epoch = 0

    def _emit(self, event: dict) -> None:
        if self._on_progress is not None:
            event.setdefault("elapsed_s", time.perf_counter() - self._start)
            self._on_progress(event)

    def _check_stop(self) -> None:
        if self._should_stop is not None and self._should_stop():
            self.stopped = True
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._batches_in_epoch = 0
        self._check_stop()

    def on_train_batch_end(self, batch, logs=None):
        self._batches_in_epoch = batch + 1
        logs = {k: float(v) for k, v in (logs or {}).items()}
        loss = logs.get("loss", 0.0)
        if not math.isfinite(loss) or loss > DIVERGED_LOSS:
            self.nan = True
            self.model.stop_training = True
        self._emit(
            {
                "kind": "batch",
                "epoch": self._epoch,
                "epochs": self._epochs,
                "batch": batch + 1,
                "batches": self._steps,
                "logs": logs,
            }
        )
        self._check_stop()

    def on_epoch_end(self, epoch, logs=None):
        if self._batches_in_epoch < self._steps:
            self.partial_epoch = True
            return
        logs = {k: float(v) for k, v in (logs or {}).items()}
        self._emit(
            {
                "kind": "epoch",
                "epoch": epoch + 1,
                "epochs": self._epochs,
                "batch": self._steps,
                "batches": self._steps,
                "logs": logs,
            }
        )


def _release_traced_functions(model: keras.Model) -> None:
    """Drop the model's handles on the graphs ``fit`` traced (``fit`` traces them again if
    called again): a kept model needs only its layers and weights to be evaluated, used or
    saved."""
    model.train_function = None
    model.test_function = None
    model.predict_function = None


def _settle_garbage() -> None:
    """Put what a run left alive out of the garbage collector's sight.

    TensorFlow keeps every run's traced graphs (about 12,700 Python objects a run, out of our
    reach; ``gc.collect()`` frees none of them) for the rest of the process. Each full
    collection walked them all again while holding the GIL, which pauses every thread,
    the window's included: 12 ms after one run, 69 ms after seven. So the survivors are
    frozen, as at start-up (:mod:`digitlab.model.nets.quiet_tensorflow`), and full collections
    stay short.
    Only the young generations are collected first: a full collection here took 30-40 ms,
    itself a pause of the window. The price: the few hundred cyclic leftovers of the run that
    are already old, and a frozen model dropped later (a live model replaced), are never freed.

    Where automatic collection is off, the process collects from its own event loop (the
    window: :func:`digitlab.app.application.collect_garbage_between_events`), and a collection
    here, in the run's thread, could destroy a Qt object outside its thread: nothing is done
    here, and the Train tab calls :func:`settle_garbage` when the run's thread has ended.
    """
    if gc.isenabled():
        settle_garbage()


def settle_garbage() -> None:
    """Collect the young generations, then freeze what survives (see :func:`_settle_garbage`);
    call it where a collection is safe."""
    gc.collect(1)
    gc.freeze()


def extend_history(history: dict[str, list[float]], logs: dict) -> None:
    """Append one ``fit`` call's per-epoch logs to the run's ``history``."""
    for k, vals in logs.items():
        history.setdefault(k, []).extend(float(v) for v in vals)


def finish_run(
    model: keras.Model, history: dict[str, list[float]], callback: ProgressCallback, start: float
) -> dict:
    """End a run of ``model`` (training or fine-tuning): release its traced graphs, settle
    the garbage, and return ``history``, ``stopped``, ``nan``, ``seconds`` since the
    ``perf_counter`` ``start`` and ``epochs_run`` (finished epochs: an epoch stopped part
    way is dropped from ``history``)."""
    _release_traced_functions(model)
    _settle_garbage()
    if callback.partial_epoch:
        history = {k: v[:-1] for k, v in history.items()}
    return {
        "history": history,
        "stopped": callback.stopped,
        "nan": callback.nan,
        "seconds": time.perf_counter() - start,
        "epochs_run": len(history.get("loss", [])),
    }
