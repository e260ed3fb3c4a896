"""The 28x28 frame the models read, and normalising any ink image into it the way MNIST was made.

MNIST digits were cropped to their ink, scaled (aspect kept) so the longer side is 20 px with
anti-aliasing, then placed in a 28x28 field so the centre of mass sits at the centre.
:func:`normalise` does the same, NumPy only (drawings and pictures flatter than nearly any MNIST
digit are framed taller: :data:`MAX_ASPECT`); the stroke path (:mod:`.strokes`) and the picture
path (:mod:`.pictures`) both end in it and both return a :class:`Preprocessed`, whose ``image``
is float32 ``(28, 28)`` in 0..1, white digit on black, exactly like ``mnist.x_test / 255``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

SIDE = 28
"""Side of the model input, px."""
BOX = 20
"""Longer side of the ink after fitting, px (as MNIST)."""
MAX_ASPECT = 1.5
"""Ink wider than this many times its height is framed taller, up to this aspect: 99% of
MNIST's training digits are at most 1.43 times as wide as tall, while people draw twos, fives
and zeros far flatter (up to 2.8 times in the pen dev set)."""
MAX_STRETCH = 2.0
"""The most flat ink's height is stretched by (a dash stays a line, not a zigzag)."""
CENTRE = (14.0, 14.0)
"""Where the centre of mass lands (row, column); the mean over MNIST's training set."""


class PreprocessError(ValueError):
    """The strokes or the image cannot be read as a drawing (the message says why)."""


@dataclass(frozen=True)
class Preprocessed:
    """The model input and what it took to get there.

    Attributes
    ----------
    image : float32 ``(28, 28)`` in 0..1, white ink on black; zeros when ``empty``.
    empty : True when nothing was drawn (no model should be asked).
    fitted : float32 ``(h, w)`` with ``max(h, w) == 20``: the ink scaled to the 20-px box,
        before it was placed by its centre of mass (``(0, 0)`` when empty).
    notes : short sentences about how far the drawing is from what MNIST looks like
        (too small, touching the edge, ...), for the user; empty when all is well.
    cropped : float32 ``(h, w)`` in 0..1: the ink cropped to its bounding box, before it was
        scaled (for strokes, as re-drawn with the MNIST-like pen at
        :data:`~digitlab.model.preprocess.strokes.SUPERSAMPLE` times the final resolution;
        ``(0, 0)`` when empty). A byproduct of the same path, kept for the "step by step"
        view; nothing reads it to make :attr:`image`.
    placed_at : ``(top, left)`` of the fitted box in the 28x28 field.
    centre_of_mass : ``(row, col)`` of the fitted ink's centre of mass, in ``fitted`` pixels
        (it lands on :data:`CENTRE` unless the box would leave the field).
    stretched : how many times taller than drawn the ink was framed because it was flat
        (1 to :data:`MAX_STRETCH`; 1 when it was not, see :func:`height_stretch`).
    """

    image: np.ndarray
    empty: bool
    fitted: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    notes: tuple[str, ...] = ()
    cropped: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    placed_at: tuple[int, int] = (0, 0)
    centre_of_mass: tuple[float, float] = (0.0, 0.0)
    stretched: float = 1.0


def empty_input(notes: tuple[str, ...] = ()) -> Preprocessed:
    """Nothing drawn: an all-zero float32 ``(28, 28)`` image, ``empty`` set, with ``notes``."""
    return Preprocessed(np.zeros((SIDE, SIDE), np.float32), True, notes=notes)


def height_stretch(width: float, height: float) -> float:
    """How much (1 to :data:`MAX_STRETCH`) to stretch the height of ink ``width`` by
    ``height`` (any unit) so it is at most :data:`MAX_ASPECT` times as wide as tall."""
    width, height = float(width), float(height)
    if width <= MAX_ASPECT * height:
        return 1.0
    return min(width / (MAX_ASPECT * max(height, 1e-9)), MAX_STRETCH)


@lru_cache(maxsize=1024)
def resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """float32 ``(n_out, n_in)`` weights mapping a row of ``n_in`` pixels to ``n_out``.

    Downscaling averages the exact area each output pixel covers (anti-aliasing, as MNIST
    was made); upscaling interpolates linearly between pixel centres. Each row sums to 1.
    The result is cached and shared: do not write into it.
    """
    if n_out <= n_in:
        edges = np.linspace(0.0, n_in, n_out + 1)
        left = np.arange(n_in)[None, :]
        overlap = np.minimum(edges[1:, None], left + 1) - np.maximum(edges[:-1, None], left)
        m = np.clip(overlap, 0.0, None)
        return (m / m.sum(1, keepdims=True)).astype(np.float32)
    centres = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    centres = np.clip(centres, 0, n_in - 1)
    lo = np.floor(centres).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = centres - lo
    m = np.zeros((n_out, n_in), np.float32)
    m[np.arange(n_out), lo] += 1 - frac
    m[np.arange(n_out), hi] += frac
    return m


