"""Your own image classes: reading folders and .npz files, conversion, the stratified split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from picture_support import KINDS, on_paper, transparent_picture
from PIL import Image

from digitlab.model.data.custom_dataset import (
    CustomDataset,
    CustomDatasetError,
    load_folder,
    load_npz,
    load_source,
    picture_to_grey,
    save_npz,
    scan_folder,
    stratified_split,
)
from digitlab.model.data.images import load_image
from digitlab.model.preprocess.pictures import image_to_input, to_grey


def _picture(path: Path, value: int = 128, size=(20, 30), mode="L") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "L":
        Image.new("L", size, value).save(path)
    else:
        colour = (value, value // 2, 0) + ((255,) if mode == "RGBA" else ())
        Image.new(mode, size, colour).save(path)
    return path


def _folder(root: Path, classes=("a", "b", "c"), per_class: int = 10) -> Path:
    for k, name in enumerate(classes):
        for i in range(per_class):
            _picture(root / name / f"{i}.png", value=40 * k + i)
    return root


def test_a_folder_of_class_subfolders_becomes_named_classes_of_28_px(tmp_path):
    data = load_folder(_folder(tmp_path))
    assert isinstance(data, CustomDataset)
    assert data.class_names == ("a", "b", "c")
    assert data.x_train.shape[1:] == (28, 28) and data.x_train.dtype == np.uint8
    assert len(data.x_train) + len(data.x_test) == 30
    assert data.counts() == {"a": (8, 2), "b": (8, 2), "c": (8, 2)}
    assert data.skipped == ()


def test_pictures_are_resized_to_the_chosen_size_and_keep_their_grey_level(tmp_path):
    data = load_folder(_folder(tmp_path, per_class=4), size=40)
    assert data.x_train.shape[1:] == (40, 40)
    for x, y in zip(data.x_train, data.y_train, strict=True):
        assert x.min() == x.max() and 40 * int(y) <= int(x[0, 0]) < 40 * int(y) + 4


def test_colour_becomes_luminance_and_transparent_pixels_white_paper():
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., :3] = 255  # white stored in every pixel, but only the first is opaque ...
    rgba[1, 1] = (0, 0, 0, 255)  # ... and this black one
    rgba[0, 1] = (0, 0, 0, 0)  # transparent black is paper too
    rgba[1, 0] = (0, 0, 0, 102)  # 40% opaque black: 60% of the way to white
    rgba[0, 0, 3] = 255
    assert picture_to_grey(rgb)[0, 0] == round(0.299 * 255)
    assert picture_to_grey(rgba).tolist() == [[255, 255], [153, 0]]
    assert picture_to_grey(np.full((2, 2), 65535, np.uint16)).max() == 255
    assert picture_to_grey(np.full((2, 2), True)).max() == 255


@pytest.mark.parametrize("kind", KINDS)
def test_a_transparent_picture_reads_in_a_folder_as_it_does_dropped_on_the_canvas(tmp_path, kind):
    for name in ("a/1.png", "a/2.png", "b/1.png", "b/2.png"):
        transparent_picture(tmp_path / name, kind)
    data = load_folder(tmp_path, test_share=0.5)
    # The ink is where the opaque strokes were, and transparent pixels are white paper
    # whatever colour they store.
    for x in (*data.x_train, *data.x_test):
        np.testing.assert_array_equal(x, on_paper())
    pixels = load_image(tmp_path / "a" / "1.png")
    np.testing.assert_array_equal(np.round(to_grey(pixels) * 255), on_paper())
    dropped = image_to_input(pixels)
    assert not dropped.empty
    np.testing.assert_allclose(image_to_input(data.x_train[0]).image, dropped.image, atol=1e-6)
    np.testing.assert_allclose(image_to_input(on_paper()).image, dropped.image, atol=1e-6)


def test_colour_jpeg_and_rgba_files_are_read(tmp_path):
    _picture(tmp_path / "x" / "1.jpg", mode="RGB")
    _picture(tmp_path / "x" / "2.png", mode="RGBA")
    _picture(tmp_path / "y" / "1.bmp", mode="RGB")
    _picture(tmp_path / "y" / "2.png")
    data = load_folder(tmp_path, test_share=0.5)
    assert data.num_classes == 2 and len(data.x_train) == 2 and len(data.x_test) == 2


def test_unreadable_pictures_are_skipped_and_counted(tmp_path):
    root = _folder(tmp_path, per_class=5)
    (root / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (root / "b" / "empty.jpg").write_bytes(b"")
    data = load_folder(root)
    assert len(data.skipped) == 2
    assert {Path(p).name for p, _ in data.skipped} == {"broken.png", "empty.jpg"}
    assert all(reason for _, reason in data.skipped)
    assert len(data.x_train) + len(data.x_test) == 15


def test_files_that_are_not_pictures_and_hidden_files_are_ignored(tmp_path):
    root = _folder(tmp_path, per_class=3)
    (root / "a" / "notes.txt").write_text("hello")
    (root / "a" / ".DS_Store").write_bytes(b"x")
    (root / ".hidden").mkdir()
    scan = scan_folder(root)
    assert scan.class_names == ("a", "b", "c") and scan.ignored == 1 and scan.total == 9


def _unreadable_class(folder: Path) -> None:
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.png").write_bytes(b"not a picture")


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda r: _folder(r, classes=("only",)), "only one class"),
        (
            lambda r: (_folder(r, classes=("a", "b")), (r / "empty").mkdir()),
            "'empty' has no pictures",
        ),
        (
            lambda r: (_folder(r, classes=("a", "b")), _picture(r / "one" / "x.png")),
            "only one picture",
        ),
        (
            lambda r: _picture(r / "loose.png"),
            "(1 picture in the folder itself",
        ),
        (lambda r: None, "no class subfolders"),
        (
            lambda r: (_folder(r, classes=("a",)), _unreadable_class(r / "b")),
            "no readable pictures in class 'b'",
        ),
    ],
    ids=[
        "single-class",
        "empty-class",
        "one-picture-class",
        "loose-pictures",
        "empty-folder",
        "unreadable-class",
    ],
)
def test_bad_folders_are_refused_with_the_reason(tmp_path, make, reason):
    make(tmp_path)
    with pytest.raises(CustomDatasetError) as info:
        load_folder(tmp_path)
    assert reason in str(info.value) and str(tmp_path) in str(info.value)


def test_a_missing_folder_or_a_file_is_refused(tmp_path):
    with pytest.raises(CustomDatasetError, match="no such folder"):
        load_folder(tmp_path / "nope")
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(CustomDatasetError, match="is not a folder"):
        load_folder(tmp_path / "f.txt")
    with pytest.raises(CustomDatasetError, match="give a folder"):
        load_source(tmp_path / "f.txt")


@pytest.mark.parametrize("size, share", [(4, 0.2), (500, 0.2), (28, 0.0), (28, 1.0)])
def test_bad_size_or_test_share_is_refused(tmp_path, size, share):
    with pytest.raises(CustomDatasetError):
        load_folder(_folder(tmp_path, per_class=3), size=size, test_share=share)


def test_the_split_is_stratified_seeded_and_shuffled():
    labels = np.repeat(np.arange(4), [10, 20, 5, 2])
    train, test = stratified_split(labels, 0.2, seed=3)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(labels)))
    assert np.bincount(labels[test]).tolist() == [2, 4, 1, 1]
    again = stratified_split(labels, 0.2, seed=3)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert not np.array_equal(train, stratified_split(labels, 0.2, seed=4)[0])
    assert len(set(labels[train[:8]].tolist())) > 1  # not sorted by class


def test_an_mnist_layout_npz_with_class_names_keeps_them(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (12, 28, 28), dtype=np.uint8)
    y = np.arange(12, dtype=np.uint8) % 3
    path = tmp_path / "d.npz"
    np.savez(
        path,
        x_train=x,
        y_train=y,
        x_test=x[:6],
        y_test=y[:6],
        class_names=np.array(["cat", "dog", "émeu"]),
    )
    data = load_npz(path)
    assert data.class_names == ("cat", "dog", "émeu") and data.num_classes == 3
    assert np.array_equal(data.x_train, x)
    assert load_source(path).class_names == data.class_names


def test_an_npz_without_class_names_numbers_its_classes(tmp_path):
    x = np.zeros((4, 28, 28), np.uint8)
    np.savez(
        tmp_path / "d.npz",
        x_train=x,
        y_train=np.array([0, 1, 2, 3]),
        x_test=x,
        y_test=np.array([0, 1, 2, 3]),
    )
    assert load_npz(tmp_path / "d.npz").class_names == ("0", "1", "2", "3")


@pytest.mark.parametrize(
    "names, reason",
    [
        (np.array(["a"]), "1 class_names but labels up to 1"),
        (np.array([1, 2]), "array of strings"),
        (np.array([object(), object()], dtype=object), "Python objects"),
    ],
)
def test_bad_class_names_in_an_npz_are_refused(tmp_path, names, reason):
    x = np.zeros((4, 28, 28), np.uint8)
    y = np.array([0, 1, 0, 1], np.uint8)
    np.savez(tmp_path / "d.npz", x_train=x, y_train=y, x_test=x, y_test=y, class_names=names)
    with pytest.raises(CustomDatasetError, match=reason):
        load_npz(tmp_path / "d.npz")


def test_an_npz_of_one_class_is_refused(tmp_path):
    x = np.zeros((4, 28, 28), np.uint8)
    y = np.zeros(4, np.uint8)
    np.savez(tmp_path / "d.npz", x_train=x, y_train=y, x_test=x, y_test=y)
    with pytest.raises(CustomDatasetError, match="only one class"):
        load_npz(tmp_path / "d.npz")


def test_a_bad_npz_is_refused_in_the_words_of_the_mnist_loader(tmp_path):
    np.savez(tmp_path / "d.npz", x_train=np.zeros((3, 32, 32), np.uint8))
    with pytest.raises(CustomDatasetError, match="missing arrays"):
        load_npz(tmp_path / "d.npz")


def test_a_folder_saved_as_npz_loads_back_the_same(tmp_path):
    data = load_folder(_folder(tmp_path / "imgs", per_class=4))
    save_npz(data, tmp_path / "out.npz")
    back = load_npz(tmp_path / "out.npz")
    assert back.class_names == data.class_names
    assert np.array_equal(back.x_train, data.x_train) and np.array_equal(back.y_test, data.y_test)


def test_reading_reports_progress_and_can_be_cancelled(tmp_path):
    root = _folder(tmp_path, per_class=4)
    seen = []
    load_folder(root, on_progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (12, 12) and len(seen) == 12
    with pytest.raises(InterruptedError):
        load_folder(root, should_stop=lambda: True)
