"""Read and write model files safely: ``.keras`` only, Keras ``safe_mode``, atomic writes.

A model file is code as much as data: a crafted one can run a stranger's code. So only
``.keras`` archives are opened, always with ``safe_mode=True``, and a loaded model must take
``(28, 28, 1)`` and answer with finite probabilities before it is accepted.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

MIN_KERAS = (3, 14)
"""Earlier Keras 3 releases have ``safe_mode`` bypasses (CVE-2025-1550, CVE-2025-8747, ...)."""


class ModelFileError(ValueError):
    """A model file cannot be used; the message names the file and the reason."""


def _keras():
    import keras

    version = tuple(int(p) for p in keras.__version__.split(".")[:2])
    if version < MIN_KERAS:
        raise ModelFileError(
            f"Keras {keras.__version__} is too old to load models safely; 3.14 or newer is required"
        )
    return keras


def check_model(
    model,
    name: str,
    num_classes: int | None = 10,
    input_shape: tuple[int, int, int] | None = (28, 28, 1),
):
    """Refuse a model that does not take ``input_shape`` or give finite probabilities.

    Parameters
    ----------
    num_classes : the number of outputs required, or None for any number >= 2.
    input_shape : the input required, or None for any square greyscale ``(s, s, 1)``
        (models trained on your own images, see :mod:`digitlab.model.data.custom_dataset`).
    """
    shape = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
    if input_shape is not None and shape != tuple(input_shape):
        raise ModelFileError(
            f"{name}: takes input {model.input_shape}, expected (None, "
            f"{', '.join(str(d) for d in input_shape)})"
        )
    if input_shape is None and (
        shape is None or len(shape) != 3 or shape[2] != 1 or shape[0] != shape[1] or not shape[0]
    ):
        raise ModelFileError(
            f"{name}: takes input {model.input_shape}, expected square "
            "greyscale pictures (None, size, size, 1)"
        )
    out = model.output_shape
    if isinstance(out, list) or len(out) != 2:
        raise ModelFileError(f"{name}: gives output {out}, expected (None, classes)")
    if num_classes is not None and out[1] != num_classes:
        raise ModelFileError(f"{name}: gives {out[1]} outputs, expected {num_classes} classes")
    if out[1] is None or out[1] < 2:
        raise ModelFileError(f"{name}: gives {out[1]} outputs, expected at least 2 classes")
    size = int(shape[0])
    probe = np.zeros((2, size, size, 1), np.float32)
    probe[1, size // 4 : size - size // 4, size // 2 - 2 : size // 2 + 2, 0] = 1.0
    try:
        probs = np.asarray(model(probe, training=False), np.float64)
    except Exception as exc:  # a broken graph can raise anything
        raise ModelFileError(
            f"{name}: fails on a test input ({type(exc).__name__}: {exc})"
        ) from exc
    if not np.isfinite(probs).all():
        raise ModelFileError(f"{name}: gives NaN or infinite outputs (broken weights)")
    if (probs < -1e-6).any() or not np.allclose(probs.sum(1), 1.0, atol=1e-3):
        raise ModelFileError(f"{name}: outputs are not probabilities that sum to 1")
    return model


def load_model(
    path: str | Path,
    num_classes: int | None = 10,
    input_shape: tuple[int, int, int] | None = (28, 28, 1),
):
    """Load and check a ``.keras`` model file.

    Raises
    ------
    ModelFileError
        With a sentence naming the file and the reason: wrong extension, missing or empty
        file, not a Keras archive, unsafe content (e.g. a ``Lambda`` layer), wrong input or
        output shape, non-finite outputs.
    """
    path = Path(path)
    name = str(path)
    if path.suffix.lower() != ".keras":
        raise ModelFileError(
            f"{name}: only .keras model files are accepted (got {path.suffix or 'no extension'!r})"
        )
    if not path.exists():
        raise ModelFileError(f"{name}: no such file")
    if not path.is_file():
        raise ModelFileError(f"{name}: is not a file")
    if path.stat().st_size == 0:
        raise ModelFileError(f"{name}: the file is empty")
    check_archive_of(path)
    keras = _keras()
    try:
        model = _load_keras_members(keras, path)
    except Exception as exc:  # Keras raises many types for bad archives
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "lambda" in text.lower() or "safe_mode" in text or "unsafe" in text.lower():
            raise ModelFileError(
                f"{name}: refused, it contains code (a Lambda layer or similar)"
            ) from exc
        raise ModelFileError(f"{name}: cannot be loaded as a Keras model ({text[:200]})") from exc
    if not hasattr(model, "input_shape"):
        raise ModelFileError(f"{name}: is not a Keras model")
    return check_model(model, name, num_classes, input_shape)


_KERAS_MEMBERS = ("config.json", "metadata.json", "model.weights.h5")


def _load_keras_members(keras, path: Path):
    """Keras' safe loader on the archive's three Keras members only, handed over in memory.

    Keras extracts the whole archive to the temp folder when it holds more than three files
    (ours with class names hold four), which a kill -9 leaves behind; read from memory (the
    sizes are checked by :func:`check_archive_of` first) nothing is written anywhere.
    """
    try:
        from keras.src.saving import saving_lib
    except ImportError:  # another Keras layout: its public loader, from the file
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as members:
        for name in _KERAS_MEMBERS:
            if name in source.namelist():
                members.writestr(name, source.read(name))
    buffer.seek(0)
    return saving_lib.load_model(buffer, compile=False, safe_mode=True)


def check_archive_of(path: Path) -> dict:
    """:func:`digitlab.model.nets.archive_check.check_archive` with its refusals as
    :class:`ModelFileError` naming the file; returns the parsed ``config.json``."""
    from digitlab.model.nets.archive_check import ArchiveLimitError, check_archive

    try:
        return check_archive(path)
    except ArchiveLimitError as exc:
        raise ModelFileError(f"{path}: {exc}") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ModelFileError(
            f"{path}: not a Keras model archive (truncated or not a zip file)"
        ) from exc


STALE_AFTER_S = 3600
"""A temporary file of :func:`atomic_write` older than this was left by a killed process
(a save takes well under a second)."""


def remove_stale_temporaries(folder: str | Path, older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove what :func:`atomic_write` (and :func:`save_model`'s staging, and the checked
    copies of :mod:`digitlab.model.data.personal_store`) left in ``folder`` when a process
    was killed mid-save: hidden ``.name-XXXXXXXX.ext.tmp`` / ``.name-XXXXXXXX.keras`` files
    older than ``older_than_s``. Returns what was removed; never raises."""
    import re
    import time

    pattern = re.compile(r"^\..+-[A-Za-z0-9_]{8}\.[^.]+(\.tmp)?$|^\..+\.bad-[0-9-]+\.tmp$")
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        try:
            if (
                pattern.match(entry.name)
                and (entry.name.endswith(".tmp") or entry.suffix == ".keras")
                and entry.is_file()
                and not entry.is_symlink()
                and now - entry.stat().st_mtime > older_than_s
            ):
                entry.unlink()
                removed.append(entry)
        except OSError:
            continue
    return removed


