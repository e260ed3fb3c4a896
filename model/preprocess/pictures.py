"""Pictures to greyscale, and a picture of a digit to the 28x28 input.

:func:`to_grey` is the one conversion of a decoded picture to grey, used wherever a picture is
read: dropped on the canvas, ``digitlab classify`` (through :func:`image_to_input`) and the
folders of your own classes (:mod:`digitlab.model.data.custom_dataset`). Transparent is paper
everywhere: a fully transparent pixel is white paper whatever colour it stores, and a partly
transparent one is blended onto white paper.
"""

from __future__ import annotations

import numpy as np

from digitlab.model.preprocess.frame import Preprocessed, PreprocessError, empty_input, normalise

INK_THRESHOLD = 0.08
"""Pixels below this (0..1) do not count as ink when cropping an image."""
LUMINANCE = np.array([0.299, 0.587, 0.114], np.float32)
"""ITU-R 601 weights of red, green and blue in the grey level."""


def _as_unit_float(a: np.ndarray) -> np.ndarray:
    """bool, integer or float pixels -> float32 in 0..1 (integers by their type's range)."""
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if np.issubdtype(a.dtype, np.integer):
        top = 65535.0 if a.dtype.itemsize > 1 else 255.0
        return a.astype(np.float32) / top
    if np.issubdtype(a.dtype, np.floating):
        return a.astype(np.float32)
    raise PreprocessError(f"unsupported pixel type {a.dtype}")


def to_grey(pixels: np.ndarray) -> np.ndarray:
    """Any decoded picture to greyscale on white paper.

    Parameters
    ----------
    pixels : ``(h, w)``, ``(h, w, 1)``, grey + alpha ``(h, w, 2)``, RGB ``(h, w, 3)`` or RGBA
        ``(h, w, 4)``; uint8 (0..255), wider integers such as uint16 (0..65535), bool, or
        float (taken as 0..1, clipped), as :func:`digitlab.model.data.images.load_image`
        returns them. Alpha, when there is one, is the last channel.

    Returns
    -------
    float32 ``(h, w)`` in 0..1, C-contiguous, 1 = white. Colour counts by ITU-R 601 luminance;
    each pixel is blended onto white paper by its alpha (``grey * alpha + (1 - alpha)``), so a
    fully transparent pixel is 1.0 whatever colour it stores.

    Raises
    ------
    PreprocessError
        An empty array, a shape other than the above, an unsupported dtype, or NaN or
        infinite pixels.
    """
    a = np.asarray(pixels)
    if a.ndim not in (2, 3) or a.size == 0:
        raise PreprocessError(f"an image must be 2-D (or 2-D with channels), got shape {a.shape}")
    a = _as_unit_float(a)
    if not np.isfinite(a).all():
        raise PreprocessError("the image holds NaN or infinite pixels")
    a = np.clip(a, 0.0, 1.0)
    if a.ndim == 3:
        channels = a.shape[2]
        alpha = None
        if channels in (2, 4):
            alpha, a, channels = a[..., -1], a[..., :-1], channels - 1
        if channels == 3:
            a = a @ LUMINANCE
        elif channels == 1:
            a = a[..., 0]
        else:
            raise PreprocessError(f"unsupported number of channels: {a.shape[2]}")
        if alpha is not None:
            a = a * alpha + (1.0 - alpha)  # transparent = white paper
    return np.ascontiguousarray(a, dtype=np.float32)


def image_to_input(pixels: np.ndarray) -> Preprocessed:
    """The model input for a picture of a digit, dark-on-light or light-on-dark.

    The paper's shade is taken from the border; ink is whatever differs from it. A blank
    picture (all one shade) is ``empty``.

    Parameters
    ----------
    pixels : any picture :func:`to_grey` takes.

    Returns
    -------
    Preprocessed
        ``image`` float32 ``(28, 28)`` in 0..1, white ink on black, cropped, fitted (flat
        ink framed taller, as drawings are) and centred as
        :func:`~digitlab.model.preprocess.frame.normalise` does.

    Raises
    ------
    PreprocessError
        What :func:`to_grey` refuses.
    """
    grey = to_grey(pixels)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    if paper > 0.5:
        ink = paper - grey
    else:
        ink = grey - paper
    ink = np.clip(ink, 0.0, None)
    peak = float(ink.max())
    if peak < 0.15:
        return empty_input()
    ink = np.clip(ink / peak, 0.0, 1.0)
    ink[ink < INK_THRESHOLD] = 0.0
    return normalise(ink, threshold=0.0, stretch_flat=True)
