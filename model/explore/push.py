"""Push it: rotate, scale, shift, thicken, blur, add noise to or erase a band of the model input,
and how each model's confidence falls over each slider's whole range.

The drawing goes through the one preprocessing path first (:mod:`digitlab.model.preprocess`);
the changes are applied to the 28x28 input it made, because before it the centring and the
20-px fit would undo a shift or a scale. Every change is plain NumPy (bilinear resampling,
3x3 grey dilation and erosion, a separable Gaussian, seeded noise) and keeps the input a
float32 ``(28, 28)`` in 0..1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

SIDE = 28
NOISE_SEED = 20
"""The noise pattern is fixed, so a noise curve changes only with its strength."""


@dataclass(frozen=True)
class Slider:
    """One change: ``name``, words for the user, its range, its neutral value and unit."""

    name: str
    title: str
    low: float
    high: float
    neutral: float
    unit: str = ""
    points: int = 25

    def sweep(self) -> np.ndarray:
        """float64 ``(points,)`` values over the whole range, the neutral one included."""
        values = np.linspace(self.low, self.high, self.points)
        return np.unique(np.append(values, self.neutral))


SLIDERS = (
    Slider("rotate", "Rotate", -90.0, 90.0, 0.0, "°", 37),
    Slider("scale", "Scale", 0.4, 1.6, 1.0, "×"),
    Slider("shift_x", "Shift right", -10.0, 10.0, 0.0, " px", 21),
    Slider("shift_y", "Shift down", -10.0, 10.0, 0.0, " px", 21),
    Slider("thickness", "Thicken (+) / thin (-)", -2.0, 2.0, 0.0, " px", 5),
    Slider("blur", "Blur", 0.0, 3.0, 0.0, " px"),
    Slider("noise", "Noise", 0.0, 1.0, 0.0, ""),
    Slider("erase", "Erase a band", 0.0, 16.0, 0.0, " px", 17),
)
"""Every "push it" slider, in the order they are shown (and applied: strokes first, then
the geometry, the band, the noise)."""
BY_NAME = {s.name: s for s in SLIDERS}


@dataclass(frozen=True)
class PushSettings:
    """The sliders' values (name -> value; a missing one is neutral)."""

    values: Mapping[str, float] = field(default_factory=dict)

    def get(self, name: str) -> float:
        return float(self.values.get(name, BY_NAME[name].neutral))

    @property
    def moved(self) -> bool:
        """Any slider away from its neutral value."""
        return any(self.get(s.name) != s.neutral for s in SLIDERS)

    def with_value(self, name: str, value: float) -> PushSettings:
        return PushSettings({**self.values, name: float(value)})


@dataclass(frozen=True)
class Curve:
    """One slider's sweep: ``values`` float64 ``(m,)``; ``probabilities`` model -> float32
    ``(m,)``, the probability of ``answer``; ``flips`` model -> slider values where that
    model's top answer changes (between two sweep points)."""

    values: np.ndarray
    probabilities: dict[str, np.ndarray]
    flips: dict[str, list[float]]


@dataclass(frozen=True)
class PushResult:
    """The pushed input float32 ``(28, 28)`` and each model's float32 ``(classes,)`` on it;
    ``answer`` the CNN's (or first model's) top answer on it; ``curves`` slider -> Curve."""

    image: np.ndarray
    probabilities: dict[str, np.ndarray]
    answer: int
    curves: dict[str, Curve]


