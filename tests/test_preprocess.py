"""Strokes and pictures become MNIST-style 28x28 inputs, whatever the user throws at them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from digitlab.model.preprocess.frame import PreprocessError, normalise
from digitlab.model.preprocess.pictures import image_to_input
from digitlab.model.preprocess.strokes import Stroke, rasterize, strokes_to_input

SEVEN = [[[60, 60], [200, 60], [120, 230]]]


def _check_input(image):
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert np.isfinite(image).all() and image.min() >= 0.0 and image.max() <= 1.0


def _ink_box(image):
    rows = np.flatnonzero((image > 0).any(1))
    cols = np.flatnonzero((image > 0).any(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_a_drawn_seven_fills_the_twenty_pixel_box_centred_by_mass():
    result = strokes_to_input(SEVEN, (280, 280))
    assert not result.empty
    _check_input(result.image)
    assert max(_ink_box(result.image)) == 20
    rows, cols = np.indices((28, 28))
    mass = result.image.sum()
    assert abs((rows * result.image).sum() / mass - 14) < 1.0
    assert abs((cols * result.image).sum() / mass - 14) < 1.0


def test_the_same_digit_drawn_small_or_large_anywhere_reads_the_same():
    big = strokes_to_input(SEVEN, (280, 280)).image
    small = [[[x * 0.3 + 150, y * 0.3 + 10] for x, y in SEVEN[0]]]
    assert np.abs(strokes_to_input(small, (280, 280)).image - big).max() < 0.2


def test_brush_size_does_not_change_what_the_model_reads():
    thin = strokes_to_input([Stroke(np.array(SEVEN[0], float), width=4)], (280, 280)).image
    thick = strokes_to_input([Stroke(np.array(SEVEN[0], float), width=30)], (280, 280)).image
    assert np.abs(thin - thick).max() < 1e-6


def test_a_flat_drawing_is_framed_taller_and_a_dash_stays_a_line():
    # A zigzag 2.4 times as wide as tall: re-drawn 1.5 times as wide as tall (pen included,
    # a little less).
    flat = strokes_to_input([[[40, 120], [100, 195], [160, 120], [220, 195]]], (280, 280))
    height, width = _ink_box(flat.image)
    assert width == 20 and 13 <= height <= 16
    assert any("framed taller" in note for note in flat.notes)  # the user is told why
    assert (
        flat.stretched == pytest.approx(1.6) and strokes_to_input(SEVEN, (280, 280)).stretched == 1
    )
    # A dash is stretched at most twice: still a thin line, not a box.
    height, width = _ink_box(strokes_to_input([[[40, 140], [240, 142]]], (280, 280)).image)
    assert width == 20 and height <= 4
    # A digit as flat as many MNIST digits (1.3 times as wide as tall) keeps its proportions.
    wide_seven = [[[x * 1.6 - 40, y] for x, y in SEVEN[0]]]
    height, width = _ink_box(strokes_to_input(wide_seven, (280, 280)).image)
    assert width == 20 and 15 <= height <= 17


def test_a_flat_picture_is_framed_taller_as_a_flat_drawing_is():
    picture = np.zeros((60, 200), np.uint8)
    picture[10:50, 10:190] = 255  # 180 x 40 px of ink: 4.5 times as wide as tall
    height, width = _ink_box(image_to_input(picture).image)
    assert width == 20 and 8 <= height <= 10  # stretched twice at most (4.4 px -> 8.9)


def test_the_eraser_removes_ink():
    line = Stroke(np.array([[40.0, 140.0], [240.0, 140.0]]))
    cut = Stroke(np.array([[140.0, 100.0], [140.0, 180.0]]), width=60, erase=True)
    whole = strokes_to_input([line], (280, 280)).image
    erased = strokes_to_input([line, cut], (280, 280)).image
    assert erased.sum() < whole.sum() * 0.9


@pytest.mark.parametrize("strokes", [[], [[]], [[], []]])
def test_nothing_drawn_is_reported_as_empty_never_as_a_digit(strokes):
    result = strokes_to_input(strokes, (280, 280))
    assert result.empty and not result.image.any()


def test_only_eraser_strokes_is_nothing_drawn():
    eraser = Stroke(np.array([[1.0, 1.0], [50, 50]]), erase=True)
    assert strokes_to_input([eraser], (280, 280)).empty


def test_a_single_click_makes_a_dot():
    result = strokes_to_input([[[140, 140]]], (280, 280))
    assert not result.empty and result.image.max() > 0.9


@pytest.mark.parametrize(
    "strokes, message",
    [
        ([[[0, float("nan")]]], "NaN"),
        ([[[0, float("inf")]]], "NaN or infinite"),
        ([[[0, 1e12]]], "beyond"),
        ([[[0, 1, 2]]], "not a list of"),
        ("hello", "must be a list"),
        ([[["a", "b"]]], "not a list of"),
        ([[[1, 1]] * 30_000], "more than"),
    ],
)
def test_malformed_strokes_are_refused_with_a_reason(strokes, message):
    with pytest.raises(PreprocessError, match=message):
        strokes_to_input(strokes, (280, 280))


def test_a_silly_canvas_size_is_refused():
    with pytest.raises(PreprocessError, match="canvas"):
        strokes_to_input(SEVEN, (0, 280))


def test_notes_warn_about_drawings_far_from_mnist():
    tiny = strokes_to_input([[[3, 10], [20, 30]]], (280, 280))
    assert any("small" in n for n in tiny.notes)
    assert any("edge" in n for n in tiny.notes)
    assert strokes_to_input(SEVEN, (280, 280)).notes == ()


def test_dark_ink_on_white_paper_and_light_on_dark_read_the_same():
    ink = rasterize([Stroke(np.array(SEVEN[0], float))], (280, 280), (140, 140))
    light_on_dark = image_to_input((ink * 255).astype(np.uint8)).image
    dark_on_light = image_to_input(((1 - ink) * 255).astype(np.uint8)).image
    assert np.abs(light_on_dark - dark_on_light).max() < 0.02
    assert max(_ink_box(light_on_dark)) == 20


def test_transparent_background_is_paper_not_ink():
    rgba = np.zeros((50, 50, 4), np.uint8)  # fully transparent black
    rgba[10:40, 23:27] = (0, 0, 0, 255)  # an opaque black bar
    result = image_to_input(rgba)
    assert not result.empty
    assert result.image[:, :8].max() == 0  # the paper stays black in the model input


@pytest.mark.parametrize("value", [0, 255])
def test_blank_pictures_are_nothing_drawn(value):
    assert image_to_input(np.full((30, 40), value, np.uint8)).empty


def test_sixteen_bit_and_one_pixel_pictures_work():
    img16 = np.zeros((40, 40), np.uint16)
    img16[5:35, 18:22] = 65535
    assert not image_to_input(img16).empty
    assert image_to_input(np.zeros((1, 1), np.uint8)).empty


def test_mnist_digits_pass_through_normalisation_almost_unchanged():
    data = np.load("resources/mnist.npz", allow_pickle=False)
    x = data["x_test"][:50].astype(np.float32) / 255
    diffs = [np.abs(normalise(img).image - img).mean() for img in x]
    assert np.median(diffs) < 0.02


point = st.tuples(st.floats(-50, 400, allow_nan=False), st.floats(-50, 400, allow_nan=False))
stroke_lists = st.lists(st.lists(point, min_size=0, max_size=30), min_size=0, max_size=5)


@settings(max_examples=60, deadline=None)
@given(stroke_lists, st.tuples(st.integers(10, 600), st.integers(10, 600)))
def test_any_strokes_give_a_valid_input_and_the_same_every_time(strokes, canvas):
    first = strokes_to_input(strokes, canvas)
    _check_input(first.image)
    assert np.array_equal(first.image, strokes_to_input(strokes, canvas).image)
    assert first.empty == (not any(len(s) for s in strokes))


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        arrays(np.uint8, st.tuples(st.integers(1, 64), st.integers(1, 64))),
        arrays(
            np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.sampled_from([3, 4]))
        ),
        arrays(
            np.float32,
            st.tuples(st.integers(1, 40), st.integers(1, 40)),
            elements=st.floats(0, 1, width=32),
        ),
    )
)
def test_any_picture_gives_a_valid_input_and_the_same_every_time(pixels):
    first = image_to_input(pixels)
    _check_input(first.image)
    assert np.array_equal(first.image, image_to_input(pixels).image)
