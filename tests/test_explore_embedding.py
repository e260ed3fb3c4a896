"""The Explore map and its neighbours: pure NumPy on the light models, no Qt."""

import functools

import numpy as np
import pytest

from digitlab.model.data.mnist import load_mnist, mnist_test_inputs
from digitlab.model.explore.cache import load_map, load_neighbours, save_map, save_neighbours
from digitlab.model.explore.embedding import METHODS, build_map, fit_pca
from digitlab.model.explore.neighbours import build_neighbours

N = 400
"""Test digits mapped here (the tab maps all 10,000)."""


@functools.lru_cache(maxsize=1)
def _cnn_outputs():
    from digitlab.model.nets.light_inference import LightCore

    model = LightCore().model("cnn")
    return lambda batch: model.run(batch).activations


@functools.lru_cache(maxsize=1)
def _small_map():
    return build_map(
        "cnn", "k" * 64, _cnn_outputs(), mnist_test_inputs()[:N], load_mnist().y_test[:N]
    )


def test_the_map_places_every_test_digit_in_two_dimensions_for_each_layer_and_method():
    emap = _small_map()
    assert set(emap.layers) == {"dense", "pool2"}
    assert emap.labels.dtype == np.uint8 and emap.predicted.shape == (N,)
    assert emap.misread.sum() < N * 0.05  # the bundled CNN reads ~99.5% right
    for layer, lm in emap.layers.items():
        d = {"dense": 128, "pool2": 1600}[layer]
        assert lm.mean.shape == (d,) and lm.basis.shape == (d, 32)
        for method in METHODS:
            coords = lm.coords[method]
            assert coords.shape == (N, 2) and coords.dtype == np.float32
            assert np.isfinite(coords).all()


def test_a_digit_is_placed_where_the_map_put_it_and_its_class_clusters_together():
    emap = _small_map()
    lm = emap.layers["dense"]
    acts = _cnn_outputs()(mnist_test_inputs()[:3])["dense"]
    np.testing.assert_allclose(lm.place(acts[0]), lm.coords["lda"][0], atol=1e-3)
    assert lm.place(acts).shape == (3, 2)

    # most digits are nearer their own class's centre than any other's, more so on LDA's map
    def own_centre_share(coords, labels):
        centres = np.stack([coords[labels == k].mean(axis=0) for k in range(10)])
        nearest = np.linalg.norm(coords[:, None] - centres[None], axis=2).argmin(axis=1)
        return (nearest == labels).mean()

    lda = own_centre_share(lm.coords["lda"], emap.labels)
    assert lda > 0.75
    assert lda > own_centre_share(lm.coords["pca"], emap.labels)


def test_pca_axes_are_orthonormal_and_strongest_first():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 6)) * np.array([5, 3, 2, 1, 0.5, 0.1])
    mean, basis = fit_pca(x, dims=4)
    np.testing.assert_allclose(basis.T @ basis, np.eye(4), atol=1e-5)
    assert np.abs(basis[0, 0]) > 0.99 and np.abs(basis[1, 1]) > 0.99
    with pytest.raises(ValueError):
        fit_pca(np.zeros((1, 3)))


def test_the_nearest_training_digits_to_a_seven_are_sevens():
    emap = _small_map()
    data = load_mnist()
    index = build_neighbours(emap, _cnn_outputs(), data.x_train[:2000])
    assert index.reduced["dense"].dtype == np.float16
    assert index.reduced["dense"].shape == (2000, 32)
    seven = _cnn_outputs()(mnist_test_inputs()[:1])["dense"]  # test digit 0 is a 7
    query = emap.layers["dense"].reduce(seven)[0]
    nearest = index.nearest("dense", query, 5)
    assert nearest.shape == (5,)
    assert (data.y_train[:2000][nearest] == 7).all()


def test_the_map_cache_round_trips_and_refuses_another_model_or_a_huge_file(tmp_path):
    emap = _small_map()
    path = save_map(tmp_path / "map.npz", emap)
    back = load_map(path, emap.key)
    np.testing.assert_array_equal(
        back.layers["pool2"].coords["pca"], emap.layers["pool2"].coords["pca"]
    )
    assert back.labels.tolist() == emap.labels.tolist()
    with pytest.raises(ValueError, match="another model"):
        load_map(path, "x" * 64)
    from digitlab.model.explore import cache

    old = cache.MAX_CACHE_BYTES
    try:
        cache.MAX_CACHE_BYTES = 1000
        with pytest.raises(ValueError, match="limit"):
            load_map(path, emap.key)
    finally:
        cache.MAX_CACHE_BYTES = old
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="unreadable"):
        load_map(tmp_path / "bad.npz", emap.key)


def test_a_cache_with_a_pickled_array_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(
        path, key=np.array("k"), version=np.array(1), layers=np.array([{"a": 1}], dtype=object)
    )
    with pytest.raises(ValueError):
        load_map(path, "k")


def test_the_neighbour_cache_round_trips(tmp_path):
    from digitlab.model.explore.neighbours import NeighbourIndex

    index = NeighbourIndex("k", {"dense": np.zeros((10, 4), np.float16)})
    back = load_neighbours(save_neighbours(tmp_path / "n.npz", index), "k")
    assert back.reduced["dense"].shape == (10, 4)


def test_the_dream_cache_round_trips_and_refuses_pictures_out_of_range(tmp_path):
    from digitlab.model.explore.cache import load_dreams, save_dreams

    picture = np.full((28, 28), 0.5, np.float32)
    path = save_dreams(tmp_path / "d.npz", "k", {("output", 3): (picture, 12.5)})
    back = load_dreams(path, "k")
    assert back[("output", 3)][1] == 12.5
    np.testing.assert_array_equal(back[("output", 3)][0], picture)
    with pytest.raises(ValueError):
        load_dreams(path, "other")
    np.savez(
        tmp_path / "bad.npz",
        key=np.array("k"),
        version=np.array(1, np.int32),
        **{"output.3.image": np.full((28, 28), 2.0, np.float32), "output.3.drive": np.float32(1)},
    )
    with pytest.raises(ValueError):
        load_dreams(tmp_path / "bad.npz", "k")
