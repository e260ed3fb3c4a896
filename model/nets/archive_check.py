"""Check a ``.keras`` archive's declared sizes before Keras (or the NumPy path) opens it.

A 6 KB archive can declare gigabytes: a bzip2 member that inflates to 8 GB, a config padded
with spaces, a ``Dense(1_000_000)`` layer, a weights dataset with a huge fill value. So
:func:`check_archive` reads only headers and declared sizes first (limits in
:mod:`digitlab.model.limits`), then streams each member through its CRC with a cap, never
holding more than a chunk, then checks the parameters the config declares and the shapes the
weights file declares, all before a single weight is made. Qt-free.
"""

from __future__ import annotations

import io
import json
import math
import stat
import zipfile
from pathlib import Path

from digitlab.model import limits

_CHUNK = 1 << 20
_KNOWN_MEMBERS = ("config.json", "metadata.json", "model.weights.h5", "digitlab.json")
_SMALL_MEMBERS = ("config.json", "metadata.json", "digitlab.json")
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_MAX_INPUT_VALUES = 1_000_000
"""Values in one input sample a model may declare (28x28x1 is 784)."""


class ArchiveLimitError(ValueError):
    """The archive passes a limit; the message says which (without the file's name)."""


def check_archive(path: str | Path) -> dict:
    """The parsed ``config.json`` of a ``.keras`` archive whose every declared size is within
    the limits.

    Raises
    ------
    ArchiveLimitError
        Not a regular file, too large, too many or unknown members, a member compressed
        other than stored/deflate, declared or actual size over its limit, a suspicious
        compression ratio, a corrupt member (CRC), a config that declares too many
        parameters or too large an input, weights that declare too much data.
    zipfile.BadZipFile, OSError
        When it is not a zip archive at all or cannot be read.
    """
    path = Path(path)
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ArchiveLimitError("not a regular file (a pipe, device or folder)")
    if st.st_size > limits.MAX_MODEL_FILE_BYTES:
        raise ArchiveLimitError(f"larger than {limits.MAX_MODEL_FILE_BYTES:,} bytes")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > limits.MAX_MODEL_MEMBERS:
            raise ArchiveLimitError(
                f"{len(infos)} files inside, at most {limits.MAX_MODEL_MEMBERS} are allowed"
            )
        names = {info.filename for info in infos}
        if "config.json" not in names:
            raise ArchiveLimitError("not a Keras model archive (no config.json)")
        for info in infos:
            _check_member_header(info)
        if sum(info.file_size for info in infos) > limits.MAX_MODEL_MEMBER_BYTES:
            raise ArchiveLimitError(
                f"its files declare more than {limits.MAX_MODEL_MEMBER_BYTES:,} bytes in all"
            )
        for info in infos:
            _stream_member(archive, info)
        try:
            config = json.loads(archive.read("config.json").decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ArchiveLimitError("config.json is not JSON") from exc
        check_config(config)
        if "model.weights.h5" in names:
            check_weights(archive.read("model.weights.h5"))
    return config


def _check_member_header(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if name not in _KNOWN_MEMBERS and not name.startswith("assets/"):
        raise ArchiveLimitError(f"unexpected file {name[:80]!r} inside")
    if info.compress_type not in _COMPRESSIONS:
        raise ArchiveLimitError(f"{name} is compressed in a way Keras never writes")
    limit = (
        limits.MAX_MODEL_CONFIG_BYTES if name in _SMALL_MEMBERS else limits.MAX_MODEL_MEMBER_BYTES
    )
    if info.file_size > limit:
        raise ArchiveLimitError(f"{name} declares {info.file_size:,} bytes, over {limit:,}")
    if info.file_size > _CHUNK and info.file_size > limits.MAX_MODEL_RATIO * max(
        info.compress_size, 1
    ):
        raise ArchiveLimitError(
            f"{name} inflates {info.file_size / max(info.compress_size, 1):,.0f} times "
            "(a decompression bomb?)"
        )


def _stream_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read a member through to its CRC check, a chunk at a time, never past its declared
    size (zipfile checks the CRC at the end and raises BadZipFile on a mismatch)."""
    done = 0
    with archive.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            done += len(chunk)
            if done > info.file_size:
                raise ArchiveLimitError(f"{info.filename} is larger than it declares")


def _layers(node):
    """Every ``{"class_name", "config"}`` layer dict in a config, nested models included."""
    if isinstance(node, dict):
        if isinstance(node.get("class_name"), str) and isinstance(node.get("config"), dict):
            yield node
        for value in node.values():
            yield from _layers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _layers(value)


def _positive_ints(value) -> list[int] | None:
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            return None
        out.append(v)
    return out


def declared_parameters(layer: dict) -> int:
    """Parameters a Dense or Conv layer's config declares (kernel and bias), 0 for others;
    the input width comes from its ``build_config``, or is taken as large as the output
    when the config does not say."""
    config = layer["config"]
    width = config.get("units", config.get("filters"))
    if width is None:
        return 0
    (width,) = _positive_ints(width) or [-1]
    if width < 0:
        raise ArchiveLimitError(f"layer {str(config.get('name'))[:40]!r} has a bad size")
    shape = (layer.get("build_config") or {}).get("input_shape")
    dims = _positive_ints(shape) if isinstance(shape, list) and shape else None
    fan_in = dims[-1] if dims else width
    kernel = _positive_ints(config.get("kernel_size", 1)) or [10**9]
    return math.prod(kernel) * fan_in * width + width


def check_config(config) -> None:
    """Refuse a config that declares more than :data:`~digitlab.model.limits.MAX_MODEL_PARAMETERS`
    parameters, or an input larger than a million values, before any layer is built."""
    if not isinstance(config, dict):
        raise ArchiveLimitError("config.json is not a model config")
    total = 0
    for layer in _layers(config):
        conf = layer["config"]
        for key in ("batch_shape", "batch_input_shape", "shape"):
            dims = _positive_ints(conf.get(key)) if isinstance(conf.get(key), list) else []
            if dims is None or math.prod(dims or [1]) > _MAX_INPUT_VALUES:
                raise ArchiveLimitError(f"the model's input {conf.get(key)} is too large")
        total += declared_parameters(layer)
        if total > limits.MAX_MODEL_PARAMETERS:
            raise ArchiveLimitError(
                f"the config declares more than {limits.MAX_MODEL_PARAMETERS:,} parameters"
            )


def check_weights(data: bytes) -> None:
    """Refuse a weights file whose datasets declare more than the limits (each, and all
    together), read from its metadata only: no dataset is read."""
    import h5py

    total = 0

    def visit(_name, obj) -> None:
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            size = math.prod(obj.shape or (1,)) * obj.dtype.itemsize
            if size > limits.MAX_WEIGHT_ARRAY_BYTES:
                raise ArchiveLimitError(
                    f"a weight array declares {size:,} bytes, over "
                    f"{limits.MAX_WEIGHT_ARRAY_BYTES:,}"
                )
            total += size
            if total > 4 * limits.MAX_MODEL_PARAMETERS:
                raise ArchiveLimitError(
                    f"the weights declare more than {limits.MAX_MODEL_PARAMETERS:,} parameters"
                )

    try:
        with h5py.File(io.BytesIO(data), "r") as h5:
            h5.visititems(visit)
    except ArchiveLimitError:
        raise
    except (OSError, ValueError, TypeError) as exc:
        raise ArchiveLimitError("model.weights.h5 is not a readable weights file") from exc
