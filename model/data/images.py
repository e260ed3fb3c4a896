"""Decode picture files into pixel arrays with Pillow, refusing anything unsafe or unreadable.

Pillow is imported on the first picture read, not with this module: loading its C library
took about 50 ms of the window's start-up, and most sessions never open a picture.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digitlab.model import limits

if TYPE_CHECKING:
    from PIL import Image

MAX_PIXELS = limits.MAX_IMAGE_PIXELS
"""Larger pictures are refused (decompression bombs); Pillow only warns below twice this."""
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM")


class ImageFileError(ValueError):
    """A picture cannot be read; the message names the file and the reason."""


def load_image(path: str | Path) -> np.ndarray:
    """Read a picture file into an array for :func:`digitlab.model.preprocess.pictures.to_grey`.

    Returns
    -------
    ``(h, w)`` uint8 0..255, uint16 0..65535 or float32 0..1; ``(h, w, 3|4)`` uint8 RGB or
    RGBA; or ``(h, w, 2)`` uint16 grey and alpha (a 16-bit grey picture with a transparent
    level). Transparency, whether an alpha channel or a transparent colour, is kept as alpha.
    Animated pictures give their first frame.

    Raises
    ------
    ImageFileError
        Missing file, not a picture, truncated, unsupported format, or over
        :data:`MAX_PIXELS` pixels.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ImageFileError(f"{name}: no such file")
    if not path.is_file():
        raise ImageFileError(f"{name}: is not a file")
    if path.stat().st_size > limits.MAX_IMAGE_FILE_BYTES:
        raise ImageFileError(f"{name}: larger than {limits.MAX_IMAGE_FILE_BYTES:,} bytes")
    try:
        with warnings.catch_warnings():
            # Pillow warns about damaged files (e.g. TIFF tags past the end) and then reads
            # what it can: only its decompression-bomb warning matters, and it is an error.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as img:
                w, h = img.size
                if w * h > MAX_PIXELS:
                    raise ImageFileError(
                        f"{name}: {w}x{h} pixels is more than the {MAX_PIXELS:,} allowed"
                    )
                if max(w, h) > limits.MAX_IMAGE_ASPECT * max(min(w, h), 1):
                    raise ImageFileError(
                        f"{name}: {w}x{h} pixels is longer than {limits.MAX_IMAGE_ASPECT:,} "
                        "times its width (not a picture of a drawing)"
                    )
                img.seek(0)
                img.load()
                return _to_array(img)
    except ImageFileError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageFileError(f"{name}: too many pixels (possible decompression bomb)") from exc
    except UnidentifiedImageError as exc:
        raise ImageFileError(
            f"{name}: not a picture in a supported format ({', '.join(FORMATS)})"
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageFileError(f"{name}: cannot be decoded, truncated or corrupt ({exc})") from exc
    except Exception as exc:
        raise ImageFileError(
            f"{name}: cannot be decoded, truncated or corrupt ({type(exc).__name__}: {exc})"
        ) from exc


_ALPHA_MODES = ("LA", "La", "PA", "RGBA", "RGBa")
"""Pillow modes with an alpha channel: read as RGBA so the transparency reaches the grey."""
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L")


def _to_array(img: Image.Image) -> np.ndarray:
    """The decoded frame as :func:`load_image` returns it, transparency kept.

    Transparency comes as an alpha channel (mode ``RGBA`` and friends) or as one colour that
    is transparent (a PNG's ``tRNS`` key, Pillow's ``info["transparency"]``); both become an
    alpha channel, so :func:`digitlab.model.preprocess.pictures.to_grey` can read transparent
    pixels as paper.
    """
    mode = img.mode
    key = img.info.get("transparency")
    if mode in _SIXTEEN_BIT:
        a = np.asarray(img).astype(np.uint16)
        if isinstance(key, int):  # one grey level is transparent: make it an alpha channel
            return np.stack([a, np.where(a == key, 0, 65535).astype(np.uint16)], axis=-1)
        return a
    if mode == "I":
        a = np.asarray(img)
        top = max(int(a.max()), 1)
        scale = 65535 if top > 255 else 255
        return (np.clip(a, 0, None).astype(np.float64) / scale).astype(np.float32)
    if mode == "F":
        a = np.asarray(img, np.float32)
        hi = float(np.nanmax(a)) if a.size else 1.0
        return np.clip(a / (hi if hi > 1 else 1.0), 0, 1)
    if mode in _ALPHA_MODES or (key is not None and mode in ("1", "L", "P", "RGB")):
        return np.asarray(img.convert("RGBA"))
    if mode == "1":
        return np.asarray(img.convert("L"))
    if mode == "L":
        return np.asarray(img)
    return np.asarray(img.convert("RGB"))
