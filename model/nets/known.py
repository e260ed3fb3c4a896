"""Whether a model's answer looks like one of its classes ("known") or not ("not a digit").

One rule for every model, bundled or trained by the user (:class:`KnownRule`): a drawing is
*known* to a model when its top probability, softened at the model's temperature, reaches that
model's threshold. At temperature 1 (every model without a stored one) the score is the plain
top probability. The bundled models' thresholds and temperatures, and what they were chosen on,
are stored in ``metrics.json`` under ``known_threshold`` and ``known_temperature``; a model
without them uses :data:`DEFAULT_THRESHOLD` at :data:`DEFAULT_TEMPERATURE`. The command line,
the live view, the number reader and the tests all decide through :class:`KnownRule` (or
:func:`is_known`, which takes one).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.model.limits import MAX_METRICS_BYTES

DEFAULT_THRESHOLD = 0.5
"""Top probability (0..1) from which a model without a stored threshold calls a drawing known."""

DEFAULT_TEMPERATURE = 1.0
"""The temperature of a model without a stored one: its score is its plain top probability."""

BUNDLED_TEMPERATURE = 2.0
"""The bundled models' temperature. A tuning choice made on the pen-drawn dev sets
(``benchmarks/open_set.py``): with the threshold still chosen on MNIST to keep
:data:`KEEP_SHARE` of its digits, temperature 2 refuses more letters and symbols than 1 and
accepts (and reads right) slightly more pen-drawn digits, for both bundled models."""

MAX_TEMPERATURE = 100.0
"""The highest stored temperature taken; a larger, zero or negative one is ignored."""

_TINY = np.finfo(np.float64).tiny  # probabilities are clipped here before their logarithm

KNOWN_KEY = "known_threshold"
"""The ``metrics.json`` entry of a model's threshold for a drawing on its own."""
NUMBER_KEY = "number_known_threshold"
"""The entry of its threshold for one piece of a written number (see :data:`NUMBER_KEEP_SHARE`);
a model without one uses its :data:`KNOWN_KEY` threshold there too."""
TEMPERATURE_KEY = "known_temperature"
"""The entry of its temperature, the same for a drawing and for a piece of a number."""


def _checked(probabilities) -> np.ndarray:
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"expected (..., classes) probabilities, got shape {p.shape}")
    return p


@dataclass(frozen=True)
class KnownRule:
    """A model's "known" rule: its score (:meth:`score`) must reach ``threshold``.

    threshold : 0..1, the score from which an answer is known.
    temperature : > 0; 1 scores the plain top probability. Above 1 the answer is softened
        first, as ``softmax(log p / temperature)``, so a confident-but-not-certain answer
        scores lower while a flat one still scores ``1 / classes``.
    """

    threshold: float = DEFAULT_THRESHOLD
    temperature: float = DEFAULT_TEMPERATURE

    def score(self, probabilities) -> np.ndarray:
        """float64 ``(...)`` in ``1/classes..1``: the top of ``softmax(log p / temperature)``
        for float ``(..., classes)`` probabilities (rows summing to 1), i.e.
        ``1 / sum_j (p_j / p_max) ** (1 / temperature)`` with ``p`` clipped at the smallest
        positive float64; exactly the top probability at temperature 1."""
        p = _checked(probabilities)
        if self.temperature == 1.0:
            return np.max(p, axis=-1)
        logs = np.log(np.clip(p, _TINY, None))
        ratios = np.exp((logs - logs.max(axis=-1, keepdims=True)) / float(self.temperature))
        return 1.0 / ratios.sum(axis=-1)

    def known(self, probabilities) -> np.ndarray:
        """bool ``(...)``: True where the score reaches the threshold (see :func:`is_known`)."""
        return self.score(probabilities) >= float(self.threshold)


def as_rule(rule: KnownRule | float) -> KnownRule:
    """``rule`` itself, or a bare threshold (0..1) as a rule at :data:`DEFAULT_TEMPERATURE`."""
    return rule if isinstance(rule, KnownRule) else KnownRule(float(rule))


def is_known(probabilities: np.ndarray, rule: KnownRule | float = DEFAULT_THRESHOLD) -> np.ndarray:
    """True where the answer looks like one of the model's classes.

    probabilities : float ``(..., classes)``, rows summing to 1 (a softmax output).
    rule : the model's :class:`KnownRule`, or a bare threshold (0..1) on the top probability.
    Returns bool ``(...)``: one flag per row (a 0-d array for one ``(classes,)`` answer).
    """
    return as_rule(rule).known(probabilities)


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


