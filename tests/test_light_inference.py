"""The NumPy forward pass answers as Keras does, refuses what it cannot read, and says what it
does not implement (so callers use TensorFlow)."""

import json
import zipfile

import numpy as np
import pytest
from model_support import dropout_model

from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.data.mnist import mnist_test_inputs
from digitlab.model.nets.light_inference import LightCore, light_model, read_light_model
from digitlab.model.nets.light_layers import NotLightError
from digitlab.model.nets.model_files import ModelFileError

PROB_TOL = 1e-5
ACT_TOL = 1e-4


@pytest.fixture(scope="module")
def keras_core():
    from digitlab.model.nets.inference import InferenceCore

    return InferenceCore()


def _assert_same(light_out, keras_out):
    assert list(light_out.activations) == list(keras_out.activations)
    np.testing.assert_array_equal(
        light_out.probabilities.argmax(1), keras_out.probabilities.argmax(1)
    )
    np.testing.assert_allclose(light_out.probabilities, keras_out.probabilities, atol=PROB_TOL)
    for name, act in keras_out.activations.items():
        assert light_out.activations[name].dtype == np.float32
        np.testing.assert_allclose(light_out.activations[name], act, atol=ACT_TOL, rtol=0)


@pytest.mark.slow
def test_the_bundled_models_answer_as_keras_on_all_10000_mnist_test_digits(keras_core):
    light = LightCore()
    x = mnist_test_inputs()
    for start in range(0, len(x), 500):
        batch = x[start : start + 500]
        want, got = keras_core.run(batch), light.run(batch)
        for name in ("cnn", "dense"):
            _assert_same(got[name], want[name])
    probs = light.probabilities(x)
    for name, want in keras_core.probabilities(x).items():
        np.testing.assert_array_equal(probs[name].argmax(1), want.argmax(1))
        np.testing.assert_allclose(probs[name], want, atol=PROB_TOL)


def test_the_light_core_describes_the_layers_as_the_keras_core(keras_core):
    light = LightCore()
    assert light.names == keras_core.names
    for name in light.names:
        assert light.layers(name) == keras_core.layers(name)
        assert light.num_classes(name) == 10
        assert light.model(name).count_params() == keras_core.model(name).count_params()


def _save(model, path):
    from digitlab.model.nets.model_files import save_model

    save_model(model, path)
    return path


def _same_on_digits(path_or_model, keras_model, n=200):
    from digitlab.model.nets.inference import InferenceCore

    x = mnist_test_inputs()[:n]
    want = InferenceCore({"m": keras_model}).run(x)["m"]
    got = LightCore({"m": path_or_model}).run(x)["m"]
    _assert_same(got, want)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cnn", "dense"])
def test_a_fresh_model_of_three_classes_answers_as_keras_from_its_file(tmp_path, name):
    from digitlab.model.nets.architectures import build

    model = build(name, num_classes=3)
    path = _save(model, tmp_path / f"{name}3.keras")
    assert read_light_model(path, num_classes=3).output_shape == (None, 3)
    _same_on_digits(path, model)
    _same_on_digits(model, model)  # a model in memory, converted from its weights


def _same_padding_model():
    import keras

    inputs = keras.Input((28, 28, 1), name="input")
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(4, 4, padding="same", name="c2")(x)  # even kernel: uneven pad
    x = keras.layers.MaxPooling2D(2, name="p1")(x)
    x = keras.layers.Conv2D(6, 5, activation="softmax", name="c3")(x)
    x = keras.layers.Flatten(name="f")(x)
    outputs = keras.layers.Dense(5, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs, name="same")


@pytest.mark.slow
def test_same_padding_and_even_kernels_answer_as_keras(tmp_path):
    model = _same_padding_model()
    path = _save(model, tmp_path / "same.keras")
    _same_on_digits(path, model)


@pytest.mark.slow
def test_a_sequential_model_answers_as_keras(tmp_path):
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(4, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(7, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    path = _save(model, tmp_path / "seq.keras")
    _same_on_digits(path, model)


@pytest.mark.slow
def test_an_unsupported_layer_says_so_and_the_keras_path_still_reads_it(tmp_path):
    from digitlab.model.nets.model_files import load_model

    model = dropout_model()
    path = _save(model, tmp_path / "dropout.keras")
    with pytest.raises(NotLightError, match="not supported by the light path"):
        read_light_model(path)
    with pytest.raises(NotLightError, match="not supported by the light path"):
        light_model(model)
    assert load_model(path).output_shape == (None, 10)


def _rewrite(src, dst, member, change):
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, change(data) if info.filename == member else data)
    return dst


def test_an_archive_whose_weights_do_not_match_its_config_is_refused(tmp_path):
    def widen(data):
        config = json.loads(data)
        config["config"]["layers"][-2]["config"]["units"] = 64  # the stored kernel has 128
        return json.dumps(config).encode()

    path = _rewrite(bundled_model_path("cnn"), tmp_path / "tampered.keras", "config.json", widen)
    with pytest.raises(ModelFileError, match="shape"):
        read_light_model(path)


def test_files_that_are_not_keras_archives_are_refused(tmp_path):
    with pytest.raises(ModelFileError, match=".keras"):
        read_light_model(tmp_path / "model.h5")
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="not a Keras model archive"):
        read_light_model(junk)
    no_weights = tmp_path / "nw.keras"
    with zipfile.ZipFile(no_weights, "w") as archive:
        archive.writestr("config.json", "{}")
    with pytest.raises(ModelFileError, match="model.weights.h5"):
        read_light_model(no_weights)


def test_reading_a_bundled_model_never_imports_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys; from digitlab.model.nets.light_inference import LightCore; "
        "import numpy as np; c = LightCore(); c.run(np.zeros((1, 28, 28), np.float32)); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["False", "False"]
