"""What the Train tab decides and says about a run before and after it, Qt-free: the recipe
that suits the data, the run's length in batches, and the words for how it ended."""

from __future__ import annotations

from digitlab.model.nets.run_plan import batches_per_epoch, fit_recipe
from digitlab.model.nets.training import Recipe
from digitlab.model.nets.training_wording import (
    FAIR_TEST_MIN,
    NO_DATA_CHOSEN,
    evaluating_texts,
    failure_message,
    fine_tune_note,
    run_ending,
    starting_text,
)

RECIPE = Recipe(epochs=2, batch_size=100, learning_rate=2e-3, augment=True, train_size=250)


def test_your_own_pictures_are_learnt_all_of_them_and_undistorted():
    mine = fit_recipe(RECIPE, custom=True)
    assert mine.train_size is None and not mine.augment and mine.epochs == 2
    assert fit_recipe(RECIPE, custom=False) == RECIPE


def test_a_run_counts_the_batches_of_the_pictures_it_uses():
    assert batches_per_epoch(RECIPE, 10_000) == 3  # 250 of them, in batches of 100
    assert batches_per_epoch(RECIPE, 120) == 2  # fewer pictures than train_size
    assert batches_per_epoch(fit_recipe(RECIPE, custom=True), 1_001) == 11
    assert batches_per_epoch(RECIPE, 0) == 1


def test_a_run_that_went_nan_names_where_and_the_learning_rate():
    progress, (text, level) = run_ending(
        nan=True, stopped=False, elapsed="0:03", learning_rate=1e9, nan_at=(1, 7)
    )
    assert progress == "stopped: loss became NaN" and level == "error"
    assert "at epoch 1, batch 7" in text and "(1e+09)" in text and "discarded" in text


def test_a_cancelled_run_and_a_completed_one_read_differently():
    progress, (text, level) = run_ending(
        nan=False,
        stopped=True,
        elapsed="1:15",
        learning_rate=2e-3,
        label="Trained CNN #2 (1 ep, 60k, lr 0.002) (cancelled)",
        epochs_run=1,
        batches_run=470,
        batches_per_epoch=469,
    )
    assert (progress, level) == ("cancelled after 1 epoch and 1 batch", "info")
    assert text.startswith("Training cancelled after 1 epoch and 1 batch (1:15).")
    assert "(its 1 finished epoch) is in the model list" in text
    progress, (text, level) = run_ending(
        nan=False,
        stopped=False,
        elapsed="1:15",
        learning_rate=2e-3,
        label="CNN #2",
        accuracy=0.9912,
    )
    assert (progress, level) == ("done in 1:15", "ok")
    assert text.startswith("CNN #2: trained in 1:15; test accuracy 99.12%.")
    _, (text, _) = run_ending(nan=False, stopped=False, elapsed="0:05", learning_rate=1e-3)
    assert "test accuracy" not in text


def test_the_words_while_a_run_starts_and_is_evaluated():
    assert starting_text("cnn", custom=False) == "Building a fresh CNN and loading MNIST…"
    assert "your pictures" in starting_text("dense", custom=True)
    assert "10,000" in evaluating_texts(False)[0] and "held-out" in evaluating_texts(True)[1]
    assert failure_message("OSError: disk full") == (
        "Training failed: OSError: disk full. The live models are unchanged.",
        "error",
    )
    assert NO_DATA_CHOSEN[1] == "error" and "Training data" in NO_DATA_CHOSEN[0]


def test_a_fine_tuning_result_is_called_a_fair_test_only_with_enough_held_out_samples():
    tiny = fine_tune_note(True, tuned=15, measured=5, min_for_holdout=12, holdout=0.25)
    assert "a fair test." not in tiny and "not yet a fair test" in tiny
    assert "only 5 samples" in tiny and "20 points" in tiny and "80+ samples" in tiny
    enough = fine_tune_note(True, 60, FAIR_TEST_MIN, 12, 0.25)
    assert enough.endswith("(tuned on 60): a fair test.")
    none = fine_tune_note(False, tuned=1, measured=1, min_for_holdout=12, holdout=0.25)
    assert none.startswith("Only 1 sample, all used") and "not a fair test" in none


def test_a_cancelled_run_says_how_far_it_got():
    from digitlab.model.nets.training_wording import cancelled_after

    assert cancelled_after(0, 0, 8) == "no batch"
    assert cancelled_after(0, 5, 8) == "5 batches"
    assert cancelled_after(2, 16, 8) == "2 epochs"
    assert cancelled_after(2, 17, 8) == "2 epochs and 1 batch"
