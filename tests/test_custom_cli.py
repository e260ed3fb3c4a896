"""The command line on your own classes: bytes-to-image, train --data FOLDER, evaluate."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_support import run_cli

from digitlab.model.binaries.synthetic import FAMILIES, build_image_dataset, write_families
from digitlab.model.nets.architectures import build
from digitlab.model.nets.model_files import load_model, read_class_names, save_model


@pytest.fixture(scope="module")
def family_images(tmp_path_factory):
    """Pictures of 20 synthetic binaries per family, rendered by the library."""
    root = tmp_path_factory.mktemp("families")
    write_families(root / "binaries", per_family=20, seed=0)
    build_image_dataset(root / "binaries", root / "images")
    return root / "images"


def test_bytes_to_image_writes_one_png_per_file_and_a_json_summary(tmp_path):
    files = []
    for i in range(3):
        f = tmp_path / f"f{i}.bin"
        f.write_bytes(bytes([i]) * (100 + i))
        files.append(str(f))
    code, out, err = run_cli(
        ["bytes-to-image", *files, "--out", str(tmp_path / "png"), "--width", "10"]
    )
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert summary["written"] == 3 and summary["failed"] == 0
    assert [(f["width"], f["height"]) for f in summary["files"]] == [(10, 10), (10, 11), (10, 11)]
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [
        "f0.bin.png",
        "f1.bin.png",
        "f2.bin.png",
    ]


def test_bytes_to_image_names_an_unreadable_file_on_stderr_and_exits_2(tmp_path):
    good = tmp_path / "good.bin"
    good.write_bytes(b"abc")
    code, out, err = run_cli(
        ["bytes-to-image", str(tmp_path / "missing.bin"), str(good), "--out", str(tmp_path / "png")]
    )
    assert code == 2
    assert err.count("\n") == 1 and "missing.bin: no such file" in err
    assert json.loads(out)["written"] == 1


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ([], "give the files"),
        (["x", "--width", "0"], "--width"),
        (["x", "--out-is-file"], "must be a folder"),
    ],
)
def test_bytes_to_image_bad_arguments_are_one_line_and_exit_2(tmp_path, extra, fragment):
    target = tmp_path / "png"
    if "--out-is-file" in extra:
        target.write_text("a file")
        extra = ["x"]
    code, out, err = run_cli(["bytes-to-image", *extra, "--out", str(target)])
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err


def test_the_seed_models_keep_their_sizes_and_take_a_class_count_and_input_size():
    assert build("cnn").count_params() == 225_034
    assert build("dense").count_params() == 101_770
    model = build("cnn", num_classes=4, input_shape=(32, 32, 1))
    assert model.input_shape == (None, 32, 32, 1) and model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="at least 10x10"):
        build("cnn", num_classes=3, input_shape=(8, 8, 1))


@pytest.mark.slow
def test_train_on_a_folder_of_families_then_evaluate_it(tmp_path, family_images):
    out = tmp_path / "families.keras"
    code, text, err = run_cli(
        [
            "train",
            "--model",
            "cnn",
            "--data",
            str(family_images),
            "--epochs",
            "12",
            "--out",
            str(out),
        ]
    )
    assert code == 0, err
    assert "classes: dropper, packed, scripted, table_heavy (64 training, 16 test pictures" in text
    assert read_class_names(out) == FAMILIES
    metrics = json.loads((tmp_path / "families.metrics.json").read_text())["families"]
    assert metrics["class_names"] == list(FAMILIES) and metrics["recipe"]["augment"] is False
    assert metrics["test_accuracy"] >= 0.6  # chance is 0.25
    code, text, err = run_cli(
        ["evaluate", "--model", str(out), "--data", str(family_images), "--json"]
    )
    assert code == 0, err
    report = json.loads(text)
    assert report["class_names"] == list(FAMILIES)
    result = report["models"]["families"]
    assert np.sum(result["confusion"]) == 16 and result["accuracy"] == pytest.approx(
        metrics["test_accuracy"]
    )
    code, text, _ = run_cli(
        ["evaluate", "--model", str(out), "--data", str(family_images), "--all"]
    )
    assert code == 0 and "all 80 pictures" in text and "table_heavy" in text


@pytest.mark.slow
def test_a_model_trained_at_another_size_reads_that_size(tmp_path, family_images):
    out = tmp_path / "big.keras"
    code, _, err = run_cli(
        [
            "train",
            "--model",
            "dense",
            "--data",
            str(family_images),
            "--epochs",
            "1",
            "--image-size",
            "36",
            "--out",
            str(out),
        ]
    )
    assert code == 0, err
    assert load_model(out, num_classes=None, input_shape=None).input_shape == (None, 36, 36, 1)
    code, _, err = run_cli(["evaluate", "--model", str(out), "--data", str(family_images)])
    assert code == 2 and "--image-size 36" in err and err.count("\n") == 1


def test_evaluating_your_classes_needs_a_model_of_them(family_images):
    code, _, err = run_cli(["evaluate", "--data", str(family_images)])
    assert code == 2 and "give --model FILE.keras" in err and err.count("\n") == 1


def test_a_model_of_other_classes_is_refused(tmp_path, family_images):
    out = save_model(
        build("dense", num_classes=len(FAMILIES)), tmp_path / "m.keras", class_names=FAMILIES
    )  # the names decide; no need to train it
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for i, family in enumerate(FAMILIES):
        (renamed / f"x{i}").symlink_to(family_images / family, target_is_directory=True)
    code, _, err = run_cli(["evaluate", "--model", str(out), "--data", str(renamed)])
    assert code == 2 and "differ from the model's" in err


@pytest.mark.parametrize(
    "make, fragment",
    [(lambda p: (p / "only").mkdir(), "no pictures"), (lambda p: None, "no class subfolders")],
)
def test_train_refuses_a_bad_folder_in_one_line(tmp_path, make, fragment):
    data = tmp_path / "data"
    data.mkdir()
    make(data)
    code, out, err = run_cli(
        ["train", "--model", "cnn", "--data", str(data), "--out", str(tmp_path / "m.keras")]
    )
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err
