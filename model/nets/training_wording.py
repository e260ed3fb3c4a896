"""How the Train tab words a training run: what it is doing, and how it ended.

Plain text with no Qt, so the tab, the command line and the tests read the same words; the
tab only chooses where they go (the progress bar, the status line, the banner).
"""

from __future__ import annotations

import math

from digitlab.model.nets.wording import plural

Message = tuple[str, str]
"""A banner message: ``(text, level)``, the level ``"info"``, ``"ok"`` or ``"error"``."""

NO_DATA_CHOSEN: Message = (
    "Choose a folder of class subfolders or an .npz under “Training data” first (or switch "
    "back to MNIST).",
    "error",
)
"""Train was pressed with "your own images" chosen but none loaded."""


def starting_text(architecture: str, custom: bool) -> str:
    """The status line while a fresh ``architecture`` model is built and its data loaded
    (your own pictures when ``custom``, else MNIST)."""
    data = "your pictures" if custom else "MNIST"
    return f"Building a fresh {architecture.upper()} and loading {data}…"


def evaluating_texts(custom: bool) -> tuple[str, str]:
    """``(progress bar text, status line)`` while a finished run is evaluated on the test
    pictures of your own classes (``custom``) or the MNIST test set."""
    if custom:
        return (
            "evaluating on the test pictures…",
            "Training done; evaluating on the held-out test pictures…",
        )
    return "evaluating on 10,000 test digits…", "Training done; evaluating on the MNIST test set…"


def cancelled_after(epochs: int, batches: int, batches_per_epoch: int) -> str:
    """How far a cancelled run got: ``"2 epochs and 17 batches"``, ``"17 batches"``,
    ``"2 epochs"`` or ``"no batch"``, from its finished ``epochs`` and ``batches`` (all of
    the run's, ``batches_per_epoch`` to an epoch)."""
    extra = max(0, batches - epochs * batches_per_epoch) if batches_per_epoch else 0
    parts = [plural(epochs, "epoch")] if epochs else []
    if extra or not epochs:
        parts.append(plural(extra, "batch", "batches") if extra else "no batch")
    return " and ".join(parts)


def run_ending(
    *,
    nan: bool,
    stopped: bool,
    elapsed: str,
    learning_rate: float,
    nan_at: tuple[int, int] | None = None,
    label: str = "",
    accuracy: float | None = None,
    epochs_run: int = 0,
    batches_run: int = 0,
    batches_per_epoch: int = 0,
) -> tuple[str, Message]:
    """``(progress bar text, banner message)`` for a run that ended.

    Parameters
    ----------
    nan : the loss became NaN (the model was discarded); ``nan_at`` is ``(epoch, batch)``,
        1-based, when known.
    stopped : the user cancelled the run (without NaN).
    elapsed : the run's time as shown, e.g. ``"1:15"``.
    learning_rate : the recipe's peak learning rate (named when the loss became NaN).
    label : the model list's label of the run's model (a cancelled run's, when it finished
        an epoch); empty when none was kept.
    epochs_run, batches_run, batches_per_epoch : how far a cancelled run got (finished
        epochs, finished batches of the whole run, batches to an epoch).
    accuracy : a completed run's test accuracy in 0..1 (None: not evaluated).
    """
    if nan:
        where = f" at epoch {nan_at[0]}, batch {nan_at[1]}" if nan_at else ""
        return "stopped: loss became NaN", (
            f"Training stopped: the loss became NaN{where}. The learning rate "
            f"({learning_rate:g}) is probably far too high; try 0.002. "
            "The broken model was discarded and the live models are unchanged.",
            "error",
        )
    if stopped:
        got = cancelled_after(epochs_run, batches_run, batches_per_epoch)
        kept = (
            f"“{label}” (its {plural(epochs_run, 'finished epoch')}) is in the model list"
            if label
            else "No epoch finished, so no model was kept"
        )
        return f"cancelled after {got}", (
            f"Training cancelled after {got} ({elapsed}). {kept}; the live models are unchanged.",
            "info",
        )
    tested = f"; test accuracy {accuracy * 100:.2f}%" if accuracy is not None else ""
    return f"done in {elapsed}", (
        f"{label}: trained in {elapsed}{tested}. Press “Use this model” to put it in the "
        "live view.",
        "ok",
    )


def failure_message(message: str) -> Message:
    """The banner message for a run that raised ``message`` (a one-line description)."""
    return f"Training failed: {message}. The live models are unchanged.", "error"


FAIR_TEST_MIN = 20
"""Held-out samples a fine-tuning result needs before the app calls it a fair test: with
fewer, one sample moves the "after" figure by more than 5 points."""


def fine_tune_note(
    held_out: bool, tuned: int, measured: int, min_for_holdout: int, holdout: float
) -> str:
    """The line under a fine-tuning result saying how far to trust its "after" figure.

    Parameters
    ----------
    held_out : True when ``measured`` samples were kept out of tuning.
    tuned, measured : samples tuned on and samples the personal accuracy is measured on.
    min_for_holdout : samples needed before any are kept out.
    holdout : the share kept out, 0..1 (says how many samples a fair test needs in all).
    """
    if not held_out:
        return (
            f"Only {plural(tuned, 'sample')}, all used for tuning: “after” is measured on what "
            f"it learned, not a fair test ({min_for_holdout}+ give a held-out split)."
        )
    if measured >= FAIR_TEST_MIN:
        return (
            f"Measured on {measured:,} of your samples kept out of tuning "
            f"(tuned on {tuned:,}): a fair test."
        )
    need = math.ceil(FAIR_TEST_MIN / max(holdout, 1e-6))
    return (
        f"Measured on only {plural(measured, 'sample')} kept out of tuning (tuned on "
        f"{tuned:,}): one sample moves “after” by {100 / max(measured, 1):.0f} points, so "
        f"read it as a rough sign, not yet a fair test (about {need}+ samples give "
        f"{FAIR_TEST_MIN} held out)."
    )
