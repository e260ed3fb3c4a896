"""Self-test checks of the training tab for ``digitlab selftest``: train, cancel, save_load.

Each check drives a real :class:`~digitlab.app.training.worker.TrainingWorker` in its thread
on a small slice of MNIST, spins the Qt event loop until it ends, and returns True or False
(never raises); :data:`CHECKS` runs them on the window's live models. ``live_models`` is
anything with ``set_model(name, model)``; the checks never call it, and ``check_cancel``
verifies exactly that.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from digitlab.app.selftest.support import Check, Context
from digitlab.app.selftest.worker_support import RunWatcher, run_to_end
from digitlab.app.training.worker import TrainingWorker
from digitlab.model.nets.training import Recipe

SMALL = Recipe(epochs=1, batch_size=64, learning_rate=2e-3, augment=False, train_size=512, seed=0)


def _run(
    recipe: Recipe, architecture: str = "dense", cancel_at_step: int | None = None
) -> RunWatcher:
    worker = TrainingWorker(
        architecture, recipe, validate=False, evaluate_after=False, throttle_s=0.0
    )
    return run_to_end(worker, cancel_at_step=cancel_at_step)


def check_train(live_models=None) -> bool:
    """A short run (512 digits, one epoch) through the worker: progress for every batch in
    order, a finished outcome with a model that answers (10 probabilities summing to 1)."""
    try:
        watcher = _run(SMALL)
        outcome = watcher.outcome
        if watcher.error or outcome is None or not outcome.completed or outcome.model is None:
            return False
        if watcher.steps != list(range(1, 9)):
            return False
        probs = np.asarray(outcome.model(np.zeros((1, 28, 28, 1), np.float32), training=False))
        return probs.shape == (1, 10) and abs(float(probs.sum()) - 1.0) < 1e-3
    except Exception:
        return False


def check_cancel(live_models=None) -> bool:
    """A run cancelled at its first progress stops within one batch of the cancel (the worker
    may have run on while the signal crossed threads), reports ``stopped`` and
    never touches ``live_models`` (its ``set_model`` is watched during the run)."""
    calls = []
    original = getattr(live_models, "set_model", None)
    try:
        if live_models is not None:
            live_models.set_model = lambda *a, **k: calls.append(a)
        recipe = Recipe(epochs=2, batch_size=32, augment=False, train_size=1024, seed=0)
        watcher = _run(recipe, cancel_at_step=1)
        outcome = watcher.outcome
        return (
            not watcher.error
            and outcome is not None
            and outcome.stopped
            and watcher.cancelled_after is not None
            and max(watcher.steps, default=0) <= watcher.cancelled_after + 1
            and not calls
        )
    except Exception:
        return False
    finally:
        if live_models is not None and original is not None:
            try:
                del live_models.set_model  # back to the class's method
            except AttributeError:
                live_models.set_model = original


def check_save_load(live_models=None, folder: str | Path | None = None) -> bool:
    """Train briefly, save atomically to a ``.keras`` file, load it back with the safe loader:
    the same predictions on 32 MNIST test digits (to 1e-5)."""
    from digitlab.model.data.mnist import mnist_test_inputs
    from digitlab.model.nets.model_files import load_model, save_model

    try:
        watcher = _run(SMALL)
        if watcher.outcome is None or watcher.outcome.model is None:
            return False
        model = watcher.outcome.model
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            path = Path(tmp) / "selftest.keras"
            save_model(model, path)
            loaded = load_model(path)
        probe = mnist_test_inputs()[:32]
        a = np.asarray(model(probe, training=False))
        b = np.asarray(loaded(probe, training=False))
        return bool(np.allclose(a, b, atol=1e-5))
    except Exception:
        return False


def _on_live_models(fn: Callable[[object], bool]) -> Check:
    """``fn(live_models) -> bool`` as a check of the window's live models; its detail is the
    first line of ``fn``'s docstring."""

    def run_check(ctx: Context) -> tuple[bool, str]:
        return bool(fn(ctx.window.live)), (fn.__doc__ or "").strip().splitlines()[0]

    return run_check


CHECKS: dict[str, Check] = {
    "train": _on_live_models(check_train),
    "cancel": _on_live_models(check_cancel),
    "save_load": _on_live_models(check_save_load),
}
