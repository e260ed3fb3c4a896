"""Push it and fool it on the bundled models: pure NumPy and Keras, no Qt."""

import functools

import numpy as np
import pytest

from digitlab.model.data.mnist import load_mnist, mnist_test_inputs
from digitlab.model.explore.push import SLIDERS, PushSettings, apply_push, push_curves
from digitlab.model.preprocess.pictures import image_to_input
from digitlab.model.preprocess.strokes import strokes_to_input


@functools.lru_cache(maxsize=1)
def _light_core():
    from digitlab.model.nets.light_inference import LightCore

    return LightCore()


def _drawn(strokes, canvas=(200.0, 200.0)):
    """The preprocessing path's answer for ``strokes`` (canvas px), as the canvas sends them."""
    return strokes_to_input(strokes, canvas)


def _seven():
    return _drawn([[[40, 40], [160, 40], [90, 180]]])


def _mnist_seven() -> np.ndarray:
    assert load_mnist().y_test[0] == 7
    return np.array(mnist_test_inputs()[0, ..., 0])


def _ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(image.any(1) > 0), np.flatnonzero(image.any(0) > 0)
    return rows[0], rows[-1], cols[0], cols[-1]


def _centre_of_mass(image: np.ndarray) -> np.ndarray:
    rr, cc = np.indices(image.shape)
    return np.array([(rr * image).sum(), (cc * image).sum()]) / image.sum()


def test_neutral_sliders_give_the_drawings_own_model_input():
    seven = _seven()
    np.testing.assert_allclose(apply_push(seven.cropped, PushSettings()), seven.image, atol=1e-6)


def test_neutral_sliders_give_a_pictures_own_model_input():
    picture = np.full((300, 200), 255, np.uint8)
    picture[40:260, 90:110] = 0  # a dark 1 on white paper
    pre = image_to_input(picture)
    np.testing.assert_allclose(apply_push(pre.cropped, PushSettings()), pre.image, atol=1e-6)


@pytest.mark.parametrize("slider", SLIDERS, ids=lambda s: s.name)
def test_every_slider_keeps_a_28x28_input_in_range_and_changes_it_away_from_neutral(slider):
    seven = _seven()
    far = slider.high if slider.high != slider.neutral else slider.low
    pushed = apply_push(seven.cropped, PushSettings({slider.name: far}))
    assert pushed.shape == (28, 28) and pushed.dtype == np.float32
    assert pushed.min() >= 0 and pushed.max() <= 1
    assert not np.allclose(pushed, seven.image)


def test_a_rotated_drawing_is_fitted_and_centred_again_by_the_path():
    bar = _drawn([[[100, 20], [100, 180]]])  # a vertical stroke
    turned = apply_push(bar.cropped, PushSettings({"rotate": 90}))
    top, bottom, left, right = _ink_box(turned > 0.5)
    assert right - left >= 17 and bottom - top <= 4  # lying down, 20 px long again
    np.testing.assert_allclose(_centre_of_mass(turned), [14, 14], atol=1)


def test_scale_and_shift_move_the_framing_instead_of_being_undone():
    seven = _seven()
    moved = apply_push(seven.cropped, PushSettings({"shift_x": 5, "shift_y": -3}))
    shift = _centre_of_mass(moved) - _centre_of_mass(seven.image)
    np.testing.assert_allclose(shift, [-3, 5], atol=0.6)
    small = apply_push(seven.cropped, PushSettings({"scale": 0.5}))
    top, bottom, left, right = _ink_box(small > 0.1)
    assert max(bottom - top, right - left) + 1 <= 11
    cut = apply_push(seven.cropped, PushSettings({"shift_x": 10}))
    assert cut.sum() < 0.8 * seven.image.sum()  # pushed partly off the field


def test_thickening_adds_ink_and_thinning_takes_it_away_at_the_same_place():
    seven = _seven()
    thick = apply_push(seven.cropped, PushSettings({"thickness": 2}))
    thin = apply_push(seven.cropped, PushSettings({"thickness": -1}))
    assert thick.sum() > 1.3 * seven.image.sum() > 1.3 * 1.3 * thin.sum()
    for image in (thick, thin):
        np.testing.assert_allclose(_centre_of_mass(image), _centre_of_mass(seven.image), atol=1.5)


def test_erasing_a_band_takes_the_middle_of_the_drawing_away():
    bar = _drawn([[[100, 20], [100, 180]]])
    cut = apply_push(bar.cropped, PushSettings({"erase": 6}))
    assert cut[12:16].sum() == 0 and cut[:8].sum() > 0 and cut[20:].sum() > 0


