"""Small hostile files made on the fly for the hostile-file suite and its benchmark
(``benchmarks/hostile_files.py``): each declares far more than it holds."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from digitlab.model.data.bundled import bundled_model_path


def _bundled_members(model: str = "dense") -> dict[str, bytes]:
    with zipfile.ZipFile(bundled_model_path(model)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def keras_with(path: Path, members: dict[str, bytes], compress=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def keras_bzip2_bomb(path: Path) -> Path:
    members = _bundled_members()
    members["model.weights.h5"] = bytes(20_000_000)
    return keras_with(path, members, zipfile.ZIP_BZIP2)


def keras_deflate_bomb(path: Path) -> Path:
    members = _bundled_members()
    members["model.weights.h5"] = bytes(30_000_000)
    return keras_with(path, members, zipfile.ZIP_DEFLATED)


def keras_padded_config(path: Path) -> Path:
    members = _bundled_members()
    members["config.json"] = members["config.json"] + b" " * 3_000_000
    return keras_with(path, members, zipfile.ZIP_DEFLATED)


def keras_huge_dense(path: Path) -> Path:
    members = _bundled_members()
    config = json.loads(members["config.json"])
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Dense" and layer["config"]["units"] == 128:
            layer["config"]["units"] = 1_000_000
    members["config.json"] = json.dumps(config).encode()
    return keras_with(path, members)


def keras_fill_value_weights(path: Path) -> Path:
    import h5py
    import numpy as np

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.create_dataset(
            "layers/dense/vars/0",
            shape=(4_000_000_000,),
            dtype=np.float32,
            chunks=(1024,),
            fillvalue=1.0,
        )
    members = _bundled_members()
    members["model.weights.h5"] = buffer.getvalue()
    return keras_with(path, members)


def keras_many_members(path: Path) -> Path:
    members = _bundled_members()
    members.update({f"assets/x{i}": b"x" for i in range(20)})
    return keras_with(path, members)


KERAS_CASES = {
    "bzip2-bomb": (keras_bzip2_bomb, "compressed in a way Keras never writes"),
    "deflate-bomb": (keras_deflate_bomb, "inflates"),
    "padded-config": (keras_padded_config, "config.json declares"),
    "dense-1000000": (keras_huge_dense, "parameters"),
    "fill-value-weights": (keras_fill_value_weights, "a weight array declares"),
    "many-members": (keras_many_members, "files inside"),
}
"""name -> (maker(path) -> path, fragment of the one refusal line)."""


def npz_huge_header(path: Path) -> Path:
    """An .npz whose x_train header declares 10**12 rows of 28x28 (the data is 10 rows)."""
    import numpy as np

    small = np.zeros((10, 28, 28), np.uint8)
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, small)
    data = buffer.getvalue().replace(b"(10, 28, 28)", b"(1000000000000, 28, 28)")
    labels = io.BytesIO()
    np.lib.format.write_array(labels, np.zeros(10, np.uint8))
    with zipfile.ZipFile(path, "w") as archive:
        for split in ("train", "test"):
            archive.writestr(f"x_{split}.npy", data)
            archive.writestr(f"y_{split}.npy", labels.getvalue())
    return path


def npz_inflating(path: Path) -> Path:
    """A 1 MB .npz whose pixels inflate to 1 GB."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        import numpy as np

        for name, shape in (("x_train", (1_300_000, 28, 28)), ("y_train", (1_300_000,))):
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                header, {"descr": "|u1", "fortran_order": False, "shape": shape}
            )
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                member.write(header.getvalue())
                block = bytes(1 << 22)
                left = int(np.prod(shape))
                while left > 0:
                    member.write(block[: min(left, len(block))])
                    left -= len(block)
    return path


NPZ_CASES = {
    "npz-10^12-rows": (npz_huge_header, "declares"),
    "npz-1-GB-of-pixels": (npz_inflating, "declares"),
}


def png_long_strip(path: Path) -> Path:
    """A 78 KB PNG of 40,000,000 x 1 pixels."""
    import numpy as np
    from PIL import Image

    row = np.full((1, 40_000_000), 255, np.uint8)
    row[0, 1000:2000] = 0
    Image.fromarray(row, mode="L").save(path, optimize=True)
    return path
