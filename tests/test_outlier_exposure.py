"""Outlier exposure keeps the seed architecture and makes non-digits get flat, refusable
answers while digits are still read."""

import numpy as np
import pytest

from digitlab.model.data.mnist import load_mnist, to_model_input
from digitlab.model.data.pen_synthetic import non_digit_inputs


@pytest.fixture(scope="module")
def small():
    data = load_mnist()
    x = to_model_input(data.x_train[:3000])
    y = data.y_train[:3000].astype(np.int64)
    outliers, _ = non_digit_inputs(600, seed=0)
    held, _ = non_digit_inputs(300, seed=1)
    return (
        x,
        y,
        outliers[..., None],
        held[..., None],
        to_model_input(data.x_test[:500]),
        data.y_test[:500],
    )


def _train(small, oe_weight):
    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.outlier_exposure import OutlierRecipe, train_with_outliers

    x, y, outliers, _, _, _ = small
    model = build("dense")
    epochs = []
    recipe = OutlierRecipe(epochs=3, learning_rate=2e-3, oe_weight=oe_weight, seed=0)
    result = train_with_outliers(
        model, lambda e: (x, y), outliers, recipe, on_epoch=lambda e, logs: epochs.append(logs)
    )
    assert result["epochs_run"] == 3 and len(epochs) == 3 and not result["stopped"]
    return model


@pytest.mark.slow
def test_outlier_exposure_flattens_answers_on_unseen_non_digits_and_still_reads_digits(small):
    from digitlab.model.nets.known import is_known

    _, _, _, held, x_test, y_test = small
    plain, exposed = _train(small, 0.0), _train(small, 1.0)
    assert [layer.name for layer in exposed.layers] == [layer.name for layer in plain.layers]
    assert exposed.count_params() == 101_770
    refused = {
        name: float((~is_known(np.asarray(m(held)), 0.5)).mean())
        for name, m in (("plain", plain), ("exposed", exposed))
    }
    assert refused["exposed"] > refused["plain"] + 0.2
    accuracy = {
        name: (np.asarray(m(x_test)).argmax(1) == y_test).mean()
        for name, m in (("plain", plain), ("exposed", exposed))
    }
    # A toy run (3,000 digits, 3 epochs, a heavy outlier weight) reads about 88% of the test
    # digits; the exposure may cost a few of them, not the reading.
    assert accuracy["exposed"] >= accuracy["plain"] - 0.05, accuracy


@pytest.mark.slow
def test_outlier_training_stops_when_asked(small):
    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.outlier_exposure import OutlierRecipe, train_with_outliers

    x, y, outliers, _, _, _ = small
    result = train_with_outliers(
        build("dense"),
        lambda e: (x, y),
        outliers,
        OutlierRecipe(epochs=2),
        should_stop=lambda: True,
    )
    assert result["stopped"] and result["epochs_run"] == 0


@pytest.mark.slow
def test_a_teacher_is_blended_in_only_where_it_reads_the_digit_right_when_asked(small):
    # A teacher that misreads every 7 as 1 (as a teacher that never saw a style misreads it)
    # teaches that misreading with plain distillation, and not with distill_where_right.
    import keras

    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.outlier_exposure import OutlierRecipe, train_with_outliers

    x, y, outliers, _, x_test, y_test = small
    inputs = keras.Input((28, 28, 1))
    flat = keras.layers.Flatten()(inputs)
    # All the mass on 1 for every input: right for the ones only, wrong for the sevens.
    ones = keras.layers.Dense(10, kernel_initializer="zeros", bias_initializer="zeros")(flat)
    answer = keras.layers.Lambda(lambda t: keras.ops.one_hot(t[:, 0] * 0 + 1, 10))(ones)
    teacher = keras.Model(inputs, answer)
    sevens = y_test == 7
    read_seven = {}
    for where_right in (False, True):
        model = build("dense")
        recipe = OutlierRecipe(
            epochs=3,
            learning_rate=2e-3,
            oe_weight=0.0,
            distill=0.7,
            distill_temperature=1.0,
            distill_where_right=where_right,
            seed=0,
        )
        train_with_outliers(model, lambda e: (x, y), outliers, recipe, teacher=teacher)
        answers = np.asarray(model(x_test[sevens])).argmax(1)
        read_seven[where_right] = float((answers == 7).mean())
    assert read_seven[False] < 0.5 < 0.8 < read_seven[True], read_seven
