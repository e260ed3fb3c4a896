"""What the layers look for: weights as pictures, and each unit's strongest MNIST test digits.

* :func:`kernel_mosaic` lays out a Conv2D kernel ``(k, k, in, out)`` as one image: conv1's
  32 3x3 kernels in a row block, conv2's 64 x 32 kernels as a grid (one row per output
  channel, one column per input channel).
* :func:`dense_templates` turns the dense network's first-layer weights ``(784, 128)`` into
  128 28x28 templates in one mosaic.
* :func:`top_activating` finds, for every unit of the chosen layers, the MNIST test digits
  that drive it hardest (a conv channel's maximum over positions); precomputed once per model
  and cached by the weights' sha256 (:func:`fingerprint`, :func:`save_top`, :func:`load_top`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from digitlab.model.data.mnist import check_npz_headers
from digitlab.model.explain.mosaic import CellGrid
from digitlab.model.nets.model_files import atomic_write

TOP_K = 9
"""Digits kept per unit."""
TOP_LAYERS = {"cnn": ("conv1", "conv2"), "dense": ("hidden",)}
"""The layers whose units get their top digits."""
CACHE_VERSION = 1


class Grid(CellGrid):
    """Where cell ``i`` of a weight mosaic sits (the shared geometry of
    :class:`digitlab.model.explain.mosaic.CellGrid`): ``rows x cols`` cells of ``h x w`` with
    ``gap`` px, ``count`` of them used."""

    def locate(self, y: float, x: float) -> int | None:
        """The cell under mosaic pixel ``(y, x)``, or None on a gap or outside."""
        found = self.cell_at(y, x)
        return None if found is None else found[0]


def unit_at(grid: Grid, layer: str, cell: int) -> int:
    """The unit a mosaic cell belongs to: the cell itself, except on ``conv2``, whose grid
    has one row of ``grid.cols`` input-channel kernels per unit (see :func:`kernel_mosaic`)."""
    return cell // grid.cols if layer == "conv2" else cell


def unit_outline(grid: Grid, layer: str, unit: int) -> tuple[int, int, int, int]:
    """Where ``unit`` sits in its mosaic, as mosaic pixels ``(top, left, height, width)``:
    its cell, or on ``conv2`` its whole row of kernels."""
    if layer == "conv2":
        return unit * (grid.h + grid.gap), 0, grid.h, grid.shape[1]
    top, left = grid.cell_origin(unit)
    return top, left, grid.h, grid.w


def tile(
    cells: np.ndarray, cols: int, gap: int = 1, fill: float = np.nan
) -> tuple[np.ndarray, Grid]:
    """Tile ``(n, h, w)`` cells row by row into one float32 image (gaps hold ``fill``)."""
    cells = np.asarray(cells, np.float32)
    n, h, w = cells.shape
    rows = math.ceil(n / cols)
    grid = Grid(h, w, rows, cols, gap, n)
    out = np.full(grid.shape, fill, np.float32)
    for i in range(n):
        top, left = grid.cell_origin(i)
        out[top : top + h, left : left + w] = cells[i]
    return out, grid


def kernel_mosaic(kernel: np.ndarray, gap: int = 1) -> tuple[np.ndarray, Grid, float]:
    """A Conv2D kernel as one image.

    Parameters
    ----------
    kernel : float ``(k, k, in_channels, out_channels)`` (Keras layout).

    Returns
    -------
    (image, grid, level) : float32 mosaic with NaN gaps; its :class:`Grid`; and the
        symmetric colour level ``max |weight|``. With one input channel (conv1) the
        ``out_channels`` kernels are laid out 4 rows deep; otherwise cell ``o * in + i`` is
        output channel ``o`` (a row) reading input channel ``i`` (a column).
    """
    k = np.asarray(kernel, np.float32)
    if k.ndim != 4:
        raise ValueError(f"expected a (k, k, in, out) kernel, got {k.shape}")
    kh, kw, cin, cout = k.shape
    cells = np.transpose(k, (3, 2, 0, 1)).reshape(cout * cin, kh, kw)
    cols = cin if cin > 1 else max(1, math.ceil(cout / 4))
    image, grid = tile(cells, cols, gap)
    level = float(np.abs(k).max()) or 1.0
    return image, grid, level


def dense_templates(
    weights: np.ndarray, cols: int = 16, gap: int = 1
) -> tuple[np.ndarray, Grid, float]:
    """First-layer weights ``(784, units)`` as ``units`` 28x28 templates in one mosaic.

    Returns ``(image, grid, level)`` as :func:`kernel_mosaic`; each template is scaled by the
    same level, so brighter means a stronger weight in every template.
    """
    w = np.asarray(weights, np.float32)
    if w.ndim != 2 or w.shape[0] != 28 * 28:
        raise ValueError(f"expected (784, units) weights, got {w.shape}")
    cells = w.T.reshape(-1, 28, 28)
    image, grid = tile(cells, cols, gap)
    level = float(np.percentile(np.abs(w), 99.5)) or 1.0
    return image, grid, level


def fingerprint(weights: Sequence[np.ndarray]) -> str:
    """sha256 of a model's weights (shapes and bytes): the cache key of its top digits."""
    h = hashlib.sha256()
    for w in weights:
        a = np.ascontiguousarray(w, np.float32)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def top_activating(
    layer_outputs: Callable[[np.ndarray], dict[str, np.ndarray]],
    images: np.ndarray,
    k: int = TOP_K,
    batch_size: int = 500,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, np.ndarray] | None:
    """For every unit of some layers, the indices of the ``k`` images that activate it most.

    Parameters
    ----------
    layer_outputs : ``f(batch) -> {layer: float (n, h, w, c) or (n, units)}`` for float32
        ``(n, 28, 28, 1)`` inputs.
    images : float32 ``(N, 28, 28[, 1])`` in 0..1 (e.g. the 10,000 MNIST test digits).
    should_stop : checked between batches; when it returns True the result is None.

    Returns
    -------
    layer -> int32 ``(units, k)``: image indices, strongest first (a conv channel's score for
    an image is its maximum over positions).
    """
    scores: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(images), batch_size):
        if should_stop is not None and should_stop():
            return None
        outs = layer_outputs(images[start : start + batch_size])
        for name, a in outs.items():
            a = np.asarray(a, np.float32)
            if a.ndim == 4:
                a = a.max(axis=(1, 2))
            scores.setdefault(name, []).append(a)
    result = {}
    for name, parts in scores.items():
        s = np.concatenate(parts).T  # (units, N)
        k_eff = min(k, s.shape[1])
        idx = np.argpartition(-s, k_eff - 1, axis=1)[:, :k_eff]
        order = np.argsort(-np.take_along_axis(s, idx, axis=1), axis=1, kind="stable")
        result[name] = np.take_along_axis(idx, order, axis=1).astype(np.int32)
    return result


