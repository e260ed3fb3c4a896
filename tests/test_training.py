"""Training runs a few steps on a small slice, reports progress, stops when asked, is
reproducible."""

import numpy as np
import pytest

from digitlab.model.data.mnist import Dataset, load_mnist
from digitlab.model.nets.architectures import build
from digitlab.model.nets.training import Recipe, train


def _small(n=256):
    data = load_mnist()
    return Dataset(data.x_train[:n], data.y_train[:n], data.x_test[:200], data.y_test[:200])


@pytest.mark.slow
def test_a_short_run_reports_batches_then_epochs_and_learns():
    events = []
    model = build("dense")
    result = train(
        model, _small(), Recipe(epochs=2, batch_size=64, augment=False), on_progress=events.append
    )
    kinds = [e["kind"] for e in events]
    assert kinds == (["batch"] * 4 + ["epoch"]) * 2
    assert events[-1]["logs"]["val_accuracy"] > 0.3
    assert result["epochs_run"] == 2 and not result["stopped"] and not result["nan"]


@pytest.mark.slow
def test_stopping_takes_effect_after_the_current_batch():
    events = []
    result = train(
        build("dense"),
        _small(),
        Recipe(epochs=3, batch_size=32, augment=False),
        on_progress=events.append,
        should_stop=lambda: sum(e["kind"] == "batch" for e in events) >= 2,
    )
    assert result["stopped"]
    assert sum(e["kind"] == "batch" for e in events) == 2


@pytest.mark.slow
def test_the_same_seed_gives_the_same_model():
    recipe = Recipe(epochs=1, batch_size=64, augment=True, augmented_copies=1, seed=7)
    import keras

    keras.utils.set_random_seed(7)
    a = build("dense")
    keras.utils.set_random_seed(7)
    b = build("dense")
    train(a, _small(), recipe, validate=False)
    train(b, _small(), recipe, validate=False)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_a_huge_learning_rate_stops_the_run_as_diverged():
    result = train(
        build("dense"), _small(), Recipe(epochs=2, batch_size=32, learning_rate=1e9, augment=False)
    )
    assert result["nan"]


def test_several_teachers_teach_their_averaged_probabilities():
    import keras

    from digitlab.model.nets.training import _teacher_targets

    keras.utils.set_random_seed(1)
    a, b = build("dense"), build("dense")
    x = _small(16).x_train  # uint8, as train() passes them
    inputs = x[..., None].astype(np.float32) / 255.0
    mean = (np.asarray(a(inputs)) + np.asarray(b(inputs))) / 2
    targets = _teacher_targets([a, b], x, None, temperature=1.0)
    assert targets.shape == (1, 16, 10)
    np.testing.assert_allclose(targets[0], mean / mean.sum(1, keepdims=True), rtol=1e-4, atol=1e-6)


@pytest.mark.slow
def test_runs_leave_nothing_for_a_full_garbage_collection_to_walk_again():
    # TensorFlow keeps each run's graphs for the whole session; a full collection walking
    # them holds the GIL and so pauses the window, longer after every run. A run settles
    # them itself where the process collects automatically (the command line, as here); the
    # window, whose event loop owns collection (as the tests' does), settles them in its GUI
    # thread (tests/test_garbage_collection.py).
    import gc

    gc.enable()
    try:
        for _ in range(2):
            model = build("cnn")
            train(model, _small(), Recipe(epochs=1, batch_size=64, augment=False))
            assert len(gc.get_objects()) < 2000  # what a later collection looks at
    finally:
        gc.disable()
    assert float(model(np.zeros((1, 28, 28, 1), np.float32)).numpy().sum()) > 0.99  # still usable
    model.fit(
        np.zeros((4, 28, 28, 1), np.float32), np.zeros(4, np.int64), verbose=0
    )  # traces again
