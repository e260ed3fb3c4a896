"""The hostile-file suite: small files that declare far more than they hold are refused from
their headers, in one line naming the file, before anything large is decompressed or
allocated; the user's files are left as they were and nothing is left behind."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from cli_support import run_cli
from hostile_support import KERAS_CASES, NPZ_CASES, png_long_strip
from PIL import Image

from digitlab.model.data.mnist import DatasetError, load_dataset
from digitlab.model.nets.light_inference import read_light_model
from digitlab.model.nets.model_files import ModelFileError, load_model
from digitlab.model.preprocess.frame import normalise


@pytest.mark.parametrize("case", sorted(KERAS_CASES))
def test_a_hostile_keras_file_is_refused_from_its_declared_sizes(tmp_path, case):
    make, fragment = KERAS_CASES[case]
    path = make(tmp_path / f"{case}.keras")
    before = path.read_bytes()
    with pytest.raises(ModelFileError, match=fragment) as refused:
        load_model(path)
    assert str(refused.value).startswith(str(path)) and "\n" not in str(refused.value)
    with pytest.raises(ModelFileError, match=fragment):
        read_light_model(path)
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]


def test_the_command_line_refuses_a_hostile_model_in_one_line(tmp_path):
    make, fragment = KERAS_CASES["bzip2-bomb"]
    path = make(tmp_path / "bomb.keras")
    lines = tmp_path / "s.jsonl"
    lines.write_text('{"strokes": [[[60, 60], [200, 60], [120, 230]]], "canvas": [280, 280]}\n')
    code, out, err = run_cli(["classify", "--strokes", str(lines), "--model", str(path)])
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err


@pytest.mark.parametrize("case", sorted(NPZ_CASES))
def test_a_hostile_npz_is_refused_from_its_headers(tmp_path, case):
    make, fragment = NPZ_CASES[case]
    path = make(tmp_path / "data.npz")
    with pytest.raises(DatasetError, match=fragment) as refused:
        load_dataset(path)
    assert str(refused.value).startswith(str(path)) and "\n" not in str(refused.value)
    code, out, err = run_cli(["evaluate", "--model", "dense", "--data", str(path)])
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_npz_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "data.npz"
    os.mkfifo(fifo)
    with pytest.raises(DatasetError, match="not a regular file"):
        load_dataset(fifo)


def test_a_picture_forty_million_pixels_long_is_refused_from_its_header(tmp_path):
    path = png_long_strip(tmp_path / "strip.png")
    good = tmp_path / "seven.png"
    seven = np.zeros((28, 28), np.uint8)
    seven[6:8, 6:22] = 255
    seven[8:22, 18:20] = 255
    Image.fromarray(seven, mode="L").save(good)
    code, out, err = run_cli(["classify", str(path), str(good)])
    assert code == 2 and err.count("\n") == 1 and "strip.png" in err and "longer than" in err
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["input"] for a in answers] == [str(path), str(good)] and "error" in answers[0]


def test_a_long_crop_is_resampled_without_a_dense_matrix():
    ink = np.zeros((3, 5_000_000), np.float32)
    ink[1, :] = 1.0
    result = normalise(ink)
    assert not result.empty and result.fitted.shape[1] == 20


def test_a_folder_with_too_many_files_is_refused_unlisted(tmp_path, monkeypatch):
    from digitlab.model.data.custom_dataset import CustomDatasetError, scan_folder

    monkeypatch.setattr("digitlab.model.limits.MAX_FOLDER_FILES", 5)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    for i in range(6):
        (tmp_path / "a" / f"{i}.png").write_bytes(b"")
    with pytest.raises(CustomDatasetError, match="more than 5 files"):
        scan_folder(tmp_path)


def test_loading_a_model_with_class_names_writes_nothing_to_the_temp_folder(tmp_path, monkeypatch):
    """Keras extracts a four-file archive to the temp folder while loading (a kill -9 then
    leaves it there): the loader hands Keras its three members in memory instead."""
    import tempfile

    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.model_files import save_model

    path = save_model(
        build("dense", num_classes=3), tmp_path / "three.keras", class_names=("a", "b", "c")
    )
    made = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        made.append(real_mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    model = load_model(path, num_classes=3)
    assert model.output_shape == (None, 3)
    assert made == []
