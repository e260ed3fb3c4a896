"""Push it: rotate, scale, shift, thicken, blur, add noise to or erase a band of the drawing,
and how each model's confidence falls over each slider's whole range.

Every change goes through the one preprocessing path, each at the step where it means what
it says. The source is the drawing's ink as that path cropped it
(:attr:`~digitlab.model.preprocess.frame.Preprocessed.cropped`, strokes re-drawn with the
MNIST-like pen, or a picture's ink): the strokes are thickened or thinned, the drawing is
rotated and a band across its middle is erased there, and the path's last step
(:func:`~digitlab.model.preprocess.frame.normalise`) then crops, fits and centres the result
exactly as it would a drawing made that way. Scale and shift are that step's own framing
moved away from MNIST's 20-px box and centre of mass (applied to the drawing, the fit and
the centring would undo them). Blur and noise change the 28x28 pixels the models read.
All plain NumPy (bilinear resampling, grey dilation and erosion by a disc, a separable
Gaussian, seeded noise); the result is a float32 ``(28, 28)`` in 0..1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from digitlab.model.preprocess.augment import bilinear
from digitlab.model.preprocess.frame import BOX, normalise, resample

SIDE = 28
INK_PX_MAX = 4.0
"""Rotation, thickness and the band work on the ink at most this many pixels per pixel of
the 28x28 frame (the strokes' own re-drawing uses 3)."""
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
    Slider("thickness", "Thicken (+) / thin (-)", -2.0, 2.0, 0.0, " px", 9),
    Slider("blur", "Blur", 0.0, 3.0, 0.0, " px"),
    Slider("noise", "Noise", 0.0, 1.0, 0.0, ""),
    Slider("erase", "Erase a band", 0.0, 16.0, 0.0, " px", 17),
)
"""Every "push it" slider, in the order they are shown. Applied: thickness, rotation and the
band to the drawing's ink, scale and shift as the path's framing, then blur and noise."""
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


def rotate(ink: np.ndarray, degrees: float) -> np.ndarray:
    """``ink`` float ``(h, w)`` turned counter-clockwise about its centre, on a square field
    large enough to hold every turn (float32 ``(d, d)``, ``d`` the diagonal)."""
    if degrees == 0:
        return ink
    h, w = ink.shape
    d = int(np.ceil(np.hypot(h, w))) + 2
    rr, cc = np.mgrid[0:d, 0:d].astype(np.float64)
    y, x = rr - (d - 1) / 2.0, cc - (d - 1) / 2.0
    t = np.deg2rad(degrees)
    # The inverse map: where each output pixel comes from.
    src_x = np.cos(t) * x - np.sin(t) * y
    src_y = np.sin(t) * x + np.cos(t) * y
    return bilinear(ink[None], (src_y + (h - 1) / 2.0)[None], (src_x + (w - 1) / 2.0)[None])[0]


def _disc_morph(ink: np.ndarray, radius: float, grow: bool) -> np.ndarray:
    """Grey dilation (``grow``) or erosion of ``ink`` by a disc of ``radius`` px."""
    r = int(np.floor(radius))
    if r < 1:
        return ink
    h, w = ink.shape
    p = np.pad(ink, r)
    offsets = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)]
    shifted = [
        p[r + dy : r + dy + h, r + dx : r + dx + w]
        for dy, dx in offsets
        if dy * dy + dx * dx <= radius * radius
    ]
    return np.max(shifted, axis=0) if grow else np.min(shifted, axis=0)


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


def _working_scale(ink: np.ndarray) -> tuple[np.ndarray, float]:
    """``ink`` at no more than :data:`INK_PX_MAX` pixels per frame pixel (a photo's ink can
    be thousands of pixels wide; the path's own area averaging shrinks it), and how many
    of its pixels make one pixel of the 28x28 frame."""
    h, w = ink.shape
    px = max(h, w) / BOX
    if px > INK_PX_MAX:
        f = INK_PX_MAX / px
        ink = resample(resample(ink, max(1, round(h * f)), 0), max(1, round(w * f)), 1)
        px = max(ink.shape) / BOX
    return ink, px