MATRIX_MAX_IN = 4096
"""Longer axes are downscaled without a dense matrix (a 40,000,000-pixel row would need
3 GB of weights): by differences of the running sum, the same area averages."""


def resample(a: np.ndarray, n_out: int, axis: int) -> np.ndarray:
    """float32 ``a`` resampled to ``n_out`` pixels along ``axis`` as :func:`resample_matrix`
    does; memory linear in ``a``'s size whatever its length."""
    n_in = a.shape[axis]
    if n_in <= MATRIX_MAX_IN or n_out > n_in:
        m = resample_matrix(n_in, n_out)
        return m @ a if axis == 0 else a @ m.T
    moved = np.moveaxis(np.asarray(a, np.float64), axis, 0)
    running = np.concatenate([np.zeros((1,) + moved.shape[1:]), np.cumsum(moved, axis=0)])
    edges = np.linspace(0.0, n_in, n_out + 1)
    whole = np.minimum(np.floor(edges).astype(np.int64), n_in - 1)
    at = running[whole] + (edges - whole).reshape((-1,) + (1,) * (moved.ndim - 1)) * moved[whole]
    out = (at[1:] - at[:-1]) / (n_in / n_out)
    return np.moveaxis(out, 0, axis).astype(np.float32)


def normalise(
    ink: np.ndarray,
    threshold: float = 0.0,
    *,
    box: float = BOX,
    offset: tuple[float, float] = (0.0, 0.0),
    stretch_flat: bool = False,
) -> Preprocessed:
    """Crop to the ink, fit the longer side to 20 px, place by centre of mass in 28x28.

    Parameters
    ----------
    ink : float ``(h, w)`` in 0..1, ink bright on black, any size.
    threshold : pixels at or below this do not count when finding the ink's bounding box.
    box : the longer side after fitting, px; MNIST's 20 unless a caller moves the framing
        on purpose (the Explore tab's "push it" scale).
    offset : ``(rows, cols)`` px added to :data:`CENTRE`. With the default framing the box
        is kept inside the field as MNIST's were; a moved framing lets it leave the field
        (what leaves is cut off), because that is what was asked for.
    stretch_flat : fit ink wider than :data:`MAX_ASPECT` times its height taller (see
        :func:`height_stretch`), as the stroke path re-draws flat drawings.

    Returns
    -------
    Preprocessed
        ``empty`` when no pixel is above ``threshold``.

    Raises
    ------
    PreprocessError
        When ``ink`` is not 2-D.
    """
    ink = np.asarray(ink, np.float32)
    if ink.ndim != 2:
        raise PreprocessError(f"expected a 2-D image, got shape {ink.shape}")
    mask = ink > threshold
    if not mask.any():
        return empty_input()
    rows = np.flatnonzero(mask.any(1))
    cols = np.flatnonzero(mask.any(0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    f = float(box) / max(h, w)
    k = height_stretch(w, h) if stretch_flat else 1.0
    nh, nw = max(1, int(round(h * f * k))), max(1, int(round(w * f)))
    fitted = resample(resample(crop, nh, 0), nw, 1)
    fitted = np.clip(fitted, 0.0, 1.0).astype(np.float32)
    mass = float(fitted.sum())
    if mass <= 0:
        return empty_input()
    ry, rx = np.indices(fitted.shape)
    com_r = float((ry * fitted).sum()) / mass
    com_c = float((rx * fitted).sum()) / mass
    top = int(round(CENTRE[0] + offset[0] - com_r))
    left = int(round(CENTRE[1] + offset[1] - com_c))
    if box == BOX and offset == (0.0, 0.0):
        # Keep the whole box inside the field (MNIST never cut a digit off).
        top = min(max(top, 0), SIDE - nh)
        left = min(max(left, 0), SIDE - nw)
    image = np.zeros((SIDE, SIDE), np.float32)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + nh, SIDE), min(left + nw, SIDE)
    if r1 > r0 and c1 > c0:
        image[r0:r1, c0:c1] = fitted[r0 - top : r1 - top, c0 - left : c1 - left]
    return Preprocessed(
        image,
        False,
        fitted,
        cropped=crop,
        placed_at=(top, left),
        centre_of_mass=(com_r, com_c),
        stretched=k,
    )


def as_model_batch(images: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Stack inputs into the models' batch.

    Parameters
    ----------
    images : one float ``(28, 28)`` image, or ``(n, 28, 28)`` / ``(n, 28, 28, 1)``, 0..1.

    Returns
    -------
    C-contiguous float32 ``(n, 28, 28, 1)``, values as given.

    Raises
    ------
    PreprocessError
        For any other shape.
    """
    batch = np.asarray(images, dtype=np.float32)
    if batch.ndim == 2:
        batch = batch[None]
    if batch.ndim == 3:
        batch = batch[..., None]
    if batch.shape[1:] != (SIDE, SIDE, 1):
        raise PreprocessError(f"expected (n, 28, 28[, 1]) inputs, got {batch.shape}")
    return np.ascontiguousarray(batch)
