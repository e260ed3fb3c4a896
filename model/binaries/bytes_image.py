"""Render any file as a greyscale picture: one byte per pixel, rows of a fixed width.

This is the usual way to turn binaries (e.g. malware samples) into an image dataset
(Nataraj et al., "Malware Images: Visualization and Automatic Classification", 2011):
byte ``i`` of the file becomes pixel ``(i // width, i % width)`` with grey level 0..255; the
height follows from the size; the last row is padded with zeros (black). Without an explicit
width the file size picks one from :data:`NATARAJ_WIDTHS`, so small files are not one
thin sliver and large ones not a mile long.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NATARAJ_WIDTHS = (
    (10 * 1024, 32),
    (30 * 1024, 64),
    (60 * 1024, 128),
    (100 * 1024, 256),
    (200 * 1024, 384),
    (500 * 1024, 512),
    (1000 * 1024, 768),
)
"""(size below which, width) pairs of the Nataraj et al. table; 1024 above the last."""
MAX_BYTES = 64 * 1024 * 1024
"""Larger files are refused (64 MiB makes a 1024 x 65,536 picture already)."""
MIN_WIDTH, MAX_WIDTH = 1, 65_536


class BytesImageError(ValueError):
    """A file cannot be rendered; the message names the file and the reason."""


def width_for_size(n_bytes: int) -> int:
    """The Nataraj et al. row width for a file of ``n_bytes`` bytes (32 .. 1024)."""
    for limit, width in NATARAJ_WIDTHS:
        if n_bytes < limit:
            return width
    return 1024


def bytes_to_image(data: bytes, width: int | None = None) -> np.ndarray:
    """File bytes -> uint8 ``(ceil(len / width), width)`` image, 0..255, row-major.

    Parameters
    ----------
    data : the bytes (at least one).
    width : pixels per row; None picks :func:`width_for_size`.

    Raises
    ------
    ValueError
        Empty data, or a width outside 1..65,536.
    """
    if width is None:
        width = width_for_size(len(data))
    if not MIN_WIDTH <= int(width) <= MAX_WIDTH:
        raise ValueError(f"width must be {MIN_WIDTH}..{MAX_WIDTH}, got {width}")
    if len(data) == 0:
        raise ValueError("no bytes to render (empty file)")
    width = int(width)
    height = math.ceil(len(data) / width)
    flat = np.zeros(height * width, np.uint8)
    flat[: len(data)] = np.frombuffer(data, np.uint8)
    return flat.reshape(height, width)


def file_to_image(path: str | Path, width: int | None = None) -> np.ndarray:
    """Read ``path`` and render it with :func:`bytes_to_image`.

    Raises
    ------
    BytesImageError
        Missing, not a file, unreadable, empty or over :data:`MAX_BYTES`.
    """
    path = Path(path)
    name = str(path)
    try:
        if not path.is_file():
            raise BytesImageError(f"{name}: {'is not a file' if path.exists() else 'no such file'}")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BytesImageError(f"{name}: {size:,} bytes is more than the {MAX_BYTES:,} allowed")
        data = path.read_bytes()
    except BytesImageError:
        raise
    except OSError as exc:
        raise BytesImageError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    try:
        return bytes_to_image(data, width)
    except ValueError as exc:
        raise BytesImageError(f"{name}: {exc}") from exc


def save_png(image: np.ndarray, path: str | Path) -> Path:
    """Write a uint8 ``(h, w)`` image as a greyscale PNG, atomically."""
    from PIL import Image

    from digitlab.model.nets.model_files import atomic_write

    def write(tmp: Path) -> None:
        Image.fromarray(np.ascontiguousarray(image, np.uint8), mode="L").save(tmp, format="PNG")

    return atomic_write(path, write)


@dataclass(frozen=True)
class Rendered:
    """One file turned into a picture (``error`` set instead when it failed)."""

    source: str
    output: str | None = None
    width: int = 0
    height: int = 0
    bytes: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def output_name(source: Path, taken: set[str]) -> str:
    """``name.ext`` -> ``name.ext.png``; a clash with an earlier file gets ``-2``, ``-3``..."""
    base = f"{source.name}.png"
    name, k = base, 2
    while name.lower() in taken:
        name = f"{source.name}-{k}.png"
        k += 1
    taken.add(name.lower())
    return name


def convert_files(
    paths,
    out_dir: str | Path,
    width: int | None = None,
    should_stop=None,
    on_progress=None,
    overwrite: bool = False,
) -> list[Rendered]:
    """Render every file in ``paths`` into ``out_dir`` (created), one PNG each.

    A file that cannot be read is reported in its :class:`Rendered` (``error``) and the rest
    are still rendered. A picture whose name is taken by an existing file is not written
    (its ``error`` says so) unless ``overwrite``; one of the inputs is never written over.
    ``on_progress(done, total)`` after each file; ``should_stop()`` is polled before each one.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in paths]
    inputs = {_identity(p) for p in paths} - {None}
    taken: set[str] = set()
    results = []
    for i, source in enumerate(paths):
        if should_stop is not None and should_stop():
            break
        try:
            target = out_dir / output_name(source, taken)
            if _identity(target) in inputs:
                raise BytesImageError(f"{target}: is one of the inputs; not written over")
            if not overwrite and (target.exists() or target.is_symlink()):
                raise BytesImageError(
                    f"{target}: already exists; not written over (--overwrite replaces it)"
                )
            image = file_to_image(source, width)
            save_png(image, target)
            results.append(
                Rendered(
                    str(source),
                    str(target),
                    image.shape[1],
                    image.shape[0],
                    int(source.stat().st_size),
                )
            )
        except (BytesImageError, OSError) as exc:
            results.append(Rendered(str(source), error=str(exc)))
        if on_progress is not None:
            on_progress(i + 1, len(paths))
    return results


def _identity(path: Path) -> tuple[int, int] | None:
    """``(device, inode)`` of an existing file (links and other spellings agree), else None."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def summary_line(results: list[Rendered], out_dir: str | Path) -> str:
    """One JSON line: how many files were written, where, and which failed."""
    done = [r for r in results if r.error is None]
    return json.dumps(
        {
            "written": len(done),
            "failed": len(results) - len(done),
            "out": str(out_dir),
            "files": [r.as_dict() for r in results],
        }
    )
