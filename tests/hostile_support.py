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
