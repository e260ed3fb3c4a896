"""Push it and fool it on the bundled models: pure NumPy and Keras, no Qt."""

import functools

import numpy as np
import pytest

from digitlab.model.data.mnist import load_mnist, mnist_test_inputs
from digitlab.model.explore.push import SLIDERS, PushSettings, apply_push, push_curves


@functools.lru_cache(maxsize=1)
def _light_core():
    from digitlab.model.nets.light_inference import LightCore

    return LightCore()


def _seven() -> np.ndarray:
    assert load_mnist().y_test[0] == 7
    return np.array(mnist_test_inputs()[0, ..., 0])


def test_neutral_sliders_leave_the_input_as_it_is():
    np.testing.assert_allclose(apply_push(_seven(), PushSettings()), _seven(), atol=1e-6)


@pytest.mark.parametrize("slider", SLIDERS, ids=lambda s: s.name)
def test_every_slider_keeps_a_28x28_input_in_range_and_changes_it_away_from_neutral(slider):
    far = slider.high if slider.high != slider.neutral else slider.low
    pushed = apply_push(_seven(), PushSettings({slider.name: far}))
    assert pushed.shape == (28, 28) and pushed.dtype == np.float32
    assert pushed.min() >= 0 and pushed.max() <= 1
    assert not np.allclose(pushed, _seven())


def test_rotating_by_ninety_degrees_turns_the_ink():
    bar = np.zeros((28, 28), np.float32)
    bar[4:24, 13:15] = 1  # a vertical bar
    turned = apply_push(bar, PushSettings({"rotate": 90}))
    assert turned[13:15, 4:24].mean() > 0.8 and turned[4:10, 13:15].mean() < 0.2


def test_curves_cover_each_sliders_range_and_mark_where_the_seven_stops_being_read():
    result = push_curves(_light_core(), _seven(), PushSettings())
    assert result.answer == 7 and set(result.probabilities) == {"cnn", "dense"}
    for slider in SLIDERS:
        curve = result.curves[slider.name]
        assert curve.values[0] == slider.low and curve.values[-1] == slider.high
        for probs in curve.probabilities.values():
            assert probs.shape == curve.values.shape and probs.dtype == np.float32
    noise = result.curves["noise"]
    assert noise.probabilities["cnn"][0] > 0.9 > noise.probabilities["cnn"][-1]
    assert noise.flips["cnn"] and 0 < noise.flips["cnn"][0] < 1


@pytest.mark.slow
def test_a_push_toward_three_raises_the_cnns_probability_of_three():
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.explore.adversarial import Fooler, push_step

    fooler = Fooler({"cnn": bundled_model_path("cnn")})
    before = fooler.probabilities(_seven())["cnn"][3]
    pushed = push_step(fooler.model("cnn"), _seven(), 3, step=0.5)
    assert pushed.shape == (28, 28) and pushed.dtype == np.float32
    assert pushed.min() >= 0 and pushed.max() <= 1
    assert fooler.probabilities(pushed)["cnn"][3] > before


@pytest.mark.slow
def test_fooling_each_model_flips_its_label_with_a_small_change_in_range():
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.explore.adversarial import Fooler

    fooler = Fooler({n: bundled_model_path(n) for n in ("cnn", "dense")})
    result = fooler.fool(_seven(), 3, revision=5)
    assert result.revision == 5 and int(result.original["cnn"].argmax()) == 7
    for name, attack in result.attacks.items():
        assert attack.fooled[name], name
        assert int(attack.probabilities[name].argmax()) == 3
        assert attack.image.min() >= 0 and attack.image.max() <= 1
        np.testing.assert_allclose(attack.image - _seven(), attack.delta, atol=1e-6)
        assert 0 < attack.l2 < 5 and 0 < attack.linf <= 1
        assert set(attack.fooled) == {"cnn", "dense"}