def atomic_write(
    path: str | Path, write: Callable[[Path], None], verify: Callable[[Path], None] | None = None
) -> Path:
    """Write a file so the previous version survives any failure.

    ``write`` fills a temporary file in the same folder; ``verify`` (if given) re-reads it;
    then it replaces ``path`` in one ``os.replace``. On any error the temporary file is
    removed, ``path`` is untouched and the error is re-raised. A symbolic link is written
    through (its target is replaced, the link stays).
    """
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.stem}-", suffix=path.suffix + ".tmp", dir=path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); give it the mode a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if verify is not None:
            verify(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def save_model(
    model,
    path: str | Path,
    num_classes: int | None = None,
    class_names: tuple[str, ...] | list[str] | None = None,
) -> Path:
    """Save ``model`` as ``.keras`` atomically, checking that the written file loads back.

    ``class_names`` (one per output) are stored inside the archive as ``digitlab.json``
    (Keras ignores the extra member); :func:`read_class_names` reads them back.
    """
    path = Path(path)
    if path.suffix.lower() != ".keras":
        raise ModelFileError(f"{path}: models are saved as .keras files")
    keras = _keras()
    if class_names is not None and len(class_names) != model.output_shape[-1]:
        raise ModelFileError(
            f"{path}: {len(class_names)} class names for {model.output_shape[-1]} outputs"
        )

    def write(tmp: Path) -> None:
        # Keras insists on the .keras suffix, which the temporary name ends with after .tmp;
        # so write to a sibling with the right suffix and move it over the temporary file.
        staging = tmp.with_name(tmp.name[: -len(".tmp")])
        try:
            keras.saving.save_model(model, staging)
            if class_names is not None:
                with zipfile.ZipFile(staging, "a") as archive:
                    archive.writestr(
                        METADATA_MEMBER, json.dumps({"class_names": [str(c) for c in class_names]})
                    )
            os.replace(staging, tmp)
        finally:
            staging.unlink(missing_ok=True)

    def verify(tmp: Path) -> None:
        staged = tmp.with_name(tmp.name[: -len(".tmp")])
        os.replace(tmp, staged)
        try:
            load_model(staged, num_classes=num_classes or model.output_shape[-1], input_shape=None)
            if class_names is not None and read_class_names(staged) != tuple(map(str, class_names)):
                raise ModelFileError(f"{path}: the class names did not survive the save")
        finally:
            os.replace(staged, tmp)

    return atomic_write(path, write, verify)


METADATA_MEMBER = "digitlab.json"
"""The archive member holding Digit Lab's metadata (``{"class_names": [...]}``)."""
MAX_METADATA_BYTES = 1_000_000


def read_class_names(path: str | Path) -> tuple[str, ...] | None:
    """The class names stored by :func:`save_model`, or None when the file has none (the
    bundled digit models, files saved elsewhere) or they are unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(METADATA_MEMBER)
            if info.file_size > MAX_METADATA_BYTES:
                return None
            meta = json.loads(archive.read(info).decode("utf-8"))
    except (KeyError, OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None
    names = meta.get("class_names") if isinstance(meta, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return tuple(names)


def metrics_path_for(model_path: str | Path) -> Path:
    """The metrics file beside a model, under its own name: ``cnn_A.keras`` ->
    ``cnn_A.metrics.json`` (two models in one folder keep their own)."""
    model_path = Path(model_path)
    return model_path.with_name(f"{model_path.stem}.metrics.json")


def write_json_atomic(path: str | Path, obj) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    text = json.dumps(obj, indent=2, sort_keys=False) + "\n"
    return atomic_write(
        path,
        lambda tmp: tmp.write_text(text, encoding="utf-8"),
        lambda tmp: json.loads(tmp.read_text("utf-8")),
    )
