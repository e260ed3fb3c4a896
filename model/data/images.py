"""Decode picture files into pixel arrays with Pillow, refusing anything unsafe or unreadable."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000
"""Larger pictures are refused (decompression bombs); Pillow only warns below twice this."""
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM")


class ImageFileError(ValueError):
    """A picture cannot be read; the message names the file and the reason."""


def load_image(path: str | Path) -> np.ndarray:
    """Read a picture file into an array for :func:`digitlab.model.preprocess.pictures.image_to_input`.

    Returns
    -------
    ``(h, w)`` uint8/uint16/bool, or ``(h, w, 3|4)`` uint8 (RGBA keeps its transparency).
    Animated pictures give their first frame.

    Raises
    ------
    ImageFileError
        Missing file, not a picture, truncated, unsupported format, or over
        :data:`MAX_PIXELS` pixels.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ImageFileError(f"{name}: no such file")
    if not path.is_file():
        raise ImageFileError(f"{name}: is not a file")
    try:
        with warnings.catch_warnings():
            # Pillow warns about damaged files (e.g. TIFF tags past the end) and then reads
            # what it can: only its decompression-bomb warning matters, and it is an error.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as img:
                w, h = img.size
                if w * h > MAX_PIXELS:
                    raise ImageFileError(f"{name}: {w}x{h} pixels is more than the {MAX_PIXELS:,} allowed")
                img.seek(0)
                img.load()
                return _to_array(img)
    except ImageFileError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageFileError(f"{name}: too many pixels (possible decompression bomb)") from exc
    except UnidentifiedImageError as exc:
        raise ImageFileError(f"{name}: not a picture in a supported format ({', '.join(FORMATS)})") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageFileError(f"{name}: cannot be decoded, truncated or corrupt ({exc})") from exc
    except Exception as exc:  # noqa: BLE001 - Pillow's decoders raise many types on bad data
        raise ImageFileError(
            f"{name}: cannot be decoded, truncated or corrupt ({type(exc).__name__}: {exc})"
        ) from exc


def _to_array(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(img)
        if mode == "I":
            top = max(int(a.max()), 1)
            return (np.clip(a, 0, None).astype(np.float64) / (65535 if top > 255 else 255)).astype(np.float32)
        return a.astype(np.uint16)
    if mode == "F":
        a = np.asarray(img, np.float32)
        hi = float(np.nanmax(a)) if a.size else 1.0
        return np.clip(a / (hi if hi > 1 else 1.0), 0, 1)
    if mode == "1":
        return np.asarray(img.convert("L"))
    if mode in ("L",):
        return np.asarray(img)
    if mode in ("LA", "PA", "RGBA", "La") or (mode == "P" and "transparency" in img.info):
        return np.asarray(img.convert("RGBA"))
    return np.asarray(img.convert("RGB"))