def known_temperature(metrics: Mapping | None, model: str) -> float:
    """The temperature stored for ``model`` in a ``metrics.json``-like mapping under
    :data:`TEMPERATURE_KEY`; :data:`DEFAULT_TEMPERATURE` when there is none or it is not a
    number in (0, :data:`MAX_TEMPERATURE`]."""
    entry = metrics.get(model) if isinstance(metrics, Mapping) else None
    value = entry.get(TEMPERATURE_KEY) if isinstance(entry, Mapping) else None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and math.isfinite(value) and 0.0 < value <= MAX_TEMPERATURE:
        return float(value)
    return DEFAULT_TEMPERATURE


def known_rule(metrics: Mapping | None, model: str, key: str = KNOWN_KEY) -> KnownRule:
    """The rule stored for ``model``: its threshold under ``key`` (see :func:`known_threshold`)
    at its temperature (see :func:`known_temperature`)."""
    return KnownRule(known_threshold(metrics, model, key), known_temperature(metrics, model))


def stored_rule(model, key: str = KNOWN_KEY) -> KnownRule:
    """The rule stored for a model file (``str``/``PathLike`` to a ``.keras``): from the entry
    whose ``"file"`` names it in its own ``<name>.metrics.json`` beside it (what ``digitlab
    train`` writes), else in the ``metrics.json`` beside it (the bundled models').
    ``KnownRule()`` (:data:`DEFAULT_THRESHOLD` at :data:`DEFAULT_TEMPERATURE`) for a model in
    memory, a file with no such entry, or a metrics file that cannot be read. ``key``: whose
    threshold, :data:`KNOWN_KEY` or :data:`NUMBER_KEY`."""
    found = _stored_entry(model)
    return KnownRule() if found is None else known_rule(*found, key)


def stored_rules(model) -> tuple[KnownRule, KnownRule]:
    """``(stored_rule(model), stored_rule(model, NUMBER_KEY))``, the metrics read once."""
    found = _stored_entry(model)
    if found is None:
        return KnownRule(), KnownRule()
    return known_rule(*found), known_rule(*found, NUMBER_KEY)


def _stored_entry(model) -> tuple[Mapping, str] | None:
    """``(metrics, name)`` of the entry that describes a model file (see :func:`stored_rule`),
    or None."""
    if not isinstance(model, (str, os.PathLike)):
        return None
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
                return metrics, name
    return None


KEEP_SHARE = 0.995
"""Share of MNIST training-split digits a chosen threshold keeps as known (see
:func:`choose_threshold`). Pen-drawn digits are harder than MNIST: keeping 99.5% of MNIST
keeps about 98% of the pen-drawn dev digits (``benchmarks/open_set.py``)."""

BUNDLED_KEEP_SHARES = {"cnn": 0.997, "dense": 0.993}
"""The share each bundled model's single-drawing threshold keeps, instead of :data:`KEEP_SHARE`.
A tuning choice on the pen-drawn dev sets (``benchmarks/open_set.py``): a higher share refuses
fewer real digits and fewer letters. Each is chosen so that the dev digits accepted and read
right stand more than 1.6 points above the goal for strangers' digits (CNN 96.5%, dense 94.0%;
strangers read about 1.5 points worse), the letters refused still 7 points or more above
theirs (70%, 50%): CNN 98.4% and 79.8%, dense 95.8% and 57.6%. At 99.5% the CNN's letters
stood 14.1 points above its goal and the dense network's only 3.0."""

NUMBER_KEEP_SHARE = 0.9995
"""The share a piece of a written number is held to (:data:`NUMBER_KEY`). The writer chose to
write a number and the segmentation already cut each piece where both models read digits best,
so a '?' there must be rarer than on a drawing of its own: 1 MNIST digit in 2,000 rather than
1 in 200. Letters among digits are then read as digits more often; the single-drawing rule is
unchanged."""


def choose_threshold(
    probabilities: np.ndarray, keep_share: float = KEEP_SHARE, temperature: float = 1.0
) -> float:
    """The highest threshold that still calls at least ``keep_share`` of these digits known.

    probabilities : float ``(n, classes)`` softmax answers for real digits (never the dev
        sets: MNIST training-split digits for the bundled models).
    keep_share : 0..1, the share of them ``KnownRule(threshold, temperature)`` must keep.
    temperature : > 0, the temperature the threshold is for (see :class:`KnownRule`).
    Returns a threshold in 0..1 (rounded down to 4 decimals, so it keeps at least that share).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"expected (n, classes) probabilities, got shape {p.shape}")
    if not 0.0 < keep_share <= 1.0:
        raise ValueError(f"keep_share must be in (0, 1], got {keep_share}")
    if not 0.0 < temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be in (0, {MAX_TEMPERATURE}], got {temperature}")
    top = np.sort(KnownRule(0.0, temperature).score(p))
    # Keep ceil(keep_share * n) digits: the threshold is the smallest score kept.
    kept = int(np.ceil(keep_share * len(top) - 1e-9))
    return float(np.floor(top[len(top) - kept] * 1e4) / 1e4)
