"""Your own image classes as a dataset: a folder of class subfolders, or an MNIST-layout .npz.

A folder ``data/`` with ``data/cats/*.png``, ``data/dogs/*.jpg`` ... becomes classes
``cats``, ``dogs`` (sorted by name; labels 0, 1, ... in that order). Every picture is read
through :func:`digitlab.model.data.images.load_image` (safe decoding, size limits), converted
to greyscale by the same function as a picture dropped on the canvas (colour by luminance,
transparent pixels are white paper), stretched to ``size x size`` (area averaging when
shrinking) and kept as uint8 0..255, *without* inverting: pixels are used as stored.
Then each class is split into train and test images separately (stratified, seeded).

Policy for bad input: a picture that cannot be decoded is **skipped and counted** (see
:attr:`CustomDataset.skipped`); a folder is **refused** with :class:`CustomDatasetError` when
it has no class subfolders, only one class, a class with no readable pictures, or a class with
a single picture (it cannot be in both splits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitlab.model.data.folders import FolderLimitError, bounded_listing
from digitlab.model.data.images import ImageFileError, load_image
from digitlab.model.data.mnist import Dataset, DatasetError, load_dataset
from digitlab.model.nets.wording import plural
from digitlab.model.preprocess.pictures import to_grey

IMAGE_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
    ".webp",
    ".ppm",
    ".pgm",
    ".pbm",
)

DEFAULT_SIZE = 28
DEFAULT_TEST_SHARE = 0.2
MIN_SIZE, MAX_SIZE = 12, 128
MAX_CLASSES = 100
DIGIT_NAMES = tuple(str(i) for i in range(10))


class CustomDatasetError(DatasetError):
    """A folder or file cannot be used as a dataset; the message says why."""


@dataclass(frozen=True)
class CustomDataset(Dataset):
    """MNIST-layout arrays plus what they are.

    Attributes
    ----------
    x_train, x_test : uint8 ``(n, size, size)``, 0..255, pixels as stored (no inversion).
    y_train, y_test : uint8 ``(n,)``, labels 0..len(class_names)-1.
    class_names : one name per label, in label order.
    source : the folder or file it came from.
    skipped : ``(path, reason)`` of pictures that could not be read and were left out.
    """

    class_names: tuple[str, ...] = ()
    source: str = ""
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_size(self) -> int:
        return int(self.x_train.shape[1])

    def counts(self) -> dict[str, tuple[int, int]]:
        """Class name -> (training images, test images)."""
        train = np.bincount(self.y_train, minlength=self.num_classes)
        test = np.bincount(self.y_test, minlength=self.num_classes)
        return {name: (int(train[i]), int(test[i])) for i, name in enumerate(self.class_names)}


@dataclass(frozen=True)
class FolderScan:
    """A folder's classes and picture files, found without decoding anything.

    classes : class name -> sorted picture paths (by extension; hidden files left out).
    ignored : files in class folders that are not pictures by their extension.
    loose : pictures lying in the top folder itself (not in a class folder; not used).
    """

    root: Path
    classes: dict[str, list[Path]] = field(default_factory=dict)
    ignored: int = 0
    loose: int = 0

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.classes)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.classes.values())

    def problems(self) -> list[str]:
        """Why this folder cannot be used (empty when it can be tried)."""
        root = self.root
        if not self.classes:
            hint = (
                (
                    f" ({plural(self.loose, 'picture')} in the folder itself: put each "
                    "class in its own subfolder)"
                )
                if self.loose
                else ""
            )
            return [f"{root}: no class subfolders{hint}"]
        found = []
        empty = [name for name, files in self.classes.items() if not files]
        if empty:
            found.append(f"{root}: class {', '.join(repr(e) for e in empty)} has no pictures")
        single = [name for name, files in self.classes.items() if len(files) == 1]
        if single:
            found.append(
                f"{root}: class {', '.join(repr(s) for s in single)} has only one "
                "picture; each class needs at least two (one to train, one to test)"
            )
        if len(self.classes) == 1:
            found.append(
                f"{root}: only one class ({self.class_names[0]!r}); a classifier needs "
                "at least two class subfolders"
            )
        if len(self.classes) > MAX_CLASSES:
            found.append(
                f"{root}: {len(self.classes)} classes, at most {MAX_CLASSES} are supported"
            )
        return found


def _is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


def scan_folder(folder: str | Path) -> FolderScan:
    """List the class subfolders of ``folder`` and their pictures (nothing is decoded).

    Raises
    ------
    CustomDatasetError
        The folder does not exist or is not a folder or cannot be listed.
    """
    root = Path(folder)
    if not root.exists():
        raise CustomDatasetError(f"{root}: no such folder")
    if not root.is_dir():
        raise CustomDatasetError(f"{root}: is not a folder")
    classes: dict[str, list[Path]] = {}
    ignored = loose = 0
    try:
        for entry in bounded_listing(root):
            if _is_hidden(entry):
                continue
            if entry.is_dir():
                files = []
                for f in bounded_listing(entry):
                    if _is_hidden(f) or not f.is_file():
                        continue
                    if f.suffix.lower() in IMAGE_SUFFIXES:
                        files.append(f)
                    else:
                        ignored += 1
                classes[entry.name] = files
            elif entry.suffix.lower() in IMAGE_SUFFIXES:
                loose += 1
    except FolderLimitError as exc:
        raise CustomDatasetError(str(exc)) from exc
    except OSError as exc:
        raise CustomDatasetError(f"{root}: cannot be listed ({exc.strerror or exc})") from exc
    return FolderScan(root, classes, ignored, loose)


def picture_to_grey(pixels: np.ndarray) -> np.ndarray:
    """A decoded picture as a dataset stores it: uint8 ``(h, w)``, 0..255, 255 = white.

    ``pixels`` is anything :func:`digitlab.model.data.images.load_image` returns; the grey
    levels are those of :func:`digitlab.model.preprocess.pictures.to_grey` (the conversion
    the canvas and ``digitlab classify`` use), rounded to bytes: colour by luminance, and
    transparent pixels are white paper.

    Raises
    ------
    PreprocessError
        (a ValueError) What :func:`~digitlab.model.preprocess.pictures.to_grey` refuses.
    """
    return np.round(to_grey(pixels) * 255.0).astype(np.uint8)


def resize_square(grey: np.ndarray, size: int) -> np.ndarray:
    """uint8 ``(h, w)`` -> uint8 ``(size, size)``: stretched (no padding), area-averaged when
    shrinking, bilinear when growing."""
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(grey, np.uint8), mode="L")
    shrink = grey.shape[0] >= size and grey.shape[1] >= size
    method = Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR
    return np.asarray(img.resize((size, size), method), np.uint8)


def picture_to_array(path: str | Path, size: int = DEFAULT_SIZE) -> np.ndarray:
    """One picture file -> uint8 ``(size, size)`` greyscale (raises ImageFileError)."""
    try:
        return resize_square(picture_to_grey(load_image(path)), size)
    except ImageFileError:
        raise
    except (ValueError, OSError, MemoryError) as exc:
        raise ImageFileError(f"{path}: cannot be converted ({exc})") from exc


def _check_options(size: int, test_share: float) -> None:
    if not MIN_SIZE <= int(size) <= MAX_SIZE:
        raise CustomDatasetError(f"image size must be {MIN_SIZE}..{MAX_SIZE} pixels, got {size}")
    if not 0.0 < float(test_share) < 1.0:
        raise CustomDatasetError(f"the test share must be between 0 and 1, got {test_share}")


def stratified_split(
    labels: np.ndarray, test_share: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) with each class split on its own in the same proportion.

    Every class with at least two members puts at least one in each split. Both come
    shuffled (so the first N training images hold every class). The result is the same for
    the same labels, share and seed.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        n = len(members)
        k = int(round(n * test_share))
        if n >= 2:
            k = min(max(k, 1), n - 1)
        test.append(members[:k])
        train.append(members[k:])
    return (
        rng.permutation(np.concatenate(train)).astype(np.int64),
        rng.permutation(np.concatenate(test)).astype(np.int64),
    )


def load_folder(
    folder: str | Path,
    size: int = DEFAULT_SIZE,
    test_share: float = DEFAULT_TEST_SHARE,
    seed: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> CustomDataset:
    """Read a folder of class subfolders into a :class:`CustomDataset` (see the module text).

    ``on_progress(done, total)`` is called as pictures are read; ``should_stop()`` polled
    between pictures (True raises :class:`InterruptedError`).

    Raises
    ------
    CustomDatasetError
        No such folder, no class subfolders, one class, a class with no (readable) pictures
        or only one, bad size or share.
    """
    _check_options(size, test_share)
    scan = scan_folder(folder)
    problems = scan.problems()
    if problems:
        raise CustomDatasetError("; ".join(problems))
    images, labels, skipped = [], [], []
    total, done = scan.total, 0
    for label, files in enumerate(scan.classes.values()):
        for path in files:
            if should_stop is not None and should_stop():
                raise InterruptedError("reading the folder was cancelled")
            try:
                images.append(picture_to_array(path, size))
                labels.append(label)
            except ImageFileError as exc:
                skipped.append((str(path), str(exc)))
            done += 1
            if on_progress is not None:
                on_progress(done, total)
    y = np.asarray(labels, np.int64)
    counts = np.bincount(y, minlength=len(scan.classes))
    unreadable = [n for n, c in zip(scan.class_names, counts, strict=True) if c == 0]
    if unreadable:
        raise CustomDatasetError(
            f"{scan.root}: no readable pictures in class "
            f"{', '.join(repr(u) for u in unreadable)} "
            f"({plural(len(skipped), 'picture')} could not be read)"
        )
    lonely = [n for n, c in zip(scan.class_names, counts, strict=True) if c == 1]
    if lonely:
        raise CustomDatasetError(
            f"{scan.root}: only one readable picture in class "
            f"{', '.join(repr(n) for n in lonely)}; each class needs two"
        )
    x = np.stack(images)
    train, test = stratified_split(y, test_share, seed)
    return CustomDataset(
        x[train],
        y[train].astype(np.uint8),
        x[test],
        y[test].astype(np.uint8),
        class_names=scan.class_names,
        source=str(scan.root),
        skipped=tuple(skipped),
    )


def load_npz(path: str | Path) -> CustomDataset:
    """An MNIST-layout ``.npz`` (``x_train``, ``y_train``, ``x_test``, ``y_test``; uint8
    ``(n, 28, 28)``; integer labels) with any number of classes (2..100), optionally with
    ``class_names``: a string array, one per label. Never unpickles.

    Raises
    ------
    CustomDatasetError
        What :func:`digitlab.model.data.mnist.load_dataset` refuses, fewer than two classes, or
        ``class_names`` of the wrong length or type.
    """
    path = Path(path)
    try:
        data = load_dataset(path, num_classes=MAX_CLASSES)
    except CustomDatasetError:
        raise
    except DatasetError as exc:
        raise CustomDatasetError(str(exc)) from exc
    k = data.num_classes
    names: tuple[str, ...] = tuple(str(i) for i in range(k))
    with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as npz:
        if "class_names" in npz.files:
            try:
                raw = npz["class_names"]
            except ValueError as exc:
                raise CustomDatasetError(
                    f"{path}: class_names holds Python objects, refused"
                ) from exc
            if raw.dtype.kind not in "US" or raw.ndim != 1:
                raise CustomDatasetError(f"{path}: class_names must be a 1-d array of strings")
            k = max(k, len(raw))
            if len(raw) != k:
                raise CustomDatasetError(f"{path}: {len(raw)} class_names but labels up to {k - 1}")
            names = tuple(str(s.decode() if isinstance(s, bytes) else s) for s in raw)
    if k < 2 or len(np.unique(data.y_train)) < 2:
        raise CustomDatasetError(
            f"{path}: the training labels hold only one class; a classifier needs at least two"
        )
    return CustomDataset(
        data.x_train, data.y_train, data.x_test, data.y_test, class_names=names, source=str(path)
    )


def save_npz(data: CustomDataset, path: str | Path) -> Path:
    """Write ``data`` as an MNIST-layout ``.npz`` with ``class_names``, atomically."""
    from digitlab.model.nets.model_files import atomic_write

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                x_train=data.x_train,
                y_train=data.y_train,
                x_test=data.x_test,
                y_test=data.y_test,
                class_names=np.asarray(data.class_names, dtype=str),
            )

    return atomic_write(path, write)


def load_source(
    spec: str | Path,
    size: int = DEFAULT_SIZE,
    test_share: float = DEFAULT_TEST_SHARE,
    seed: int = 0,
    on_progress=None,
    should_stop=None,
) -> CustomDataset:
    """A folder of class subfolders or an ``.npz`` file, whichever ``spec`` names."""
    path = Path(spec)
    if path.is_dir():
        return load_folder(path, size, test_share, seed, on_progress, should_stop)
    if path.suffix.lower() == ".npz":
        return load_npz(path)
    if not path.exists():
        raise CustomDatasetError(f"{path}: no such folder or file")
    raise CustomDatasetError(f"{path}: give a folder of class subfolders or an MNIST-layout .npz")
