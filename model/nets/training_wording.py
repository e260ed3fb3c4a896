"""How the Train tab words a training run: what it is doing, and how it ended.

Plain text with no Qt, so the tab, the command line and the tests read the same words; the
tab only chooses where they go (the progress bar, the status line, the banner).
"""

from __future__ import annotations

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


def run_ending(
    *,
    nan: bool,
    stopped: bool,
    elapsed: str,
    learning_rate: float,
    nan_at: tuple[int, int] | None = None,
    label: str = "",
    accuracy: float | None = None,
) -> tuple[str, Message]:
    """``(progress bar text, banner message)`` for a run that ended.

    Parameters
    ----------
    nan : the loss became NaN (the model was discarded); ``nan_at`` is ``(epoch, batch)``,
        1-based, when known.
    stopped : the user cancelled the run (without NaN).
    elapsed : the run's time as shown, e.g. ``"1:15"``.
    learning_rate : the recipe's peak learning rate (named when the loss became NaN).
    label : the model list's label of a completed run's model.
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
        return "cancelled", (
            f"Training cancelled after {elapsed}. The live models are unchanged.",
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
