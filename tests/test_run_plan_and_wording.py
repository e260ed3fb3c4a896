"""What the Train tab decides and says about a run before and after it, Qt-free: the recipe
that suits the data, the run's length in batches, and the words for how it ended."""

from __future__ import annotations

from digitlab.model.nets.run_plan import batches_per_epoch, fit_recipe
from digitlab.model.nets.training import Recipe
from digitlab.model.nets.training_wording import (
    NO_DATA_CHOSEN,
    evaluating_texts,
    failure_message,
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
        nan=False, stopped=True, elapsed="1:15", learning_rate=2e-3
    )
    assert (progress, level) == ("cancelled", "info") and "after 1:15" in text
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
