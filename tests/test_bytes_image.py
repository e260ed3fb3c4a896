"""Files rendered as greyscale pictures, one byte per pixel."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from digitlab.model.binaries.bytes_image import (
    BytesImageError,
    bytes_to_image,
    convert_files,
    file_to_image,
    summary_line,
    width_for_size,
)


@given(st.binary(min_size=1, max_size=5000), st.integers(1, 300))
@settings(max_examples=60, deadline=None)
def test_every_byte_is_one_pixel_in_order_and_the_last_row_is_zero_padded(data, width):
    image = bytes_to_image(data, width)
    assert image.dtype == np.uint8 and image.shape == (-(-len(data) // width), width)
    flat = image.ravel()
    assert flat[: len(data)].tobytes() == data
    assert not flat[len(data) :].any()


@pytest.mark.parametrize(
    "size, width",
    [
        (1, 32),
        (10 * 1024 - 1, 32),
        (10 * 1024, 64),
        (50_000, 128),
        (99_000, 256),
        (150_000, 384),
        (400_000, 512),
        (900_000, 768),
        (5_000_000, 1024),
    ],
)
def test_the_width_follows_the_file_size_as_in_nataraj_et_al(size, width):
    assert width_for_size(size) == width
    assert bytes_to_image(b"\x01" * size).shape[1] == width


@pytest.mark.parametrize("data, width", [(b"", None), (b"abc", 0), (b"abc", 70_000)])
def test_empty_data_or_a_bad_width_is_refused(data, width):
    with pytest.raises(ValueError):
        bytes_to_image(data, width)


def test_files_become_pngs_that_read_back_as_their_bytes(tmp_path):
    source = tmp_path / "prog.bin"
    payload = bytes(range(256)) * 5
    source.write_bytes(payload)
    results = convert_files([source], tmp_path / "out", width=64)
    assert results[0].error is None and (results[0].width, results[0].height) == (64, 20)
    pixels = np.asarray(Image.open(results[0].output))
    assert pixels.tobytes() == payload


def test_a_missing_or_empty_file_is_reported_and_the_rest_still_rendered(tmp_path):
    good = tmp_path / "good.bin"
    good.write_bytes(b"\xff" * 100)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    results = convert_files([tmp_path / "missing.bin", empty, good], tmp_path / "out")
    assert [r.error is None for r in results] == [False, False, True]
    assert "no such file" in results[0].error and "empty" in results[1].error
    summary = json.loads(summary_line(results, tmp_path / "out"))
    assert summary["written"] == 1 and summary["failed"] == 2


def test_files_with_the_same_name_do_not_overwrite_each_other(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.exe").write_bytes(sub.encode() * 10)
    results = convert_files([tmp_path / "a" / "x.exe", tmp_path / "b" / "x.exe"], tmp_path / "out")
    assert len({r.output for r in results}) == 2


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(BytesImageError, match="is not a file"):
        file_to_image(tmp_path)
