"""The Explore tab's caches on disk: a model's map and its neighbour index, per weights sha256.

Written atomically (:func:`digitlab.model.nets.model_files.atomic_write`), read with
``allow_pickle=False`` after the file's size and every member's declared (uncompressed) size
were checked against :data:`MAX_CACHE_BYTES`; any mismatch (another model, another version,
a wrong shape or dtype) is a :class:`ValueError` and the caller recomputes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from digitlab.model.data.mnist import check_npz_headers
from digitlab.model.explore.embedding import EmbeddingMap, LayerMap
from digitlab.model.explore.neighbours import NeighbourIndex
from digitlab.model.nets.model_files import atomic_write

CACHE_VERSION = 1
MAX_CACHE_BYTES = 64_000_000
"""A cache file (and the sum of its members, uncompressed) is refused above this size."""


def map_path(folder: str | Path, model: str, key: str) -> Path:
    return Path(folder) / f"map-{model}-{key[:20]}.npz"


def neighbours_path(folder: str | Path, model: str, key: str) -> Path:
    return Path(folder) / f"neighbours-{model}-{key[:20]}.npz"


def _write(path: Path, arrays: dict[str, np.ndarray], check) -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    return atomic_write(path, write, check)


def _read(path: str | Path, key: str) -> dict[str, np.ndarray]:
    """Every array of a cache ``.npz``, after the size checks; the key and version checked."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CACHE_BYTES:
            raise ValueError(f"{path}: {size} bytes, over the cache limit")
        with zipfile.ZipFile(path) as zf:
            declared = sum(info.file_size for info in zf.infolist())
        if declared > MAX_CACHE_BYTES:
            raise ValueError(f"{path}: declares {declared} bytes, over the cache limit")
        with open(path, "rb") as fh:
            check_npz_headers(fh, str(path))
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: np.asarray(data[name]) for name in data.files}
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(f"{path}: unreadable cache ({type(exc).__name__})") from exc
    if str(arrays.get("key", "")) != key or int(arrays.get("version", -1)) != CACHE_VERSION:
        raise ValueError(f"{path}: cached for another model or version")
    return arrays


def _array(arrays: dict, name: str, dtype, shape: tuple[int | None, ...]) -> np.ndarray:
    a = arrays.get(name)
    if a is None or a.dtype != dtype or a.ndim != len(shape):
        raise ValueError(f"cache: {name} missing or of the wrong type")
    if any(want is not None and got != want for got, want in zip(a.shape, shape, strict=True)):
        raise ValueError(f"cache: {name} has shape {a.shape}, expected {shape}")
    if np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
        raise ValueError(f"cache: {name} holds NaN or infinite values")
    return a


def save_map(path: str | Path, emap: EmbeddingMap) -> Path:
    """Write ``emap`` (all its layers) to ``path``."""
    arrays = {
        "key": np.array(emap.key),
        "version": np.array(CACHE_VERSION, np.int32),
        "model": np.array(emap.model),
        "layers": np.array(list(emap.layers)),
        "labels": emap.labels.astype(np.uint8),
        "predicted": emap.predicted.astype(np.uint8),
    }
    for name, lm in emap.layers.items():
        arrays[f"{name}.mean"] = lm.mean
        arrays[f"{name}.basis"] = lm.basis
        for method in lm.axes:
            arrays[f"{name}.axes.{method}"] = lm.axes[method]
            arrays[f"{name}.coords.{method}"] = lm.coords[method]
    return _write(Path(path), arrays, lambda tmp: load_map(tmp, emap.key))


def load_map(path: str | Path, key: str) -> EmbeddingMap:
    """The map :func:`save_map` wrote for the weights with sha256 ``key`` (ValueError if not)."""
    from digitlab.model.explore.embedding import METHODS

    arrays = _read(path, key)
    labels = _array(arrays, "labels", np.uint8, (None,))
    n = len(labels)
    predicted = _array(arrays, "predicted", np.uint8, (n,))
    model = str(arrays.get("model", ""))
    layers = {}
    for name in (str(x) for x in arrays.get("layers", np.array([], str))):
        mean = _array(arrays, f"{name}.mean", np.float32, (None,))
        d = len(mean)
        basis = _array(arrays, f"{name}.basis", np.float32, (d, None))
        axes = {m: _array(arrays, f"{name}.axes.{m}", np.float32, (d, 2)) for m in METHODS}
        coords = {m: _array(arrays, f"{name}.coords.{m}", np.float32, (n, 2)) for m in METHODS}
        layers[name] = LayerMap(model, name, mean, basis, axes, coords)
    if not layers:
        raise ValueError(f"{path}: no layers in the cache")
    return EmbeddingMap(model, key, labels, predicted, layers)


def save_neighbours(path: str | Path, index: NeighbourIndex) -> Path:
    """Write a neighbour index to ``path``."""
    arrays = {
        "key": np.array(index.key),
        "version": np.array(CACHE_VERSION, np.int32),
        "layers": np.array(list(index.reduced)),
    }
    for name, r in index.reduced.items():
        arrays[f"{name}.reduced"] = r
    return _write(Path(path), arrays, lambda tmp: load_neighbours(tmp, index.key))


def load_neighbours(path: str | Path, key: str) -> NeighbourIndex:
    """The index :func:`save_neighbours` wrote for ``key`` (ValueError if not)."""
    arrays = _read(path, key)
    reduced = {
        str(name): _array(arrays, f"{name}.reduced", np.float16, (None, None))
        for name in arrays.get("layers", np.array([], str))
    }
    if not reduced or len({len(r) for r in reduced.values()}) != 1:
        raise ValueError(f"{path}: no layers, or layers of different lengths")
    return NeighbourIndex(key, reduced)


def dreams_path(folder: str | Path, model: str, key: str) -> Path:
    return Path(folder) / f"dreams-{model}-{key[:20]}.npz"


def save_dreams(
    path: str | Path, key: str, dreams: dict[tuple[str, int], tuple[np.ndarray, float]]
) -> Path:
    """Write ``(layer, unit) -> (float32 (28, 28) picture, drive)`` for the weights ``key``."""
    arrays = {"key": np.array(key), "version": np.array(CACHE_VERSION, np.int32)}
    for (layer, unit), (image, drive) in dreams.items():
        arrays[f"{layer}.{int(unit)}.image"] = np.asarray(image, np.float32)
        arrays[f"{layer}.{int(unit)}.drive"] = np.array(float(drive), np.float32)
    return _write(Path(path), arrays, lambda tmp: load_dreams(tmp, key))


def load_dreams(path: str | Path, key: str) -> dict[tuple[str, int], tuple[np.ndarray, float]]:
    """What :func:`save_dreams` wrote for ``key`` (ValueError if not), pictures in 0..1."""
    arrays = _read(path, key)
    out = {}
    for name in arrays:
        if not name.endswith(".image"):
            continue
        layer, unit = name[: -len(".image")].rsplit(".", 1)
        image = _array(arrays, name, np.float32, (28, 28))
        drive = _array(arrays, f"{layer}.{unit}.drive", np.float32, ())
        if image.min() < 0 or image.max() > 1 or not unit.isdigit():
            raise ValueError(f"{path}: {name} is not a picture in 0..1")
        out[(layer, int(unit))] = (image, float(drive))
    return out
