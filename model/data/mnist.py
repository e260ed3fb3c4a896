"""Load and validate MNIST-layout datasets (``x_train``, ``y_train``, ``x_test``, ``y_test``).

:func:`load_mnist` is the one way the app reads the bundled MNIST: read and validated once
per process, then shared (training, evaluation, colour-scale calibration, the Explain tab's
top digits and the command line all get the same read-only arrays).
"""

from __future__ import annotations

import functools
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.model import limits
from digitlab.model.data.bundled import MNIST_PATH

IMAGE_SHAPE = (28, 28)
KEYS = ("x_train", "y_train", "x_test", "y_test")


class DatasetError(ValueError):
    """A dataset file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Dataset:
    """MNIST-layout arrays.

    Attributes
    ----------
    x_train, x_test : uint8 ``(n, 28, 28)``, 0..255, white digit on black.
    y_train, y_test : uint8 ``(n,)``, labels 0..num_classes-1.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def num_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def to_model_input(x: np.ndarray) -> np.ndarray:
    """uint8 ``(n, 28, 28)`` 0..255 -> float32 ``(n, 28, 28, 1)`` 0..1 (the models' contract)."""
    return (np.asarray(x, np.float32) / 255.0)[..., None]


def _check_split(name: str, x: np.ndarray, y: np.ndarray, split: str, num_classes: int) -> None:
    if x.dtype == object or y.dtype == object:
        raise DatasetError(f"{name}: {split} holds Python objects, not numbers")
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise DatasetError(f"{name}: x_{split} has shape {x.shape}, expected (n, 28, 28)")
    if y.ndim != 1:
        raise DatasetError(f"{name}: y_{split} has shape {y.shape}, expected (n,)")
    if len(x) != len(y):
        raise DatasetError(f"{name}: x_{split} has {len(x)} images but y_{split} {len(y)} labels")
    if len(x) == 0:
        raise DatasetError(f"{name}: {split} split has no rows")
    if x.dtype != np.uint8:
        if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
            raise DatasetError(f"{name}: x_{split} holds NaN or infinite pixels")
        raise DatasetError(f"{name}: x_{split} has dtype {x.dtype}, expected uint8 (0..255)")
    if not np.issubdtype(y.dtype, np.integer):
        raise DatasetError(f"{name}: y_{split} has dtype {y.dtype}, expected integers")
    if y.min() < 0 or y.max() >= num_classes:
        raise DatasetError(
            f"{name}: y_{split} has labels {int(y.min())}..{int(y.max())}, "
            f"expected 0..{num_classes - 1}"
        )


def check_npz_headers(fh, name: str) -> None:
    """Refuse an ``.npz`` (an open binary file) whose arrays declare more than the limits of
    :mod:`digitlab.model.limits`, read from the zip directory and each ``.npy`` header only:
    no array is decompressed or allocated.

    Raises
    ------
    DatasetError
        Too many members, a compression numpy never writes, an object (pickled) array, an
        array or all arrays together declaring more bytes than allowed, or a member too
        short for what its header declares.
    """
    with zipfile.ZipFile(fh) as archive:
        infos = archive.infolist()
        if len(infos) > limits.MAX_NPZ_MEMBERS:
            raise DatasetError(f"{name}: {len(infos)} arrays, at most {limits.MAX_NPZ_MEMBERS}")
        total = 0
        for info in infos:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise DatasetError(f"{name}: {info.filename} is compressed in an unknown way")
            with archive.open(info) as member:
                try:
                    version = np.lib.format.read_magic(member)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read_header(member)
                except ValueError as exc:
                    raise DatasetError(f"{name}: {info.filename} is not a NumPy array") from exc
            if dtype.hasobject:
                raise DatasetError(f"{name}: holds pickled Python objects, refused")
            size = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if size > limits.MAX_ARRAY_BYTES:
                raise DatasetError(
                    f"{name}: {info.filename} declares {shape} ({size:,} bytes), over "
                    f"{limits.MAX_ARRAY_BYTES:,}"
                )
            if info.file_size < size:
                raise DatasetError(f"{name}: {info.filename} is shorter than its header says")
            total += size
            if total > limits.MAX_ARRAYS_TOTAL_BYTES:
                raise DatasetError(
                    f"{name}: its arrays declare more than {limits.MAX_ARRAYS_TOTAL_BYTES:,} bytes"
                )


