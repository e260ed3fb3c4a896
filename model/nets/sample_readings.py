"""How the live digit models read your labelled samples, Qt-free: each model's digit and
confidence per sample, the samples it misreads, its accuracy, and the words the "My
handwriting" tab shows for them (the tab only lays them out and colours them).

``readings`` and ``confidence`` map a model name to one value per sample, in the samples'
order: int ``(n,)`` the digit read, float ``(n,)`` its probability in 0..1. Readings of
another number of samples are stale (the samples changed since) and count as none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from digitlab.model.data.personal_data import NOT_A_DIGIT
from digitlab.model.nets.describe import DIGIT_MODELS
from digitlab.model.nets.known import KnownRule, is_known
from digitlab.model.nets.wording import model_title

SHORT_NAMES = {"cnn": "CNN", "dense": "Dense"}
"""The models' names where space is short (under a thumbnail); others keep their own."""


def digit_readings(
    probabilities: Mapping[str, np.ndarray],
    rules: Mapping[str, KnownRule | float] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(readings, confidence)`` from each model's float ``(n, 10)`` probabilities.

    Only digit models read digits: a model of your own classes (e.g. circle, cross) is left
    out, so it is never marked right or wrong against a digit. A reading the model does not
    know by its rule in ``rules`` (a :class:`~digitlab.model.nets.known.KnownRule` or a bare
    threshold; ``KnownRule()`` when missing, :func:`digitlab.model.nets.known.is_known`) is
    :data:`NOT_A_DIGIT` (-1): right for a negative sample, wrong for a digit.
    """
    rules = rules or {}
    digits = {n: np.asarray(p) for n, p in probabilities.items() if n in DIGIT_MODELS}
    readings = {}
    for n, p in digits.items():
        read = p.argmax(1)
        known = is_known(p, rules.get(n, KnownRule()))
        readings[n] = np.where(known, read, NOT_A_DIGIT)
    return readings, {n: p.max(1) for n, p in digits.items()}


def label_text(label: int) -> str:
    """A sample's label or a reading in words: the digit, or "not a digit" / "?"."""
    return "not a digit" if label == NOT_A_DIGIT else str(label)


def _read_text(read: int) -> str:
    return "?" if read == NOT_A_DIGIT else str(read)


def misreadings(
    readings: Mapping[str, np.ndarray], labels: Sequence[int], index: int
) -> list[tuple[str, int]]:
    """``(model name, digit read)`` for each model that reads sample ``index`` as another
    digit than its label ``labels[index]``."""
    return [
        (name, int(r[index]))
        for name, r in readings.items()
        if len(r) == len(labels) and int(r[index]) != labels[index]
    ]


def grid_text(label: int, wrong: Sequence[tuple[str, int]]) -> str:
    """A thumbnail's caption: its label, then what the models in ``wrong`` read instead."""
    text = "no digit" if label == NOT_A_DIGIT else str(label)
    if wrong:
        text += "\n" + ", ".join(
            f"{SHORT_NAMES.get(name, name)} {_read_text(read)}" for name, read in wrong
        )
    return text


def reading_tooltip(
    label: int,
    added: str,
    readings: Mapping[str, np.ndarray],
    confidence: Mapping[str, np.ndarray],
    index: int,
) -> str:
    """A sample's tooltip: its label, when it was ``added`` (ISO 8601) and every model's
    reading of it with its confidence."""
    lines = [f"Labelled {label_text(label)}", f"added {added.replace('T', ' ')}"]
    for name, r in readings.items():
        if len(r) > index:
            read = int(r[index])
            said = "not a digit?" if read == NOT_A_DIGIT else f"reads {read}"
            lines.append(f"{model_title(name)} {said} ({float(confidence[name][index]):.0%})")
    return "\n".join(lines)


def accuracies(
    readings: Mapping[str, np.ndarray], labels: np.ndarray
) -> dict[str, tuple[int, float]]:
    """Each model's ``(samples read right, their share 0..1)`` against int ``(n,)``
    ``labels`` (the share is NaN when there are no samples)."""
    scores = {}
    for name, r in readings.items():
        right = int((r == labels).sum())
        scores[name] = (right, right / len(labels) if len(labels) else float("nan"))
    return scores
