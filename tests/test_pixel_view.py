"""The small-image view of the model input and the activation maps: each image pixel is a
square of its own colour on screen, whatever form the image comes in."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.app.draw.pixel_view import PixelView, as_words


def _colour_at(view: PixelView, y: int, x: int) -> tuple[int, int, int]:
    """The screen colour at the centre of image pixel ``(y, x)``."""
    point = view.widget_point(y + 0.5, x + 0.5).toPoint()
    colour = view.grab().toImage().pixelColor(point)
    return colour.red(), colour.green(), colour.blue()


def test_grey_rgba_and_packed_pictures_show_their_colours(qtbot):
    grey = np.array([[0, 255], [128, 64]], np.uint8)
    rgba = np.array([[[255, 0, 0, 255], [0, 128, 255, 255]]], np.uint8)
    for image, expected in (
        (grey, {(0, 0): (0, 0, 0), (0, 1): (255, 255, 255), (1, 0): (128,) * 3}),
        (rgba, {(0, 0): (255, 0, 0), (0, 1): (0, 128, 255)}),
        (as_words(rgba), {(0, 0): (255, 0, 0), (0, 1): (0, 128, 255)}),
    ):
        view = PixelView(image)
        qtbot.addWidget(view)
        view.resize(120, 120)
        view.show()
        for (y, x), colour in expected.items():
            assert _colour_at(view, y, x) == colour
        np.testing.assert_array_equal(view.image, image)  # kept as given


def test_a_half_transparent_colour_is_stored_premultiplied():
    words = as_words(np.array([[[200, 100, 0, 128]]], np.uint8))
    assert words.dtype == np.uint32 and words.shape == (1, 1)
    value = int(words[0, 0])
    assert value >> 24 == 128
    assert ((value >> 16) & 255, (value >> 8) & 255, value & 255) == (100, 50, 0)


def test_other_shapes_are_refused():
    with pytest.raises(ValueError):
        as_words(np.zeros((2, 2, 3), np.uint8))