def load_dataset(path: str | Path = MNIST_PATH, num_classes: int = 10) -> Dataset:
    """Load an MNIST-layout ``.npz`` (the bundled MNIST, Keras's cache, or your own).

    Never unpickles: object arrays are refused.

    Raises
    ------
    DatasetError
        If the file is missing, unreadable, not an npz, or its arrays have the wrong keys,
        dtypes, shapes, lengths or labels.
    """
    path = Path(path)
    name = str(path)
    if path.exists() and not (path.is_file() or path.is_dir()):
        raise DatasetError(f"{name}: not a regular file (a pipe or device)")
    try:
        # Open the file ourselves: np.load leaks its handle when the zip is corrupt.
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                raise DatasetError(f"{name}: not an .npz file (no zip signature)")
            fh.seek(0)
            check_npz_headers(fh, name)
            fh.seek(0)
            npz = np.load(fh, allow_pickle=False)
            with npz:
                missing = [k for k in KEYS if k not in npz.files]
                if missing:
                    raise DatasetError(
                        f"{name}: missing arrays {', '.join(missing)} (has {npz.files})"
                    )
                arrays = {k: npz[k] for k in KEYS}
    except DatasetError:
        raise
    except FileNotFoundError as exc:
        raise DatasetError(f"{name}: no such file") from exc
    except IsADirectoryError as exc:
        raise DatasetError(f"{name}: is a folder, not an .npz file") from exc
    except PermissionError as exc:
        raise DatasetError(f"{name}: permission denied") from exc
    except ValueError as exc:
        # numpy raises ValueError for object arrays when allow_pickle=False.
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise DatasetError(f"{name}: holds pickled Python objects, refused") from exc
        raise DatasetError(f"{name}: not a readable .npz file ({exc})") from exc
    except (OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise DatasetError(f"{name}: not a readable .npz file ({exc})") from exc
    for split in ("train", "test"):
        _check_split(name, arrays[f"x_{split}"], arrays[f"y_{split}"], split, num_classes)
    return Dataset(
        arrays["x_train"],
        arrays["y_train"].astype(np.uint8),
        arrays["x_test"],
        arrays["y_test"].astype(np.uint8),
    )


_BUNDLED_LOCK = threading.Lock()
"""Held while the bundled MNIST is read, so two threads asking at once read it once."""


def load_mnist() -> Dataset:
    """The bundled full MNIST (60,000 training and 10,000 test digits), validated by
    :func:`load_dataset`, read once per process and shared by every caller (thread-safe).

    The arrays are read-only (uint8 ``(n, 28, 28)`` images, uint8 ``(n,)`` labels): copy
    before changing one.

    Raises
    ------
    DatasetError
        If the bundled file is missing or broken (nothing is cached then).
    """
    with _BUNDLED_LOCK:
        return _bundled_mnist()


def mnist_test_inputs() -> np.ndarray:
    """float32 ``(10000, 28, 28, 1)`` in 0..1, read-only: the model inputs of the bundled
    MNIST test digits (:func:`to_model_input` of ``load_mnist().x_test``), made once."""
    with _BUNDLED_LOCK:
        return _bundled_test_inputs()


@functools.lru_cache(maxsize=1)
def _bundled_mnist() -> Dataset:
    data = load_dataset(MNIST_PATH)
    for array in (data.x_train, data.y_train, data.x_test, data.y_test):
        array.setflags(write=False)
    return data


@functools.lru_cache(maxsize=1)
def _bundled_test_inputs() -> np.ndarray:
    inputs = to_model_input(_bundled_mnist().x_test)
    inputs.setflags(write=False)
    return inputs