def save_top(path: str | Path, key: str, top: dict[str, np.ndarray]) -> Path:
    """Write top digits to ``.npz`` atomically, tagged with the model's fingerprint ``key``."""
    arrays = {f"layer_{name}": np.asarray(v, np.int32) for name, v in top.items()}
    arrays["key"] = np.array(key)
    arrays["version"] = np.array(CACHE_VERSION, np.int32)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    return atomic_write(path, write, lambda tmp: load_top(tmp, key))


def load_top(path: str | Path, key: str, n_images: int | None = None) -> dict[str, np.ndarray]:
    """Read top digits written by :func:`save_top` for the model with fingerprint ``key``.

    Raises
    ------
    ValueError
        When the file is missing, unreadable, for another model or version, or holds indices
        out of range (``0 <= i < n_images``).
    """
    try:
        with open(path, "rb") as fh:
            check_npz_headers(fh, str(path))
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key or int(data["version"]) != CACHE_VERSION:
                raise ValueError(f"{path}: cached for another model")
            top = {
                name[len("layer_") :]: np.asarray(data[name])
                for name in data.files
                if name.startswith("layer_")
            }
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(f"{path}: unreadable cache ({type(exc).__name__})") from exc
    for name, v in top.items():
        if (
            v.ndim != 2
            or v.dtype.kind not in "iu"
            or (v.size and v.min() < 0)
            or (n_images is not None and v.size and v.max() >= n_images)
        ):
            raise ValueError(f"{path}: bad entry for {name}")
    return top
