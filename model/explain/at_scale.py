"""The seed's "is 1.4% worth it?" at scale: expected misreadings per day, with 95% intervals.

A model's error rate is measured on a finite test set, so it is uncertain; the Wilson score
interval gives a 95% range for the true rate, and scaling by the number of events a day
gives a range for the misreadings. The difference between two models uses Newcombe's
hybrid score interval (method 10), which treats the two measurements as independent samples
(they share the MNIST test digits, so it is slightly conservative).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""
DEFAULT_EVENTS = 1_000_000
SET_TITLES = {"mnist-test": "MNIST's test set", "pen-dev": "the pen-drawn dev set"}
"""How a sentence names each measured set."""
SET_NAMES = {"mnist-test": "MNIST test", "pen-dev": "pen-drawn dev"}
"""How the table names each measured set."""


@dataclass(frozen=True)
class Measured:
    """Errors counted on a test set: ``errors`` wrong out of ``total``."""

    errors: int
    total: int

    def __post_init__(self) -> None:
        if self.total <= 0 or not 0 <= self.errors <= self.total:
            raise ValueError(
                f"need 0 <= errors <= total and total > 0, got {self.errors}/{self.total}"
            )

    @property
    def rate(self) -> float:
        return self.errors / self.total


def wilson_interval(errors: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion ``errors / total`` (both ends in
    0..1)."""
    if total <= 0:
        raise ValueError("total must be positive")
    p = errors / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(a: Measured, b: Measured, z: float = Z95) -> tuple[float, float]:
    """Newcombe's 95% interval for ``rate(b) - rate(a)`` from two independent samples."""
    la, ua = wilson_interval(a.errors, a.total, z)
    lb, ub = wilson_interval(b.errors, b.total, z)
    d = b.rate - a.rate
    lower = d - math.sqrt((b.rate - lb) ** 2 + (ua - a.rate) ** 2)
    upper = d + math.sqrt((ub - b.rate) ** 2 + (a.rate - la) ** 2)
    return lower, upper


@dataclass(frozen=True)
class Expected:
    """Expected misreadings for ``events`` inputs: the estimate and its 95% interval."""

    events: int
    rate: float
    count: float
    low: float
    high: float


def expected_errors(measured: Measured, events: int) -> Expected:
    """Misreadings expected among ``events`` inputs like the test set, with a 95% interval.

    The interval is the Wilson interval of the error rate times ``events`` (for a million
    events the uncertainty of the rate dwarfs the day-to-day binomial noise).
    """
    if events < 0:
        raise ValueError("the number of events cannot be negative")
    low, high = wilson_interval(measured.errors, measured.total)
    return Expected(events, measured.rate, measured.rate * events, low * events, high * events)


@dataclass(frozen=True)
class Comparison:
    """Two models at scale: ``better`` and ``worse`` by measured error rate."""

    better: str
    worse: str
    expected: dict[str, Expected]
    saved: float
    saved_low: float
    saved_high: float


def compare(measured: Mapping[str, Measured], events: int) -> Comparison:
    """Expected misreadings of each model and how many the better one saves, with intervals."""
    if len(measured) != 2:
        raise ValueError("compare needs exactly two models")
    (na, a), (nb, b) = sorted(measured.items(), key=lambda kv: kv[1].rate)
    lo, hi = difference_interval(a, b)
    return Comparison(
        na,
        nb,
        {na: expected_errors(a, events), nb: expected_errors(b, events)},
        (b.rate - a.rate) * events,
        lo * events,
        hi * events,
    )


def round_count(x: float) -> str:
    """An expected count as the sentences and the table show it: two significant figures
    from 1,000 up (``"5,600"``), whole from 10 (``"17"``), one decimal below (``"9.9"``):
    never false precision."""
    if x >= 1000:
        digits = int(math.floor(math.log10(x))) - 1
        return f"{round(x, -digits):,.0f}"
    if x >= 10:
        return f"{round(x):,.0f}"
    return f"{x:.1f}"


def count_range(low: float, high: float) -> str:
    """An interval of counts, ``"9.9–17"``, rounded by :func:`round_count`: the one wording
    of an interval, so the sentence and the table never disagree."""
    return f"{round_count(low)}–{round_count(high)}"


