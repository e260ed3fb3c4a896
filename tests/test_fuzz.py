"""Fuzzing every file loader: random bytes and mutated valid files (truncated, bit-flipped,
spliced) may only ever raise the app's own error types, never anything else.

Deterministic (fixed seeds, fixed numbers of cases) and bounded: a few seconds in all.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitlab.app.cli.common import UsageError, preprocess_stroke_record, stroke_lines
from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.data.images import ImageFileError, load_image
from digitlab.model.data.mnist import DatasetError, load_dataset
from digitlab.model.nets.model_files import ModelFileError, load_model
from digitlab.model.preprocess.frame import PreprocessError
from digitlab.model.preprocess.pictures import image_to_input


def _mutations(valid: bytes, rng: np.random.Generator, count: int):
    """``count`` damaged versions of ``valid``: random bytes, truncations, bit flips, byte
    runs overwritten, chunks duplicated or cut out, and the valid header on random bytes."""
    n = len(valid)
    for i in range(count):
        kind = i % 6
        if kind == 0:
            yield rng.bytes(int(rng.integers(0, 2 * n + 1)))
        elif kind == 1:
            yield valid[: int(rng.integers(0, n))]
        elif kind == 2:
            data = bytearray(valid)
            for _ in range(int(rng.integers(1, 9))):
                pos = int(rng.integers(0, n))
                data[pos] ^= 1 << int(rng.integers(0, 8))
            yield bytes(data)
        elif kind == 3:
            data = bytearray(valid)
            pos = int(rng.integers(0, n))
            length = int(rng.integers(1, 64))
            data[pos : pos + length] = rng.bytes(len(data[pos : pos + length]))
            yield bytes(data)
        elif kind == 4:
            a, b = sorted(int(v) for v in rng.integers(0, n, 2))
            yield valid[:a] + valid[b:] if rng.random() < 0.5 else valid[:b] + valid[a:]
        else:
            yield valid[: min(n, 64)] + rng.bytes(int(rng.integers(0, n)))


def _image_files() -> list[bytes]:
    digit = np.full((24, 24), 255, np.uint8)
    digit[4:20, 10:14] = 0
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[3:13, 7:9] = (0, 0, 0, 255)
    files = []
    for img, fmt, kwargs in [
        (Image.fromarray(digit), "PNG", {}),
        (Image.fromarray(rgba), "PNG", {}),
        (Image.fromarray(digit.astype(np.uint16) * 257), "PNG", {}),
        (
            Image.fromarray(digit).convert("P"),
            "GIF",
            {"save_all": True, "append_images": [Image.fromarray(255 - digit).convert("P")]},
        ),
        (Image.fromarray(digit), "JPEG", {}),
        (Image.fromarray(digit), "BMP", {}),
        (Image.fromarray(digit), "TIFF", {}),
        (Image.fromarray(digit).convert("RGB"), "WEBP", {}),
        (Image.fromarray(digit), "PPM", {}),
    ]:
        buf = io.BytesIO()
        img.save(buf, format=fmt, **kwargs)
        files.append(buf.getvalue())
    return files


def test_image_loader_only_raises_image_or_preprocess_errors(tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "fuzz.img"
    outcomes = {"read": 0, "refused": 0}
    for valid in _image_files():
        for data in _mutations(valid, rng, 60):
            path.write_bytes(data)
            try:
                image_to_input(load_image(path))
                outcomes["read"] += 1
            except (ImageFileError, PreprocessError):
                outcomes["refused"] += 1
    assert outcomes["refused"] > 100 and outcomes["read"] > 0  # both paths were exercised


def _npz_files(tmp_path: Path) -> list[bytes]:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "y_train": np.arange(4, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "y_test": np.arange(2, dtype=np.uint8),
    }
    files = []
    for save in (np.savez, np.savez_compressed):
        path = tmp_path / "valid.npz"
        save(path, **arrays)
        files.append(path.read_bytes())
    return files


def test_dataset_loader_only_raises_dataset_errors(tmp_path):
    rng = np.random.default_rng(11)
    path = tmp_path / "fuzz.npz"
    refused = 0
    for valid in _npz_files(tmp_path):
        load_dataset(tmp_path / "valid.npz")  # the unmutated file is fine
        for data in _mutations(valid, rng, 150):
            path.write_bytes(data)
            try:
                load_dataset(path)
            except DatasetError:
                refused += 1
    assert refused > 200


def test_model_loader_only_raises_model_file_errors(tmp_path):
    rng = np.random.default_rng(5)
    valid = bundled_model_path("dense").read_bytes()
    path = tmp_path / "fuzz.keras"
    refused = 0
    # Every mutation that still reaches Keras costs a real load: keep the count small.
    for data in _mutations(valid, rng, 120):
        path.write_bytes(data)
        try:
            load_model(path)
        except ModelFileError:
            refused += 1
    assert refused >= 100


def test_model_loader_refuses_archives_with_a_damaged_config(tmp_path):
    # Whole-file damage rarely gets past the zip checks; these get to Keras itself.
    import zipfile

    rng = np.random.default_rng(9)
    with zipfile.ZipFile(bundled_model_path("dense")) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = members["config.json"]
    path = tmp_path / "fuzz.keras"
    for i, data in enumerate(_mutations(config, rng, 12)):
        if i % 6 == 0:  # random bytes are uninteresting here: a valid JSON of the wrong kind
            data = json.dumps({"class_name": "Lambda", "config": {}}).encode()
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, data if name == "config.json" else content)
        with pytest.raises(ModelFileError, match=str(path)):
            load_model(path)


STROKE_LINES = [
    {"strokes": [[[60, 60], [200, 60], [120, 230]]], "canvas": [280, 280]},
    {"strokes": [[[140, 40], [140, 240]], [[100, 100]]], "canvas": [280, 200], "label": 1},
    {"strokes": []},
]
WEIRD_VALUES = [
    None,
    True,
    0,
    -1,
    1e308,
    10**400,
    -(10**400),
    "x",
    "",
    [],
    {},
    [[]],
    [[[]]],
    [1, 2],
    [[1, 2]],
    [[[1]]],
    [[[1, 2, 3]]],
    [[["1", "2"]]],
    [[[None, 1]]],
    [[[1e308, -1e308]]],
    [[[10**400, 1]]],
    {"a": 1},
    [[{"x": 1}]],
    [280],
    [0, 0],
    [1e400, 5],
    ["280", "280"],
    [280, 280, 280],
]


def _stroke_line_cases(rng: np.random.Generator):
    """JSON lines: valid ones, ones with a field replaced by something weird, byte-mutated
    ones, and random bytes."""
    for record in STROKE_LINES:
        yield json.dumps(record).encode()
    for value in WEIRD_VALUES:
        for key in ("strokes", "canvas"):
            yield json.dumps({**STROKE_LINES[0], key: value}).encode()
        yield json.dumps(value).encode()
    for record in STROKE_LINES:
        valid = json.dumps(record).encode()
        for data in _mutations(valid, rng, 120):
            yield data.replace(b"\n", b" ").replace(b"\r", b" ")


def test_strokes_line_parser_only_raises_preprocess_or_usage_errors(tmp_path):
    rng = np.random.default_rng(3)
    cases = list(_stroke_line_cases(rng))
    answered = refused = 0
    for data in cases:
        path = tmp_path / "fuzz.jsonl"
        path.write_bytes(data + b"\n")
        try:
            for _, record in stroke_lines(str(path), io.StringIO()):
                try:
                    preprocess_stroke_record(record)
                    answered += 1
                except PreprocessError:
                    refused += 1
        except UsageError:  # not UTF-8 text: the whole file is refused in one line
            refused += 1
    assert answered >= 3 and refused > 100
