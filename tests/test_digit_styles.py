"""Digits drawn in the styles strangers use (long up-stroke ones, ones with a base, slashed
zeros, open fours, sixes with an open loop...): the training data, and the bundled models
reading them."""

import numpy as np
import pytest

from digitlab.model.data.digit_styles import STYLES, style_digit, style_digit_inputs
from digitlab.model.nets.light_inference import LightCore
from digitlab.model.preprocess.strokes import strokes_to_input

STRANGERS_STYLES = (
    "zero slashed",
    "one with a long up-stroke",
    "one with a base",
    "four open",
    "six with an open loop",
)


def test_every_digit_has_a_style_and_the_strangers_misreadings_are_among_them():
    assert {label for label, _ in STYLES.values()} == set(range(10))
    assert set(STRANGERS_STYLES) <= set(STYLES)


@pytest.mark.parametrize("style", list(STYLES))
def test_each_style_is_pen_strokes_on_the_canvas_with_its_label(style):
    rng = np.random.default_rng(1)
    strokes, label, name = style_digit(rng, style)
    assert name == style and label == STYLES[style][0]
    points = np.vstack(strokes)
    assert points.shape[1] == 2 and np.isfinite(points).all()
    assert points.min() >= 0 and points.max() <= 280
    image = strokes_to_input([s.tolist() for s in strokes], (280, 280)).image
    assert image.max() > 0.5  # it draws ink through the canvas pipeline


def test_style_inputs_are_model_inputs_every_style_equally_often_and_reproducible():
    n = len(STYLES) * 3
    x, y, names = style_digit_inputs(n, seed=4)
    assert x.shape == (n, 28, 28) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert y.dtype == np.int64 and names.shape == (n,)
    assert all((names == s).sum() == 3 for s in STYLES)
    assert all(y[i] == STYLES[str(names[i])][0] for i in range(n))
    again, _, again_names = style_digit_inputs(n, seed=4)
    assert np.array_equal(x, again) and np.array_equal(names, again_names)
    other, _, _ = style_digit_inputs(n, seed=5)
    assert not np.array_equal(x, other)


def test_the_bundled_models_read_the_styles_strangers_draw():
    # 80 drawings a style, never seen in training (the bundled models trained on seed 3000).
    # The models bundled before the styles read 94.2% and 89.7% of them, their weakest of the
    # strangers' styles 66% (CNN, long up-stroke ones) and 56% (dense, slashed zeros); the CNN
    # taught them by a teacher that misread them 97.4% (its long up-stroke ones 76%), the CNN
    # bundled now 99.0% (90%).
    x, y, names = style_digit_inputs(len(STYLES) * 80, seed=11)
    answers = LightCore().probabilities(x)
    for model, overall, each in (("cnn", 0.98, 0.85), ("dense", 0.915, 0.65)):
        right = answers[model].argmax(1) == y
        assert right.mean() >= overall, (model, right.mean())
        for style in STRANGERS_STYLES:
            assert right[names == style].mean() >= each, (model, style)
