"""The bundled MNIST is the real, full MNIST, and bad dataset files are refused with a reason."""

import hashlib

import numpy as np
import pytest

from digitlab.model.data.bundled import MNIST_PATH
from digitlab.model.data.mnist import DatasetError, load_dataset, load_mnist, to_model_input

EXPECTED_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}


def test_bundled_mnist_is_byte_identical_to_the_published_arrays():
    with np.load(MNIST_PATH, allow_pickle=False) as npz:
        for key, digest in EXPECTED_SHA256.items():
            assert hashlib.sha256(npz[key].tobytes()).hexdigest() == digest, key


def test_bundled_mnist_has_all_seventy_thousand_digits():
    data = load_mnist()
    assert data.x_train.shape == (60000, 28, 28) and data.x_test.shape == (10000, 28, 28)
    assert data.x_train.dtype == np.uint8 and data.num_classes == 10
    assert np.bincount(data.y_test).tolist() == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]


def test_model_input_is_float32_scaled_to_one_with_a_channel_axis():
    x = to_model_input(np.array([[[0, 255] * 14] * 28], np.uint8))
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0


def _save(path, **arrays):
    np.savez(path, **arrays)
    return path


def _good(n=3):
    return {
        "x_train": np.zeros((n, 28, 28), np.uint8),
        "y_train": np.arange(n, dtype=np.uint8) % 10,
        "x_test": np.zeros((n, 28, 28), np.uint8),
        "y_test": np.arange(n, dtype=np.uint8) % 10,
    }


def test_a_file_of_the_same_layout_loads(tmp_path):
    data = load_dataset(_save(tmp_path / "mine.npz", **_good()))
    assert len(data.x_train) == 3


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a.pop("y_test"), "missing arrays y_test"),
        (lambda a: a.update(x_train=np.zeros((3, 32, 32), np.uint8)), "expected (n, 28, 28)"),
        (lambda a: a.update(x_train=np.zeros((3, 28, 28), np.float32)), "dtype float32"),
        (lambda a: a.update(x_train=np.full((3, 28, 28), np.nan, np.float32)), "NaN"),
        (lambda a: a.update(y_train=np.array([0, 1, 12], np.uint8)), "labels 0..12"),
        (lambda a: a.update(y_train=np.array([0, 1], np.uint8)), "3 images but y_train 2 labels"),
        (
            lambda a: a.update(
                x_test=np.zeros((0, 28, 28), np.uint8), y_test=np.zeros(0, np.uint8)
            ),
            "no rows",
        ),
    ],
)
def test_bad_datasets_are_refused_naming_what_is_wrong(tmp_path, change, message):
    arrays = _good()
    change(arrays)
    path = _save(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DatasetError, match=None) as info:
        load_dataset(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_pickled_object_arrays_are_refused_without_unpickling(tmp_path):
    arrays = _good()
    arrays["x_train"] = np.array([object()] * 3, dtype=object)
    path = tmp_path / "pickle.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError, match="pickled"):
        load_dataset(path)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04 truncated"])
def test_unreadable_files_are_refused(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match="broken.npz"):
        load_dataset(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(tmp_path / "nope.npz")
