"""The bundled models are the seed architectures, beat the seed's table, and one call runs both."""

import json

import numpy as np
import pytest

from digitlab.model.data.bundled import METRICS_PATH, bundled_model_path
from digitlab.model.nets.architectures import build
from digitlab.model.nets.inference import InferenceCore

CNN_LAYERS = [
    ("conv1", "Conv2D", (26, 26, 32), 320),
    ("pool1", "MaxPooling2D", (13, 13, 32), 0),
    ("conv2", "Conv2D", (11, 11, 64), 18496),
    ("pool2", "MaxPooling2D", (5, 5, 64), 0),
    ("flatten", "Flatten", (1600,), 0),
    ("dense", "Dense", (128,), 204928),
    ("output", "Dense", (10,), 1290),
]
DENSE_LAYERS = [
    ("flatten", "Flatten", (784,), 0),
    ("hidden", "Dense", (128,), 100480),
    ("output", "Dense", (10,), 1290),
]


@pytest.fixture(scope="module")
def core():
    return InferenceCore()


def test_freshly_built_models_have_the_seed_architectures_and_real_parameter_counts():
    assert build("cnn").count_params() == 225_034
    assert build("dense").count_params() == 101_770
    with pytest.raises(ValueError, match="unknown model"):
        build("resnet")


@pytest.mark.parametrize("name, layers", [("cnn", CNN_LAYERS), ("dense", DENSE_LAYERS)])
def test_bundled_models_are_exactly_the_seed_architectures(core, name, layers):
    got = [(i.name, i.kind, i.output_shape, i.params) for i in core.layers(name)]
    assert got == layers
    assert core.model(name).input_shape == (None, 28, 28, 1)


def test_bundled_models_beat_the_seed_accuracy_on_mnist_test():
    metrics = json.loads(METRICS_PATH.read_text())
    assert metrics["cnn"]["test_accuracy"] >= 0.9940
    assert metrics["dense"]["test_accuracy"] >= 0.9850
    assert metrics["cnn"]["parameters"] == 225_034 and metrics["dense"]["parameters"] == 101_770


def test_one_call_gives_both_models_probabilities_and_every_activation(core):
    x = np.zeros((3, 28, 28), np.float32)
    x[:, 4:24, 13:15] = 1.0
    out = core.run(x)
    assert set(out) == {"cnn", "dense"}
    assert list(out["cnn"].activations) == [layer[0] for layer in CNN_LAYERS]
    assert out["cnn"].activations["conv2"].shape == (3, 11, 11, 64)
    assert list(out["dense"].activations) == [layer[0] for layer in DENSE_LAYERS]
    for result in out.values():
        assert result.probabilities.shape == (3, 10)
        np.testing.assert_allclose(result.probabilities.sum(1), 1.0, atol=1e-5)


def test_the_core_owns_copies_so_training_the_original_does_not_change_it(core):
    import keras

    original = keras.saving.load_model(bundled_model_path("dense"), compile=False, safe_mode=True)
    mine = InferenceCore({"dense": original})
    x = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    before = mine.run(x)["dense"].probabilities
    original.set_weights([w * 0 for w in original.get_weights()])
    np.testing.assert_array_equal(mine.run(x)["dense"].probabilities, before)


def test_swapping_a_model_in_is_one_call(core, tmp_path):
    mine = InferenceCore({"dense": bundled_model_path("dense")})
    fresh = build("dense")
    fresh.set_weights([w * 0 for w in fresh.get_weights()])
    mine.set_model("dense", fresh)
    probs = mine.run(np.ones((1, 28, 28), np.float32))["dense"].probabilities
    np.testing.assert_allclose(probs, 0.1, atol=1e-6)  # zero weights answer uniformly


def test_bundled_models_read_mnist_test_digits(core):
    data = np.load("resources/mnist.npz", allow_pickle=False)
    x = data["x_test"][:500].astype(np.float32) / 255
    probs = core.probabilities(x)
    for name in ("cnn", "dense"):
        assert (probs[name].argmax(1) == data["y_test"][:500]).mean() > 0.97