def _bilinear(image: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sample ``image`` at float coordinates (outside is 0)."""
    padded = np.pad(image, 1)
    r = np.clip(rows + 1, 0, SIDE + 0.999)
    c = np.clip(cols + 1, 0, SIDE + 0.999)
    r0, c0 = np.floor(r).astype(int), np.floor(c).astype(int)
    r1, c1 = np.minimum(r0 + 1, SIDE + 1), np.minimum(c0 + 1, SIDE + 1)
    fr, fc = r - r0, c - c0
    out = (
        padded[r0, c0] * (1 - fr) * (1 - fc)
        + padded[r0, c1] * (1 - fr) * fc
        + padded[r1, c0] * fr * (1 - fc)
        + padded[r1, c1] * fr * fc
    )
    inside = (rows > -1) & (rows < SIDE) & (cols > -1) & (cols < SIDE)
    return np.where(inside, out, 0.0)


def affine(image: np.ndarray, degrees: float, scale: float, dx: float, dy: float) -> np.ndarray:
    """Rotate (counter-clockwise, degrees) and scale about the centre, then shift (pixels)."""
    if degrees == 0 and scale == 1 and dx == 0 and dy == 0:
        return image
    centre = (SIDE - 1) / 2.0
    rr, cc = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    y, x = rr - centre - dy, cc - centre - dx
    t = np.deg2rad(degrees)
    # The inverse map: where each output pixel comes from.
    src_x = (np.cos(t) * x - np.sin(t) * y) / scale
    src_y = (np.sin(t) * x + np.cos(t) * y) / scale
    return _bilinear(image, src_y + centre, src_x + centre)


def _grey_morph(image: np.ndarray, times: int, grow: bool) -> np.ndarray:
    out = image
    for _ in range(times):
        p = np.pad(out, 1)
        shifted = [p[r : r + SIDE, c : c + SIDE] for r in range(3) for c in range(3)]
        out = np.max(shifted, axis=0) if grow else np.min(shifted, axis=0)
    return out


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return image
    radius = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    rows = np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), 1, image)
    return np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), 0, rows)


def _noise() -> np.ndarray:
    return np.random.default_rng(NOISE_SEED).normal(0.0, 1.0, (SIDE, SIDE))


def apply_push(image: np.ndarray, settings: PushSettings) -> np.ndarray:
    """float32 ``(28, 28)`` in 0..1: ``image`` (float ``(28, 28)`` in 0..1) with every
    slider's change applied (see :data:`SLIDERS`)."""
    x = np.asarray(image, np.float64)
    if x.shape != (SIDE, SIDE):
        raise ValueError(f"expected a (28, 28) input, got {x.shape}")
    thick = int(round(settings.get("thickness")))
    if thick:
        x = _grey_morph(x, abs(thick), grow=thick > 0)
    x = _blur(x, settings.get("blur"))
    x = affine(
        x,
        settings.get("rotate"),
        max(settings.get("scale"), 0.05),
        settings.get("shift_x"),
        settings.get("shift_y"),
    )
    band = int(round(settings.get("erase")))
    if band > 0:
        top = (SIDE - band) // 2
        x = x.copy()
        x[top : top + band] = 0.0
    noise = settings.get("noise")
    if noise > 0:
        x = x + noise * 0.5 * _noise()
    return np.clip(x, 0.0, 1.0).astype(np.float32)


def _flips(values: np.ndarray, answers: np.ndarray) -> list[float]:
    change = np.nonzero(answers[1:] != answers[:-1])[0]
    return [float((values[i] + values[i + 1]) / 2) for i in change]


def push_curves(core, image: np.ndarray, settings: PushSettings) -> PushResult:
    """The pushed input, both models' answers on it, and every slider's curve (the others
    held at their values), from ``core`` (``probabilities(batch) -> {model: (n, classes)}``
    for float32 ``(n, 28, 28)`` inputs, e.g. a LightCore)."""
    pushed = apply_push(image, settings)
    batches, spans = [pushed[None]], {}
    start = 1
    for slider in SLIDERS:
        values = slider.sweep()
        batches.append(
            np.stack([apply_push(image, settings.with_value(slider.name, v)) for v in values])
        )
        spans[slider.name] = (values, start, start + len(values))
        start += len(values)
    probs = core.probabilities(np.concatenate(batches))
    names = tuple(probs)
    first = "cnn" if "cnn" in probs else names[0]
    answer = int(np.argmax(probs[first][0]))
    curves = {}
    for slider in SLIDERS:
        values, a, b = spans[slider.name]
        curves[slider.name] = Curve(
            values,
            {n: probs[n][a:b, answer].astype(np.float32) for n in names},
            {n: _flips(values, probs[n][a:b].argmax(axis=1)) for n in names},
        )
    return PushResult(pushed, {n: probs[n][0] for n in names}, answer, curves)
