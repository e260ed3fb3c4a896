"""What a training run will do, decided before it starts: the recipe that suits its data and
its length in batches (the scale of the Train tab's progress bar and curves). Qt-free."""

from __future__ import annotations

import math
from dataclasses import replace

from digitlab.model.nets.training import Recipe


def fit_recipe(recipe: Recipe, custom: bool) -> Recipe:
    """``recipe`` for the data it will learn: your own pictures (``custom``) are learnt all
    of them and undistorted (the distortions are made for handwritten digits); MNIST runs
    keep the recipe as it is."""
    return replace(recipe, train_size=None, augment=False) if custom else recipe


def batches_per_epoch(recipe: Recipe, available: int) -> int:
    """Batches in one pass over the first ``recipe.train_size`` of ``available`` training
    pictures (all of them when ``train_size`` is None); at least 1."""
    n = available if recipe.train_size is None else min(recipe.train_size, available)
    return max(1, math.ceil(n / recipe.batch_size))
