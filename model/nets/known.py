"""Whether a model's answer looks like one of its classes ("known") or not ("not a digit").

One rule for every model, bundled or trained by the user: a drawing is *known* to a model when
the model's top probability reaches that model's threshold. The bundled models' thresholds,
and what they were chosen on, are stored in ``metrics.json`` under ``known_threshold``; a model
without one uses :data:`DEFAULT_THRESHOLD`. The command line, the live view, the number reader
and the tests all decide through :func:`is_known`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from digitlab.model.limits import MAX_METRICS_BYTES

DEFAULT_THRESHOLD = 0.5
"""Top probability (0..1) from which a model without a stored threshold calls a drawing known."""

KNOWN_KEY = "known_threshold"
"""The ``metrics.json`` entry of a model's threshold for a drawing on its own."""
NUMBER_KEY = "number_known_threshold"
"""The entry of its threshold for one piece of a written number (see :data:`NUMBER_KEEP_SHARE`);
a model without one uses its :data:`KNOWN_KEY` threshold there too."""


def is_known(probabilities: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """True where the answer looks like one of the model's classes.

    probabilities : float ``(..., classes)``, rows summing to 1 (a softmax output).
    threshold : top probability in 0..1 from which an answer is known.
    Returns bool ``(...)``: one flag per row (a 0-d array for one ``(classes,)`` answer).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"expected (..., classes) probabilities, got shape {p.shape}")
    return np.max(p, axis=-1) >= float(threshold)


def known_threshold(metrics: Mapping | None, model: str, key: str = KNOWN_KEY) -> float:
    """The threshold stored for ``model`` in a ``metrics.json``-like mapping
    (``{model: {"known_threshold": t, ...}}``) under ``key``; for :data:`NUMBER_KEY`, the
    :data:`KNOWN_KEY` one when it has none; :data:`DEFAULT_THRESHOLD` when there is none or it
    is not a number in 0..1."""
    entry = metrics.get(model) if isinstance(metrics, Mapping) else None
    value = entry.get(key) if isinstance(entry, Mapping) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0:
        return float(value)
    if key != KNOWN_KEY:
        return known_threshold(metrics, model)
    return DEFAULT_THRESHOLD


def stored_threshold(model, key: str = KNOWN_KEY) -> float:
    """The threshold stored for a model file (``str``/``PathLike`` to a ``.keras``): the entry
    whose ``"file"`` names it in its own ``<name>.metrics.json`` beside it (what ``digitlab
    train`` writes), else in the ``metrics.json`` beside it (the bundled models').
    :data:`DEFAULT_THRESHOLD` for a model in memory, a file with no such entry, or a metrics
    file that cannot be read. ``key``: :data:`KNOWN_KEY` or :data:`NUMBER_KEY`."""
    if not isinstance(model, (str, os.PathLike)):
        return DEFAULT_THRESHOLD
    from digitlab.model.nets.model_files import metrics_path_for

    path = Path(model)
    for metrics_path in (metrics_path_for(path), path.with_name("metrics.json")):
        try:
            if not metrics_path.is_file() or metrics_path.stat().st_size > MAX_METRICS_BYTES:
                continue
            metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        if not isinstance(metrics, Mapping):
            continue
        for name, entry in metrics.items():
            if isinstance(entry, Mapping) and entry.get("file") == path.name:
                return known_threshold(metrics, name, key)
    return DEFAULT_THRESHOLD


KEEP_SHARE = 0.995
"""Share of MNIST training-split digits a chosen threshold keeps as known (see
:func:`choose_threshold`). Pen-drawn digits are harder than MNIST: keeping 99.5% of MNIST
keeps about 98% of the pen-drawn dev digits (``benchmarks/open_set.py``)."""

NUMBER_KEEP_SHARE = 0.9995
"""The share a piece of a written number is held to (:data:`NUMBER_KEY`). The writer chose to
write a number and the segmentation already cut each piece where both models read digits best,
so a '?' there must be rarer than on a drawing of its own: 1 MNIST digit in 2,000 rather than
1 in 200. Letters among digits are then read as digits more often; the single-drawing rule is
unchanged."""


def choose_threshold(probabilities: np.ndarray, keep_share: float = KEEP_SHARE) -> float:
    """The highest threshold that still calls at least ``keep_share`` of these digits known.

    probabilities : float ``(n, classes)`` softmax answers for real digits (never the dev
        sets: MNIST training-split digits for the bundled models).
    keep_share : 0..1, the share of them :func:`is_known` must keep.
    Returns a threshold in 0..1 (rounded down to 4 decimals, so it keeps at least that share).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"expected (n, classes) probabilities, got shape {p.shape}")
    if not 0.0 < keep_share <= 1.0:
        raise ValueError(f"keep_share must be in (0, 1], got {keep_share}")
    top = np.sort(p.max(axis=1))
    # Keep ceil(keep_share * n) digits: the threshold is the smallest top probability kept.
    kept = int(np.ceil(keep_share * len(top) - 1e-9))
    return float(np.floor(top[len(top) - kept] * 1e4) / 1e4)