def sentence(comp: Comparison, titles: Mapping[str, str], where: str) -> str:
    """The comparison said plainly, e.g. "Out of 1,000,000 digits a day like MNIST's test set,
    the CNN would misread about 5,600 (95% interval 4,300-7,300) ..."."""
    b, w = comp.expected[comp.better], comp.expected[comp.worse]
    tb, tw = titles.get(comp.better, comp.better), titles.get(comp.worse, comp.worse)
    text = (
        f"Out of {b.events:,} digits a day like {where}, the {tb} would misread about "
        f"{round_count(b.count)} (95% interval {count_range(b.low, b.high)}) "
        f"and the {tw} about {round_count(w.count)} ({count_range(w.low, w.high)})."
    )
    if comp.saved_low > 0:
        text += (
            f" Choosing the {tb} saves about {round_count(comp.saved)} misreadings a day "
            f"({count_range(comp.saved_low, comp.saved_high)}): the "
            f"{(w.rate - b.rate) * 100:.2g}-point accuracy gap is real at this scale."
        )
    else:
        text += (
            f" The difference ({round_count(comp.saved)} a day) is within the "
            f"measurement's uncertainty: this test set cannot tell the two apart."
        )
    return text


def table_rows(
    sets: Mapping[str, Mapping[str, Measured]], events: int, title: Callable[[str], str]
) -> list[tuple[str, str, str, str, str]]:
    """The at-scale table as text: per set, its models from the lowest error rate up.

    Parameters
    ----------
    sets : set key (``"mnist-test"``) -> model name -> errors measured on it.
    events : digits read a day.
    title : model name -> the name shown.

    Returns
    -------
    Rows of (set, model, errors measured, misreadings a day, 95% interval), e.g.
    ``("MNIST test", "CNN", "52 of 10,000 (0.52%)", "5,200", "4,000–6,800")``, the
    counts rounded as in the sentences (:func:`round_count`, :func:`count_range`).
    """
    rows = []
    for key, measured in sets.items():
        for name, m in sorted(measured.items(), key=lambda kv: kv[1].rate):
            e = expected_errors(m, events)
            rows.append(
                (
                    SET_NAMES.get(key, key),
                    title(name),
                    f"{m.errors} of {m.total:,} ({m.rate:.2%})",
                    round_count(e.count),
                    count_range(e.low, e.high),
                )
            )
    return rows


def set_sentences(
    sets: Mapping[str, Mapping[str, Measured]], events: int, title: Callable[[str], str]
) -> list[str]:
    """One :func:`sentence` per set measured on exactly two models (``title``: model name ->
    the name a sentence gives it)."""
    out = []
    for key, measured in sets.items():
        if len(measured) == 2:
            titles = {name: title(name) for name in measured}
            out.append(sentence(compare(measured, events), titles, SET_TITLES.get(key, key)))
    return out


def measured_from_metrics(path: str | Path) -> dict[str, dict[str, Measured]]:
    """Measured error counts per data set and model from ``metrics.json``-like files.

    Reads ``{model: {"test_accuracy": a, "test_images": n}}`` (the bundled ``metrics.json``)
    as the set ``"mnist-test"``, and an optional sibling ``pen_dev.json`` of the form
    ``{"models": {model: {"errors": e, "total": n}}}`` as ``"pen-dev"``. Missing or
    malformed files give fewer sets, never an exception.
    """
    path = Path(path)
    sets: dict[str, dict[str, Measured]] = {}
    try:
        metrics = json.loads(path.read_text("utf-8"))
        mnist = {}
        for name, entry in metrics.items():
            n = int(entry["test_images"])
            acc = float(entry["test_accuracy"])
            mnist[name] = Measured(int(round((1.0 - acc) * n)), n)
        if mnist:
            sets["mnist-test"] = mnist
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    dev = read_pen_dev(path.parent / "pen_dev.json")
    if dev:
        sets["pen-dev"] = dev
    return sets


def read_pen_dev(path: str | Path) -> dict[str, Measured]:
    """Model name -> errors counted on the pen-drawn dev set, from a ``pen_dev.json`` of the
    form ``{"models": {model: {"errors": e, "total": n}}}`` (written by
    ``benchmarks/pen_digits.py --write-counts``); empty when missing or malformed."""
    try:
        pen = json.loads(Path(path).read_text("utf-8"))
        return {
            name: Measured(int(e["errors"]), int(e["total"])) for name, e in pen["models"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
