"""What the Explain tab shows, worked out without Qt: which map a view shows, the maps'
captions, the line saying what each model read, the preprocessing steps' note, a hovered
unit's label and the points of the answer's history. Tests read them without a window.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

EMPTY_READING = "Draw a digit on the Draw tab; its explanation appears here."
EMPTY_STEPS = "Draw a digit: each step the preprocessing takes shows here."
PENDING_READING = (
    "Working out where each model looked… (the first time, TensorFlow loads: a few seconds)"
)
"""The reading while the first explanation of a drawing is on its way."""
OTHER_LIVE_NOTE = (
    "<br><i>Your own model is live on the Draw tab; this tab explains the digit models.</i>"
)
"""Added to the reading while a model of your own classes is live."""
UNIT_WORDS = {
    "conv1": "conv1 kernel",
    "conv2": "conv2 kernel",
    "hidden": "hidden unit",
    "dense": "dense unit",
}
"""What a unit of each layer is called in the filters' label."""


def shown_map(
    key: str, occlusion: Mapping[str, np.ndarray], gradcam: Mapping[str, object]
) -> np.ndarray | None:
    """The saliency map a view shows for ``key`` (``"cnn-occlusion"``, ``"cnn-gradcam"``,
    ``"dense-occlusion"``), or None when the explanation has none.

    Parameters
    ----------
    occlusion : model -> float ``(28, 28)`` in -1..1; shown clipped at 0 (only the parts
        that made the answer are red).
    gradcam : model -> a :class:`digitlab.model.explain.saliency.GradCam`; its ``input_map``,
        float32 ``(28, 28)`` in 0..1, is shown.

    Returns
    -------
    float ``(28, 28)`` in 0..1, or None.
    """
    model, kind = key.split("-")
    if kind == "gradcam":
        cam = gradcam.get(model)
        return None if cam is None else cam.input_map
    occ = occlusion.get(model)
    return None if occ is None else np.clip(occ, 0, None)


def occlusion_caption(target: int, occlusion: np.ndarray) -> str:
    """The caption of an occlusion map: how far covering the red parts lowers P(target).

    ``occlusion`` is float ``(28, 28)`` in -1..1, the probability drop per pixel.
    """
    drop = float(np.max(occlusion))
    return f"covering the red parts lowers P({target}) most: by up to {drop * 100:.2g} points"


def gradcam_caption(target: int, peak: float) -> str:
    """The caption of a Grad-CAM map on conv2 (``peak``: the raw maximum, 0 for none)."""
    if peak > 0:
        return f"conv2 features that speak for {target}, mapped back through each unit's 8×8 field"
    return f"no conv2 feature speaks for {target}"


def reading_line(
    probabilities: Mapping[str, np.ndarray],
    targets: Mapping[str, int],
    titles: Mapping[str, str],
    target_class: int | None,
) -> str:
    """What each model read and what is explained, as rich text, e.g. "<b>CNN</b> reads
    <b>7</b> (98.1%) · ... — explaining each model's own answer."

    Parameters
    ----------
    probabilities : model -> float ``(classes,)`` summing to 1.
    targets : model -> the class explained (its probability is added when it is not the
        model's answer).
    titles : model -> the name shown.
    target_class : the class asked for, or None for each model's own answer.
    """
    parts = []
    for name, p in probabilities.items():
        top = int(np.argmax(p))
        t = targets[name]
        extra = "" if t == top else f", P({t}) = {p[t]:.1%}"
        parts.append(f"<b>{titles.get(name, name)}</b> reads <b>{top}</b> ({p[top]:.1%}{extra})")
    which = "each model's own answer" if target_class is None else f"class {target_class}"
    return " · ".join(parts) + f" — explaining {which}."


def steps_note(
    cropped_shape: tuple[int, int],
    fitted_shape: tuple[int, int],
    placed_at: tuple[int, int],
    stretched: float = 1.0,
) -> str:
    """The sentence under the preprocessing steps: the cropped ink's ``(h, w)``, the fitted
    box's ``(h, w)``, its ``(top, left)`` in the 28x28 field and how many times taller than
    drawn a flat drawing was re-drawn (``Preprocessed.stretched``)."""
    ch, cw = cropped_shape
    h, w = fitted_shape
    top, left = placed_at
    pen = "re-drawn with an MNIST-like pen"
    if stretched > 1.0:
        pen += f", {stretched:.1f}× taller than drawn: it was very flat"
    return (
        f"Cropped ink {cw}×{ch} px ({pen}) → scaled to {w}×{h} "
        f"→ placed at row {top}, column {left} so its centre of mass (red +) lands on the "
        f"field's centre (blue ○) → the 28×28 input both models read."
    )


def unit_label(title: str, layer: str, unit: int, found: bool) -> str:
    """The label over a hovered unit's top digits (``found``: they are ready to show)."""
    what = f"{title} · {UNIT_WORDS.get(layer, layer)} {unit}"
    if found:
        return f"{what}: the MNIST test digits that drive it hardest, strongest first."
    return f"{what}: finding its strongest MNIST digits (once per model)…"


def history_points(history: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points of one model's answer history.

    Parameters
    ----------
    history : float ``(strokes, classes)`` probabilities after each stroke; an all-NaN row
        means nothing was drawn yet.

    Returns
    -------
    (x, top, read) : float64 ``(strokes,)`` stroke numbers from 1; float ``(strokes,)`` the
        top probability in 0..1 (NaN where nothing was drawn); int ``(strokes,)`` the class
        read (-1 where nothing was drawn).
    """
    h = np.asarray(history, np.float64).reshape(len(history), -1)
    x = np.arange(1, len(h) + 1, dtype=np.float64)
    blank = np.isnan(h).all(axis=1) if h.shape[1] else np.ones(len(h), bool)
    filled = np.nan_to_num(h, nan=-1.0)
    top = np.where(blank, np.nan, filled.max(axis=1, initial=-1.0))
    read = np.where(blank, -1, filled.argmax(axis=1) if h.shape[1] else -1).astype(int)
    return x, top, read