def _erase_band(ink: np.ndarray, rows: float) -> np.ndarray:
    """``ink`` with ``rows`` px across the middle of its ink (by its bounding box) erased."""
    inked = np.flatnonzero((ink > 0).any(1))
    if rows <= 0 or len(inked) == 0:
        return ink
    middle = (inked[0] + inked[-1] + 1) / 2.0
    top, bottom = int(round(middle - rows / 2)), int(round(middle + rows / 2))
    out = ink.copy()
    out[max(top, 0) : max(bottom, 0)] = 0.0
    return out


_INK_STEPS = ("thickness", "rotate", "erase")
_FRAME_STEPS = ("scale", "shift_y", "shift_x")


def _check_ink(ink: np.ndarray) -> np.ndarray:
    x = np.asarray(ink, np.float64)
    if x.ndim != 2 or x.size == 0:
        raise ValueError(f"expected the drawing's cropped ink (2-D), got shape {x.shape}")
    return x


def _changed_ink(x: np.ndarray, thick: float, degrees: float, band: float) -> np.ndarray:
    """The drawing's ink with its strokes thickened or thinned, turned and cut."""
    if thick or degrees or band > 0:
        x, px = _working_scale(x)
        # A stroke ``thick`` px wider grows by half that on each side.
        x = _disc_morph(x, abs(thick) / 2 * px, grow=thick > 0)
        x = rotate(x, degrees)
        x = _erase_band(x, band * px)
    return np.clip(x, 0.0, 1.0)


def _framed(x: np.ndarray, scale: float, dy: float, dx: float) -> np.ndarray:
    """The path's last step with its framing moved: float64 ``(28, 28)``."""
    framed = normalise(x, box=BOX * max(scale, 0.05), offset=(dy, dx))
    return framed.image.astype(np.float64)


def _finished(y: np.ndarray, sigma: float, noise: float) -> np.ndarray:
    y = _blur(y, sigma)
    if noise > 0:
        y = y + noise * 0.5 * _noise()
    return np.clip(y, 0.0, 1.0).astype(np.float32)


def apply_push(ink: np.ndarray, settings: PushSettings) -> np.ndarray:
    """float32 ``(28, 28)`` in 0..1: the model input for the drawing whose cropped ink is
    ``ink`` (float ``(h, w)`` in 0..1, :attr:`Preprocessed.cropped`), with every slider's
    change applied through the preprocessing path (see the module's docstring). With every
    slider neutral it is the drawing's own model input; all zeros when no ink is left."""
    return _Pusher(ink).input(settings)


class _Pusher:
    """:func:`apply_push` for one drawing and many settings, each step's result kept for
    the settings that share it (a sweep of the blur reuses one framing)."""

    def __init__(self, ink: np.ndarray):
        self.ink = _check_ink(ink)
        self.inks: dict[tuple, np.ndarray] = {}
        self.frames: dict[tuple, np.ndarray] = {}

    def input(self, settings: PushSettings) -> np.ndarray:
        ink_key = tuple(settings.get(n) for n in _INK_STEPS)
        framing = tuple(settings.get(n) for n in _FRAME_STEPS)
        frame_key = ink_key + framing
        if frame_key not in self.frames:
            if ink_key not in self.inks:
                self.inks[ink_key] = _changed_ink(self.ink, *ink_key)
            self.frames[frame_key] = _framed(self.inks[ink_key], *framing)
        return _finished(self.frames[frame_key], settings.get("blur"), settings.get("noise"))


def _flips(values: np.ndarray, answers: np.ndarray) -> list[float]:
    change = np.nonzero(answers[1:] != answers[:-1])[0]
    return [float((values[i] + values[i + 1]) / 2) for i in change]


def push_curves(core, ink: np.ndarray, settings: PushSettings) -> PushResult:
    """The pushed input, both models' answers on it, and every slider's curve (the others
    held at their values), for the drawing whose cropped ink is ``ink`` (see
    :func:`apply_push`), from ``core`` (``probabilities(batch) -> {model: (n, classes)}``
    for float32 ``(n, 28, 28)`` inputs, e.g. a LightCore)."""
    pusher = _Pusher(ink)
    pushed = pusher.input(settings)
    batches, spans = [pushed[None]], {}
    start = 1
    for slider in SLIDERS:
        values = slider.sweep()
        batches.append(
            np.stack([pusher.input(settings.with_value(slider.name, v)) for v in values])
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
