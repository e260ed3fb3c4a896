"""The explanation maths without Qt: saliency, receptive fields, filters, steps, at scale."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

from digitlab.model.explain import at_scale
from digitlab.model.explain.filters import (
    dense_templates,
    fingerprint,
    kernel_mosaic,
    load_top,
    save_top,
    top_activating,
)
from digitlab.model.explain.receptive_field import field_steps, receptive_field, receptive_fields
from digitlab.model.explain.saliency import (
    Explainer,
    occluded_batch,
    occlusion,
    patch_starts,
    upsample_cam,
)
from digitlab.model.preprocess.frame import normalise
from digitlab.model.preprocess.pictures import image_to_input
from digitlab.model.preprocess.strokes import Stroke, strokes_to_input

SEVEN = [[[60, 60], [200, 60], [120, 230]]]


@functools.lru_cache(maxsize=1)
def _explainer() -> Explainer:
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.model_files import load_model

    return Explainer({name: load_model(bundled_model_path(name)) for name in ("cnn", "dense")})


@functools.lru_cache(maxsize=1)
def _mnist_test():
    from digitlab.model.data.bundled import MNIST_PATH

    with np.load(MNIST_PATH, allow_pickle=False) as data:
        return data["x_test"][:2000].astype(np.float32) / 255.0, data["y_test"][:2000]


def _a_seven() -> np.ndarray:
    return strokes_to_input(SEVEN, (280, 280)).image


# --------------------------------------------------------------------------- saliency


def test_occlusion_slides_144_patches_and_covers_every_pixel():
    batch, positions = occluded_batch(np.ones((28, 28), np.float32))
    assert batch.shape == (144, 28, 28, 1) and len(positions) == 144
    assert list(patch_starts()) == list(range(0, 23, 2))
    covered = np.zeros((28, 28), bool)
    for (t, left), img in zip(positions, batch[..., 0], strict=True):
        assert (img[t : t + 6, left : left + 6] == 0).all() and img.sum() == 28 * 28 - 36
        covered[t : t + 6, left : left + 6] = True
    assert covered.all()


def test_occlusion_asks_the_model_once_with_every_patch_in_one_batch():
    calls = []

    def predict(batch):
        calls.append(batch.shape)
        return np.tile([[0.5, 0.5]], (len(batch), 1)).astype(np.float32)

    occlusion(predict, np.zeros((28, 28), np.float32), 0)
    assert calls == [(145, 28, 28, 1)]


@pytest.mark.parametrize("name", ["cnn", "dense"])
def test_occluding_the_ink_lowers_the_class_more_than_occluding_the_background(name):
    explainer = _explainer()
    image = _a_seven()
    assert int(np.argmax(explainer.probabilities(name, image)[0])) == 7
    saliency = explainer.occlusion(name, image, 7)
    assert saliency.shape == (28, 28) and saliency.dtype == np.float32
    assert saliency.min() >= -1 and saliency.max() <= 1
    ink = image > 0.3
    near_ink = np.zeros_like(ink)
    for dr in range(-6, 7):
        for dc in range(-6, 7):
            near_ink |= np.roll(np.roll(ink, dr, 0), dc, 1)
    background = ~near_ink
    assert background.any()
    # A confident model loses little probability to one patch: compare, do not threshold.
    assert saliency[ink].mean() > 0 and saliency[ink].mean() > saliency[background].mean()
    assert near_ink[np.unravel_index(np.argmax(saliency), saliency.shape)]
    assert np.abs(saliency[background]).max() < 1e-6  # covering nothing changes nothing


def test_gradcam_on_conv2_is_an_11x11_map_in_0_1_that_lands_on_the_ink():
    explainer = _explainer()
    image = _a_seven()
    cam = explainer.gradcam("cnn", image, 7)
    assert cam.layer_map.shape == (11, 11) and cam.layer_map.dtype == np.float32
    assert cam.input_map.shape == (28, 28) and cam.input_map.dtype == np.float32
    for m in (cam.layer_map, cam.input_map):
        assert m.min() >= 0.0 and m.max() <= 1.0
    assert cam.peak > 0 and cam.layer_map.max() == pytest.approx(1.0)
    # Mostly on the ink. Not always: the bundled CNN, trained to say "not a digit", also
    # counts blank space (no stray stroke beside a 7) as evidence, and Grad-CAM shows it.
    from digitlab.model.data.mnist import load_mnist

    data = load_mnist()
    sevens = data.x_test[np.flatnonzero(data.y_test == 7)[:20]].astype(np.float32) / 255.0
    on_ink = []
    for seven in sevens:
        m = explainer.gradcam("cnn", seven, 7).input_map
        on_ink.append(m[seven > 0.3].mean() > m[seven <= 0.3].mean())
    assert np.mean(on_ink) >= 0.7


def test_the_dense_network_has_no_gradcam_layer():
    explainer = _explainer()
    assert explainer.has_gradcam("cnn") and not explainer.has_gradcam("dense")
    with pytest.raises(ValueError):
        explainer.gradcam("dense", _a_seven(), 7)


def test_a_layer_map_lands_on_the_input_by_its_units_field_centres():
    cam = np.zeros((11, 11), np.float32)
    cam[5, 5] = 1.0
    up = upsample_cam(cam, start=0, jump=2, size=8)
    # conv2 unit 5 sees input rows 10..17; its centre is at 14 (pixel edges).
    assert np.unravel_index(np.argmax(up), up.shape) in {(13, 13), (13, 14), (14, 13), (14, 14)}
    assert up.shape == (28, 28)


# --------------------------------------------------------------------------- receptive fields


def test_receptive_fields_of_the_cnn_come_from_its_layers():
    rows = {r.name: r for r in receptive_fields(_explainer().model("cnn"))}
    assert [rows[n].size for n in ("conv1", "pool1", "conv2", "pool2")] == [3, 4, 8, 10]
    assert [rows[n].jump for n in ("conv1", "pool1", "conv2", "pool2")] == [1, 2, 2, 4]
    assert rows["dense"].size == 28 and not rows["dense"].spatial
    assert rows["conv2"].field_of(5, 5) == (10, 10, 8, 8)
    assert "edges" in rows["conv1"].detects and "digit" in rows["output"].detects


def test_the_dense_networks_hidden_units_see_the_whole_28x28_input():
    rows = {r.name: r for r in receptive_fields(_explainer().model("dense"))}
    assert rows["hidden"].size == 28 and rows["hidden"].field_of(0, 0) == (0, 0, 28, 28)


def test_the_hovered_units_field_is_the_one_the_table_shows():
    import keras

    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", name="padded")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    out = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(x))
    for model in (_explainer().model("cnn"), keras.Model(inputs, out)):
        steps = field_steps(model)
        for row in receptive_fields(model):
            if row.kind != "Flatten":
                for unit in ((0, 0), (3, 5)):
                    assert receptive_field(steps, row.name, *unit) == row.field_of(*unit)


def test_receptive_fields_follow_a_changed_architecture():
    import keras

    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 5, strides=2, name="a")(inputs)
    x = keras.layers.Conv2D(4, 3, name="b")(x)
    out = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(x))
    rows = {r.name: r for r in receptive_fields(keras.Model(inputs, out))}
    assert (rows["a"].size, rows["a"].jump) == (5, 2)
    assert (rows["b"].size, rows["b"].jump) == (9, 2)


# --------------------------------------------------------------------------- filters


def test_conv_kernels_become_one_mosaic_per_layer():
    model = _explainer().model("cnn")
    image, grid, level = kernel_mosaic(model.get_layer("conv1").kernel.numpy())
    assert grid.count == 32 and (grid.h, grid.w) == (3, 3) and grid.rows == 4
    assert image.shape == grid.shape and level > 0
    image2, grid2, _ = kernel_mosaic(model.get_layer("conv2").kernel.numpy())
    assert (grid2.rows, grid2.cols, grid2.count) == (64, 32, 2048)
    k = model.get_layer("conv2").kernel.numpy()
    top, left = 5 * 4, 7 * 4  # output channel 5 reading input channel 7
    np.testing.assert_array_equal(image2[top : top + 3, left : left + 3], k[:, :, 7, 5])
    assert grid2.locate(top + 1, left + 2) == 5 * 32 + 7 and grid2.locate(3, 0) is None


def test_dense_weights_become_128_templates_of_28x28():
    w = _explainer().model("dense").get_layer("hidden").kernel.numpy()
    image, grid, _ = dense_templates(w)
    assert grid.count == 128 and (grid.h, grid.w) == (28, 28) and (grid.rows, grid.cols) == (8, 16)
    np.testing.assert_array_equal(image[29:57, 0:28], w[:, 16].reshape(28, 28))


def test_top_activating_digits_are_the_strongest_first():
    images = np.zeros((6, 28, 28, 1), np.float32)
    for i in range(6):
        images[i, 0, 0, 0] = i
    top = top_activating(
        lambda b: {"unit": b.reshape(len(b), -1)[:, :1], "neg": -b.reshape(len(b), -1)[:, :1]},
        images,
        k=3,
        batch_size=4,
    )
    assert top["unit"].tolist() == [[5, 4, 3]]
    assert top["neg"][0, 0] == 0


def test_top_digits_cache_round_trips_and_refuses_another_model(tmp_path):
    top = {"conv1": np.arange(18, dtype=np.int32).reshape(2, 9)}
    path = save_top(tmp_path / "top.npz", "abc", top)
    np.testing.assert_array_equal(load_top(path, "abc", 10_000)["conv1"], top["conv1"])
    with pytest.raises(ValueError):
        load_top(path, "another")
    with pytest.raises(ValueError):
        load_top(path, "abc", n_images=5)
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError):
        load_top(tmp_path / "bad.npz", "abc")


def test_the_fingerprint_changes_with_the_weights():
    a = [np.zeros((3, 3), np.float32)]
    b = [np.zeros((3, 3), np.float32) + 1e-3]
    assert fingerprint(a) == fingerprint([x.copy() for x in a]) != fingerprint(b)


# --------------------------------------------------------------------------- steps


def test_the_steps_are_byproducts_of_the_one_path_and_add_up_to_its_input():
    pre = strokes_to_input(SEVEN, (280, 280))
    assert pre.cropped.ndim == 2 and pre.cropped.min() >= 0 and pre.cropped.max() <= 1
    assert max(pre.fitted.shape) == 20
    top, left = pre.placed_at
    h, w = pre.fitted.shape
    np.testing.assert_array_equal(pre.image[top : top + h, left : left + w], pre.fitted)
    assert pre.image.sum() == pytest.approx(pre.fitted.sum(), rel=1e-6)
    r, c = pre.centre_of_mass
    assert abs(top + r - 14) <= 0.5 and abs(left + c - 14) <= 0.5


def test_the_steps_do_not_change_the_model_input():
    thin = strokes_to_input([Stroke(np.array(SEVEN[0], float), width=4)], (280, 280))
    picture = np.zeros((50, 40), np.float32)
    picture[10:40, 18:22] = 1.0
    for pre in (thin, image_to_input(picture), normalise(picture)):
        again = normalise(pre.image)
        assert not pre.empty and pre.image.dtype == np.float32
        assert again.image.shape == (28, 28)


# --------------------------------------------------------------------------- at scale


def test_the_intervals_match_newcombes_published_examples():
    # Newcombe (1998), Statistics in Medicine 17: 81/263 -> 0.2553-0.3662 (Wilson), and
    # 56/70 minus 48/80 -> 0.0524-0.3339 (method 10).
    lo, hi = at_scale.wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    lo, hi = at_scale.difference_interval(at_scale.Measured(48, 80), at_scale.Measured(56, 70))
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)
    assert at_scale.wilson_interval(0, 100)[0] == pytest.approx(0.0, abs=1e-12)


def test_expected_errors_per_million_with_their_interval():
    e = at_scale.expected_errors(at_scale.Measured(56, 10_000), 1_000_000)
    assert e.count == pytest.approx(5_600)
    assert 4_300 < e.low < 4_350 and 7_250 < e.high < 7_300


def test_the_better_model_saves_misreadings_with_an_interval_that_excludes_zero():
    comp = at_scale.compare(
        {"cnn": at_scale.Measured(56, 10_000), "dense": at_scale.Measured(139, 10_000)}, 1_000_000
    )
    assert (comp.better, comp.worse) == ("cnn", "dense")
    assert comp.saved == pytest.approx(8_300)
    assert 0 < comp.saved_low < comp.saved < comp.saved_high
    text = at_scale.sentence(comp, {"cnn": "CNN", "dense": "dense network"}, "MNIST's test set")
    assert "1,000,000" in text and "5,600" in text and "8,300" in text and "saves" in text


def test_a_difference_within_the_noise_is_called_so():
    comp = at_scale.compare(
        {"a": at_scale.Measured(10, 1000), "b": at_scale.Measured(12, 1000)}, 1000
    )
    assert comp.saved_low < 0
    assert "cannot tell" in at_scale.sentence(comp, {}, "this")


def test_measured_counts_come_from_the_bundled_metrics_and_pen_dev_files(tmp_path):
    from digitlab.model.data.bundled import METRICS_PATH

    sets = at_scale.measured_from_metrics(METRICS_PATH)
    assert sets["mnist-test"]["cnn"] == at_scale.Measured(56, 10_000)
    assert sets["mnist-test"]["dense"] == at_scale.Measured(147, 10_000)
    assert sets["pen-dev"]["cnn"].total == 3721
    (tmp_path / "metrics.json").write_text(json.dumps({"cnn": {"oops": 1}}))
    assert at_scale.measured_from_metrics(tmp_path / "metrics.json") == {}