def test_a_huge_pictures_ink_is_pushed_at_a_bounded_scale():
    picture = np.zeros((3000, 3000), np.uint8)
    picture[200:2800, 1400:1600] = 255
    pre = image_to_input(picture)
    pushed = apply_push(pre.cropped, PushSettings({"rotate": 45, "thickness": 1}))
    assert pushed.shape == (28, 28) and 0 < pushed.max() <= 1


def test_curves_cover_each_sliders_range_and_mark_where_the_seven_stops_being_read():
    result = push_curves(_light_core(), _seven().cropped, PushSettings())
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
    before = fooler.probabilities(_mnist_seven())["cnn"][3]
    pushed = push_step(fooler.model("cnn"), _mnist_seven(), 3, step=0.5)
    assert pushed.shape == (28, 28) and pushed.dtype == np.float32
    assert pushed.min() >= 0 and pushed.max() <= 1
    assert fooler.probabilities(pushed)["cnn"][3] > before


@pytest.mark.slow
def test_fooling_each_model_flips_its_label_with_a_small_change_in_range():
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.explore.adversarial import Fooler

    fooler = Fooler({n: bundled_model_path(n) for n in ("cnn", "dense")})
    result = fooler.fool(_mnist_seven(), 3, revision=5)
    assert result.revision == 5 and int(result.original["cnn"].argmax()) == 7
    for name, attack in result.attacks.items():
        assert attack.fooled[name], name
        assert int(attack.probabilities[name].argmax()) == 3
        assert attack.image.min() >= 0 and attack.image.max() <= 1
        np.testing.assert_allclose(attack.image - _mnist_seven(), attack.delta, atol=1e-6)
        assert 0 < attack.l2 < 5 and 0 < attack.linf <= 1
        assert set(attack.fooled) == {"cnn", "dense"}


def test_switching_off_every_unit_of_a_layer_changes_the_answer_and_the_accuracy():
    from digitlab.model.explore.ablation import Breakage, accuracy, broken_run, switched_off

    model = _light_core().model("cnn")
    batch = mnist_test_inputs()[:200]
    labels = load_mnist().y_test[:200]
    as_trained = broken_run(model, "cnn", batch, Breakage())
    np.testing.assert_allclose(as_trained.probabilities, model(batch), atol=1e-6)
    off = Breakage({("cnn", "dense"): np.zeros(128, np.float32)})
    assert off.touches("cnn") and not off.touches("dense")
    broken = broken_run(model, "cnn", batch[:1], off).probabilities[0]
    assert int(broken.argmax()) != 7 or broken.max() < 0.5
    assert accuracy(model, "cnn", batch, labels, Breakage()) > 0.95
    assert accuracy(model, "cnn", batch, labels, off) < 0.3
    one = Breakage({("cnn", "conv1"): switched_off(32, {0: 0.0})})
    assert one.broken and one.key("cnn") != Breakage().key("cnn")
    assert broken_run(model, "cnn", batch[:1], one).activations["conv1"][..., 0].max() == 0


def test_weight_noise_changes_a_copy_and_never_the_model():
    from digitlab.model.explore.ablation import Breakage, broken_run

    model = _light_core().model("dense")
    before = [w.copy() for layer in model.layers for w in layer.weights]
    noisy = broken_run(model, "dense", mnist_test_inputs()[:5], Breakage(noise={"dense": 1.0}))
    after = [w for layer in model.layers for w in layer.weights]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert not np.allclose(noisy.probabilities, model(mnist_test_inputs()[:5]))


@pytest.mark.slow
def test_a_classs_dream_is_read_as_that_class_and_stays_in_range():
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.explore.adversarial import Fooler
    from digitlab.model.explore.dream import activation_of, dream

    fooler = Fooler({"cnn": bundled_model_path("cnn")})
    image = dream(fooler.model("cnn"), "output", 3, steps=80)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1
    assert int(fooler.probabilities(image)["cnn"].argmax()) == 3
    unit = dream(fooler.model("cnn"), "dense", 5, steps=80)
    noise = np.random.default_rng(0).uniform(0, 0.3, (28, 28)).astype(np.float32)
    model = fooler.model("cnn")
    assert activation_of(model, "dense", 5, unit) > activation_of(model, "dense", 5, noise)
    with pytest.raises(ValueError):
        dream(model, "conv1", 32)
