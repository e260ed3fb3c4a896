"""Fine-tuning on personal samples: the held-out split, and a short run that learns a style
the bundled dense model gets wrong (mirrored digits) without forgetting MNIST. No Qt."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from digitlab.model.nets.fine_tune import FineTuneRecipe, accuracy, fine_tune, split_personal

TINY = FineTuneRecipe(epochs=1, batch_size=64, learning_rate=1e-3, mnist_size=600, seed=0)


@functools.lru_cache(maxsize=1)
def _mnist():
    from digitlab.model.data.mnist import load_mnist

    return load_mnist()


def _dense():
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.model_files import load_model

    return load_model(bundled_model_path("dense"))


def _mirrored_style():
    """Test digits drawn mirror-wise (a "style" MNIST never shows), float32 0..1."""
    data = _mnist()
    chosen = np.flatnonzero(np.isin(data.y_test, [2, 3, 4, 5, 6, 7, 9]))[:120]
    return (
        data.x_test[chosen][:, :, ::-1].astype(np.float32) / 255.0,
        data.y_test[chosen].astype(np.int64),
    )


def test_every_digit_with_two_samples_gives_some_to_the_held_out_part_and_keeps_some():
    labels = np.array([0] * 8 + [1] * 4 + [2] * 1 + [3] * 2)
    tune, measure, held_out = split_personal(
        labels, FineTuneRecipe(holdout=0.25, min_for_holdout=12)
    )
    assert held_out
    assert sorted(np.concatenate([tune, measure]).tolist()) == list(range(len(labels)))
    assert np.bincount(labels[measure], minlength=4).tolist() == [2, 1, 0, 1]
    assert set(labels[tune]) == {0, 1, 2, 3}


def test_too_few_samples_are_all_used_and_the_split_says_it_is_not_held_out():
    labels = np.arange(5)
    tune, measure, held_out = split_personal(labels, FineTuneRecipe(min_for_holdout=12))
    assert not held_out and tune.tolist() == measure.tolist() == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_a_short_fine_tune_learns_the_users_style_and_still_reads_mnist():
    data = _mnist()
    x, y = _mirrored_style()
    tune, measure, held_out = split_personal(y, TINY)
    assert held_out and len(measure) >= 20
    model = _dense()
    test_x = data.x_test[:2000].astype(np.float32) / 255.0
    test_y = data.y_test[:2000]
    before_style, before_mnist = (
        accuracy(model, x[measure], y[measure]),
        accuracy(model, test_x, test_y),
    )
    events = []
    result = fine_tune(
        model, data.x_train, data.y_train, x[tune], y[tune], TINY, on_progress=events.append
    )
    after_style, after_mnist = (
        accuracy(model, x[measure], y[measure]),
        accuracy(model, test_x, test_y),
    )
    assert not result["stopped"] and not result["nan"] and result["epochs_run"] == 1
    assert after_style >= before_style + 0.10  # on samples it never saw
    assert after_mnist >= 0.93 and after_mnist >= before_mnist - 0.04
    steps = TINY.steps_per_epoch(600)
    assert [e["batch"] for e in events if e["kind"] == "batch"] == list(range(1, steps + 1))
    assert events[-1]["kind"] == "epoch"


@pytest.mark.slow
def test_a_fine_tune_asked_to_stop_stops_within_a_batch_and_says_so():
    data = _mnist()
    x, y = _mirrored_style()
    batches = []
    result = fine_tune(
        _dense(),
        data.x_train,
        data.y_train,
        x,
        y,
        FineTuneRecipe(epochs=3, mnist_size=2000, seed=1),
        on_progress=lambda e: batches.append(e) if e["kind"] == "batch" else None,
        should_stop=lambda: len(batches) >= 2,
    )
    assert result["stopped"] and len(batches) <= 3 and result["epochs_run"] <= 1


def test_a_negative_sample_is_trained_toward_a_flat_answer_and_scored_when_refused():
    from digitlab.model.data.personal_data import NOT_A_DIGIT
    from digitlab.model.nets.fine_tune import targets

    t = targets(np.array([2, NOT_A_DIGIT]), 10)
    assert t[0].tolist() == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert np.allclose(t[1], 0.1)
    model = _dense()
    data = _mnist()
    x = data.x_test[:20].astype(np.float32) / 255.0
    # Clear MNIST digits called "not a digit" are misread: the model knows them.
    assert accuracy(model, x, np.full(20, NOT_A_DIGIT), rule=0.5) < 0.2
    assert accuracy(model, x, data.y_test[:20], rule=0.5) > 0.9
