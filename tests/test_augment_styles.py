"""The style variants drawn onto training digits: a base across a one's foot, a flag from its
top, and nothing at all where a variant's share is 0."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.model.preprocess.augment import StyleConfig, add_styles
from digitlab.model.preprocess.frame import normalise
from digitlab.model.preprocess.pen import draw_segments

NONE = StyleConfig(slashed_zero=0, flagged_one=0, crossed_seven=0, hooked_nine=0, based_one=0)


def _one() -> np.ndarray:
    """A plain upright one: a vertical stroke, framed as MNIST frames a digit."""
    raster = draw_segments((56, 56), np.array([[28.0, 8.0], [28.0, 48.0]]), 4.0)
    return normalise(raster).image


def _width(rows: np.ndarray) -> int:
    cols = np.flatnonzero((rows > 0.3).any(0))
    return int(cols[-1] - cols[0] + 1) if len(cols) else 0


def _ink_rows(image: np.ndarray) -> np.ndarray:
    return np.flatnonzero((image > 0.3).any(1))


def test_a_one_given_a_base_gets_a_foot_as_wide_as_half_its_height():
    one = _one()
    styles = StyleConfig(flagged_one=0, based_one=1.0)
    based = add_styles(one[None], np.array([1]), np.random.default_rng(0), styles)[0]
    assert based.shape == (28, 28) and based.dtype == np.float32
    assert based.min() >= 0.0 and based.max() <= 1.0
    rows = _ink_rows(based)
    foot, top = based[rows[-3] : rows[-1] + 1], based[rows[0] : rows[0] + 3]
    assert _width(foot) >= 0.3 * len(rows) and _width(foot) >= 2 * _width(top)
    assert _width(one[_ink_rows(one)[-3] :]) < _width(foot)


def test_a_flag_goes_down_left_from_the_top_and_a_base_stays_at_the_foot():
    one = _one()
    styles = StyleConfig(flagged_one=1.0, based_one=1.0, flag_length=(0.5, 0.5))
    both = add_styles(one[None], np.array([1]), np.random.default_rng(1), styles)[0]
    rows = _ink_rows(both)
    height = len(rows)
    upper = both[rows[0] : rows[0] + height // 3]
    lower = both[rows[-1] - 2 : rows[-1] + 1]
    stem = int(np.argmax(both[rows[len(rows) // 2]]))  # the stem's column, half way down
    assert (upper[:, : stem - 2] > 0.3).any()  # ink left of the stem near the top: the flag
    assert (lower[:, : stem - 2] > 0.3).any() and (lower[:, stem + 3 :] > 0.3).any()  # base


@pytest.mark.parametrize("label", range(10))
def test_with_every_share_at_zero_no_digit_changes(label):
    one = _one()
    out = add_styles(one[None], np.array([label]), np.random.default_rng(2), NONE)[0]
    np.testing.assert_array_equal(out, one)
