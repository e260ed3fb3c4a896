"""Model files are code: only checked .keras files load, and a failed save never loses the old
file."""

import os
import zipfile

import keras
import numpy as np
import pytest

from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.nets.architectures import build
from digitlab.model.nets.model_files import ModelFileError, atomic_write, load_model, save_model


def _tiny(input_shape=(28, 28, 1), outputs=10, lambda_layer=False):
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    if lambda_layer:
        x = keras.layers.Lambda(lambda t: t * 2)(x)
    return keras.Model(inputs, keras.layers.Dense(outputs, activation="softmax")(x))


def _save_raw(model, path):
    keras.saving.save_model(model, path)
    return path


def test_the_bundled_model_loads(tmp_path):
    model = load_model(bundled_model_path("dense"))
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (
            lambda p: p.write_bytes(bundled_model_path("dense").read_bytes()[:5000]),
            "not a Keras model archive",
        ),
        (
            lambda p: p.write_bytes(np.random.default_rng(0).bytes(4096)),
            "not a Keras model archive",
        ),
        (lambda p: zipfile.ZipFile(p, "w").writestr("weights.h5", b"x"), "no config.json"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "not a Keras model archive"),
    ],
)
def test_broken_files_are_refused_with_the_reason(tmp_path, make, reason):
    path = tmp_path / "model.keras"
    make(path)
    with pytest.raises(ModelFileError, match=reason) as info:
        load_model(path)
    assert str(path) in str(info.value)


def test_other_formats_are_refused_before_keras_sees_them(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(ModelFileError, match="only .keras"):
        load_model(path)


def test_a_lambda_layer_is_refused_as_code(tmp_path):
    path = _save_raw(_tiny(lambda_layer=True), tmp_path / "lambda.keras")
    with pytest.raises(ModelFileError, match="contains code"):
        load_model(path)


@pytest.mark.parametrize(
    "model, reason",
    [
        (lambda: _tiny(input_shape=(32, 32, 3)), "expected \\(None, 28, 28, 1\\)"),
        (lambda: _tiny(outputs=5), "5 outputs"),
    ],
)
def test_models_of_the_wrong_shape_are_refused(tmp_path, model, reason):
    path = _save_raw(model(), tmp_path / "wrong.keras")
    with pytest.raises(ModelFileError, match=reason):
        load_model(path)


def test_a_model_with_nan_weights_is_refused(tmp_path):
    model = build("dense")
    model.set_weights([np.full_like(w, np.nan) for w in model.get_weights()])
    path = _save_raw(model, tmp_path / "nan.keras")
    with pytest.raises(ModelFileError, match="NaN"):
        load_model(path)


def test_save_then_load_gives_the_same_predictions(tmp_path):
    model = build("dense")
    path = save_model(model, tmp_path / "mine.keras")
    x = np.random.default_rng(1).random((4, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(load_model(path)(x), model(x), atol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.keras"]


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "model.keras"
    target.write_bytes(b"previous good file")

    def crash(tmp):
        tmp.write_bytes(b"half written")
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(target, crash)
    assert target.read_bytes() == b"previous good file"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_a_read_only_folder_is_reported(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(OSError):
        save_model(build("dense"), folder / "m.keras")
