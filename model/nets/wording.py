"""How the app words the models and their answers: titles, how sure, agree or disagree.

Plain text with no Qt, so every tab shows the same words and tests read them without a
window; the views only choose colours and fonts for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MODEL_TITLES = {"cnn": "CNN", "dense": "Dense network", "custom": "Your model"}
"""What the app calls each model it knows by name (others are shown by their own name)."""


_DIGITS = tuple(str(i) for i in range(10))


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 picture"``, ``"2 pictures"``, ``"10,000 pictures"``: a count and its noun, the noun
    plural unless the count is 1 (``many`` for an irregular plural, default ``word + "s"``)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def model_title(name: str) -> str:
    """``"CNN"`` for ``"cnn"``; a name the app does not know is shown as it is."""
    return MODEL_TITLES.get(name, name)


def confidence_words(p: float) -> str:
    """A probability in 0..1 in plain words (the number follows in brackets)."""
    if p >= 0.95:
        return "almost certain"
    if p >= 0.8:
        return "fairly sure"
    if p >= 0.6:
        return "leaning"
    if p >= 0.4:
        return "unsure"
    return "guessing"


def class_label(names: Sequence[str], index: int) -> str:
    """The name of class ``index`` among ``names``, or the index itself when unnamed."""
    return names[index] if 0 <= index < len(names) else str(index)


def verdict(
    tops: Mapping[str, int],
    labels: Mapping[str, Sequence[str]],
    known: Mapping[str, bool] | None = None,
) -> tuple[str, str] | None:
    """The one line over the bars: what the models read and whether they agree.

    Parameters
    ----------
    tops : model name -> the class it gives the highest probability, in display order.
    labels : model name -> its class names (digits when missing).
    known : model name -> False when that model finds the drawing unlike all its classes
        (:func:`digitlab.model.nets.known.is_known`); missing names count as known.

    Returns
    -------
    ``(text, tone)`` with tone ``"single"`` (one model), ``"agree"``, ``"disagree"`` or
    ``"unknown"`` (no model thinks it is one of its classes); None when no model answered.
    """
    known = known or {}
    sure = {n: t for n, t in tops.items() if known.get(n, True)}
    if tops and not sure:
        if not all(tuple(labels.get(n) or _DIGITS) == _DIGITS for n in tops):
            return "That doesn't look like any of its classes", "unknown"
        return "That doesn't look like a digit", "unknown"
    if len(sure) < len(tops):
        unsure = " · ".join(f"{model_title(n)}: not a digit?" for n in tops if n not in sure)
        reads = " · ".join(
            f"{model_title(n)} reads {class_label(labels.get(n, ()), t)}" for n, t in sure.items()
        )
        return f"{reads} · {unsure}", "disagree"
    if len(tops) == 1:
        name, top = next(iter(tops.items()))
        return f"{model_title(name)} reads {class_label(labels.get(name, ()), top)}", "single"
    if len(set(tops.values())) == 1:
        return f"Both models read {next(iter(tops.values()))}", "agree"
    if tops:
        parts = " · ".join(f"{model_title(n)} reads {t}" for n, t in tops.items())
        return f"The models disagree: {parts}", "disagree"
    return None


def reading_words(label: str, p: float, known: bool = True, digits: bool = True) -> str:
    """One model's reading in words, e.g. ``"reads 4 · almost certain (97%)"``, or, when the
    model does not know the drawing, ``"not a digit? best guess 4, 38%"`` (``digits`` False:
    ``"none of its classes? best guess dog, 38%"``). ``p`` is the top probability, 0..1;
    ``label`` is put in as given (a view may pass it marked up)."""
    return "".join(reading_parts(label, p, known, digits))


def reading_parts(label: str, p: float, known: bool = True, digits: bool = True) -> tuple[str, str]:
    """:func:`reading_words` as ``(words, number)``: the words change rarely while the pen
    moves, the number at almost every move (``"reads 4 · almost certain"``, ``" (97%)"``), so
    a view can lay the words out again only when they change."""
    if known:
        return f"reads {label} · {confidence_words(p)}", f" ({p:.0%})"
    what = "not a digit?" if digits else "none of its classes?"
    return f"{what} best guess {label},", f" {p:.0%}"


def unit_description(
    title: str,
    layer: str,
    unit: tuple[int, int, int],
    value: float | None,
    level: float,
    field: tuple[int, int, int, int] | None,
) -> str:
    """One line about a unit of an activation map, for the pointer hovering it.

    Parameters
    ----------
    title : the model's title (:func:`model_title`).
    layer : the layer's name; ``"output"`` units are classes.
    unit : ``(channel, row, col)``; row and col are 0 for a vector layer's units.
    value : its activation for the drawing shown, or None when there is none.
    level : the top of the layer's colour scale (the scale runs from 0).
    field : ``(top, left, height, width)`` of the input patch a spatial unit sees, in 28x28
        input pixels; None for a vector layer's unit, which sees the whole input.
    """
    channel, row, col = unit
    shown = "—" if value is None else f"{value:.3g}"
    if field is not None:
        return (
            f"{title} · {layer} · channel {channel} · row {row}, col {col} · value {shown} "
            f"(scale 0–{level:.3g}) · sees the {field[2]}×{field[3]} input patch "
            "outlined in red"
        )
    label = f"class {channel}" if layer == "output" else f"unit {channel}"
    return (
        f"{title} · {layer} · {label} · value {shown} (scale 0–{level:.3g}) · sees the whole input"
    )


def bars_description(
    name: str,
    probabilities: Sequence[float] | None,
    labels: Sequence[str] = (),
    known: bool = True,
    count: int = 2,
) -> str:
    """What one model's probability bars show, in words, for a screen reader: e.g.
    ``"CNN reads 7, 98%; next 1, 1%"``; ``"CNN: not a digit? best guess 4, 38%; next 9, 20%"``
    when the model does not know the drawing (``"none of its classes?"`` for classes that
    are not the digits); ``"CNN: waiting for a drawing"`` when
    ``probabilities`` is None.

    Parameters
    ----------
    name : the model's name (shown by :func:`model_title`).
    probabilities : one float per class in 0..1, or None while there is no answer.
    labels : the class names (digits when empty).
    known : False when the model finds the drawing unlike all its classes.
    count : how many of the most likely classes are named (at least 1).
    """
    title = model_title(name)
    if probabilities is None or len(probabilities) == 0:
        return f"{title}: waiting for a drawing"
    order = sorted(range(len(probabilities)), key=lambda i: -float(probabilities[i]))
    parts = [f"{class_label(labels, i)}, {float(probabilities[i]):.0%}" for i in order[:count]]
    if known:
        first = f"{title} reads {parts[0]}"
    else:
        digits = not labels or tuple(labels) == _DIGITS
        first = (
            f"{title}: {'not a digit' if digits else 'none of its classes'}? best guess {parts[0]}"
        )
    return "; ".join([first] + [f"next {p}" for p in parts[1:]])
