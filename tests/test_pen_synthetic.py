"""Synthetic pen drawings: letters and symbols from stroke fonts, scribbles, digit pairs and
parts of digits, drawn through the canvas pipeline with pen-like distortion."""

import sys

import numpy as np
import pytest

from digitlab.model.data import pen_glyphs
from digitlab.model.data.pen_glyphs import NON_DIGIT_CHARACTERS, STROKE_FONTS, glyph_strokes
from digitlab.model.data.pen_synthetic import (
    KINDS,
    digit_pair,
    digit_part,
    drawing,
    font_digit,
    font_digit_inputs,
    line_like,
    non_digit_inputs,
    render,
)
from digitlab.model.preprocess.strokes import strokes_to_input


def test_letters_that_could_pass_for_digits_are_never_used_as_non_digits():
    for confusable in "OoDQIiljJLZzSsBbGgqTtya/\\|()[]{}.,:;-_":
        assert confusable not in NON_DIGIT_CHARACTERS
    for font in STROKE_FONTS:
        for char in NON_DIGIT_CHARACTERS:
            assert glyph_strokes(char, font), (font, char)


def test_glyphs_are_pen_strokes_with_y_pointing_down_like_the_canvas():
    strokes = glyph_strokes("A", "futural")
    assert all(s.dtype == np.float64 and s.shape[1] == 2 for s in strokes)
    apex_y = min(s[:, 1].min() for s in strokes)
    feet = [s[-1] for s in strokes if len(s) == 2 and s[-1][1] > apex_y]
    assert feet and all(foot[1] > apex_y for foot in feet)  # the apex is above the feet
    with pytest.raises(KeyError):
        glyph_strokes("\u00e9")


def test_without_the_font_package_the_error_says_what_to_install(monkeypatch):
    pen_glyphs._fonts.cache_clear()
    pen_glyphs._font_glyphs.cache_clear()
    monkeypatch.setitem(sys.modules, "HersheyFonts", None)
    try:
        with pytest.raises(pen_glyphs.GlyphsUnavailable, match=r"\[train\]"):
            glyph_strokes("A")
    finally:
        pen_glyphs._fonts.cache_clear()


def test_non_digit_inputs_are_model_inputs_of_every_kind_and_reproducible():
    x, kinds = non_digit_inputs(120, seed=3)
    assert x.shape == (120, 28, 28) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert (x.reshape(120, -1).max(1) > 0.5).all()  # every drawing has ink
    assert set(kinds) == set(KINDS)
    again, _ = non_digit_inputs(120, seed=3)
    np.testing.assert_array_equal(x, again)
    other, _ = non_digit_inputs(120, seed=4)
    assert not np.array_equal(x, other)


def test_rendering_is_the_canvas_pipeline_with_a_varied_pen():
    rng = np.random.default_rng(0)
    strokes = drawing("letter", rng)
    widths = []
    for seed in range(2):
        got = render(strokes, np.random.default_rng(seed))
        pen = 2.4 * float(np.random.default_rng(seed).uniform(0.7, 1.4))
        expected = strokes_to_input([s.tolist() for s in strokes], (280, 280), pen_width=pen)
        np.testing.assert_array_equal(got, expected.image)
        widths.append(got.sum())
    assert widths[0] != widths[1]


def test_drawings_land_on_the_canvas_at_varied_sizes_and_are_never_a_plain_line():
    rng = np.random.default_rng(1)
    sides = []
    for i in range(60):
        strokes = drawing(KINDS[i % len(KINDS)], rng)
        pts = np.vstack(strokes)
        assert pts.min() >= 0 and pts.max() <= 280
        assert not line_like(strokes)
        sides.append(np.ptp(pts, axis=0).max())
    assert min(sides) < 120 and max(sides) > 200


def test_a_pair_is_two_digits_wide_and_a_part_is_a_short_piece_of_one():
    rng = np.random.default_rng(2)
    pair = np.vstack(digit_pair(rng))
    assert np.ptp(pair[:, 0]) > np.ptp(pair[:, 1]) * 0.8
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    whole, _ = font_digit(rng_a)
    part = digit_part(rng_b)
    assert sum(len(s) for s in part) < sum(len(s) for s in whole)


def test_font_digits_drawn_the_same_way_are_read_by_the_bundled_cnn():
    from digitlab.model.nets.light_inference import LightCore

    x, y = font_digit_inputs(60, seed=0)
    probs = LightCore().probabilities(x[..., None])["cnn"]
    assert (probs.argmax(1) == y).mean() >= 0.9
