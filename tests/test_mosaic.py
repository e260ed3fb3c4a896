"""Mosaic layout, unit lookup and receptive fields: pure NumPy, no Qt."""

import numpy as np
import pytest

from digitlab.model.explain.mosaic import GAP_INDEX, build_mosaic, calibrate_level, layout_for
from digitlab.model.explain.receptive_field import FieldStep, receptive_field

CNN_STEPS = (
    FieldStep("conv1", 3, 1),
    FieldStep("pool1", 2, 2),
    FieldStep("conv2", 3, 1),
    FieldStep("pool2", 2, 2),
)


@pytest.mark.parametrize(
    "shape", [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (128,), (10,)]
)
def test_every_unit_lands_in_its_own_mosaic_pixel_and_is_found_again(shape):
    layout = layout_for(shape)
    act = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    act = act / act.max()
    mosaic = build_mosaic(act, layout, level=1.0)
    assert mosaic.shape == layout.shape and mosaic.dtype == np.uint8
    assert mosaic.flags.c_contiguous
    rng = np.random.default_rng(0)
    for _ in range(50):
        flat = rng.integers(act.size)
        idx = np.unravel_index(flat, shape)
        if len(shape) == 3:
            row, col, channel = idx
        else:
            row, col, channel = 0, 0, idx[0]
        top, left = layout.cell_origin(channel)
        assert layout.locate(top + row + 0.5, left + col + 0.5) == (channel, row, col)
        expected = np.clip(act[idx] * 254, 0, 254).astype(np.uint8)
        assert mosaic[top + row, left + col] == expected


def test_gaps_between_maps_are_not_units():
    layout = layout_for((26, 26, 32))
    mosaic = build_mosaic(np.zeros((26, 26, 32)), layout, 1.0)
    assert mosaic[26, 0] == GAP_INDEX
    assert layout.locate(26.5, 3) is None


def test_values_are_clipped_to_the_fixed_level():
    layout = layout_for((10,))
    mosaic = build_mosaic(np.array([-1, 0, 0.5, 1, 7, 0, 0, 0, 0, 0.0]), layout, level=1.0)
    assert list(mosaic[0, :5]) == [0, 0, 127, 254, 254]


def test_vector_layers_form_compact_blocks():
    assert layout_for((128,)).shape == (8, 16)
    assert layout_for((10,)).shape == (1, 10)


@pytest.mark.parametrize("layer, size", [("conv1", 3), ("pool1", 4), ("conv2", 8), ("pool2", 10)])
def test_receptive_fields_of_the_seed_cnn(layer, size):
    top, left, h, w = receptive_field(CNN_STEPS, layer, 0, 0)
    assert (top, left, h, w) == (0, 0, size, size)


def test_receptive_field_moves_by_the_accumulated_stride():
    assert receptive_field(CNN_STEPS, "pool2", 4, 2)[:2] == (16, 8)
    assert receptive_field(CNN_STEPS, "conv1", 25, 25) == (25, 25, 3, 3)
    assert receptive_field(CNN_STEPS, "dense", 0, 0) == (0, 0, 28, 28)


def test_calibrated_level_ignores_dead_units():
    assert calibrate_level(np.zeros(10)) == 1.0
    assert calibrate_level(np.r_[np.zeros(1000), np.linspace(0, 4, 1000)], 100) == 4.0
