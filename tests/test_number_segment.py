"""Finding the digits of a written number (model/segment): strokes that belong together stay
together, touching digits come apart, every digit is read as if drawn alone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitlab.model.nets.light_inference import LightCore
from digitlab.model.preprocess.strokes import Stroke, as_strokes, rasterize, strokes_to_input
from digitlab.model.segment.pen_pieces import pen_pieces
from digitlab.model.segment.picture_pieces import label_blobs
from digitlab.model.segment.reading import UNKNOWN, NumberReader
from digitlab.model.segment.search import Piece, best_split
from digitlab.model.segment.written import DIGIT_PATHS, number_paths

CANVAS = (900.0, 300.0)


class FakeCore:
    """Answers from the image alone (no model): the class is the ink's mass bucket."""

    names = ("cnn", "dense")

    def __init__(self, top: float = 0.9):
        self.top = top

    def probabilities(self, images):
        images = np.asarray(images, np.float32).reshape(len(images), -1)
        labels = (images.sum(1) / 10).astype(int) % 10
        p = np.full((len(images), 10), (1 - self.top) / 9, np.float32)
        p[np.arange(len(images)), labels] = self.top
        return {name: p.copy() for name in self.names}


@pytest.fixture(scope="module")
def reader():
    return NumberReader(LightCore())


def test_a_written_number_is_read_digit_by_digit_by_both_models(reader):
    reading = reader.read_strokes(number_paths("2026", CANVAS), CANVAS)
    assert reading.text("cnn") == "2026"
    assert reading.text("dense") == "2026"
    assert [d.label("cnn") for d in reading.digits] == [2, 0, 2, 6]


def test_every_digit_is_read_as_if_it_were_drawn_alone(reader):
    strokes = number_paths("47", CANVAS)
    reading = reader.read_strokes(strokes, CANVAS)
    four_alone = strokes_to_input(strokes[:2], CANVAS)  # the 4's two strokes
    np.testing.assert_array_equal(reading.digits[0].preprocessed.image, four_alone.image)


@pytest.mark.parametrize("digit", [4, 5, 7])
def test_the_strokes_of_one_digit_stay_together(digit):
    strokes = as_strokes(number_paths(str(digit), CANVAS))
    assert len(strokes) == 2  # a 4's two strokes, a 5's flag, a 7's crossbar
    pieces, _ = pen_pieces(strokes, CANVAS)
    assert len(pieces) == 1


def test_all_ten_digits_in_a_row_are_found_and_read(reader):
    canvas = (1800.0, 300.0)
    reading = reader.read_strokes(number_paths("0123456789", canvas), canvas)
    assert reading.text("cnn") == "0123456789"


def test_digits_that_touch_are_still_separated(reader):
    # spacing -0.08: each digit's ink runs into the next one's
    strokes = number_paths("306", CANVAS, spacing=-0.08)
    ink = rasterize(as_strokes(strokes), CANVAS) > 0
    assert label_blobs(ink)[1] < 3  # the ink really touches
    assert reader.read_strokes(strokes, CANVAS).text("cnn") == "306"


def test_a_digit_no_model_knows_shows_as_a_question_mark():
    unsure = NumberReader(FakeCore(top=0.3), {"cnn": 0.5, "dense": 0.2})
    reading = unsure.read_strokes(number_paths("11", CANVAS), CANVAS)
    assert reading.text("cnn") == UNKNOWN * 2
    assert UNKNOWN not in reading.text("dense")
    assert [d.known for d in reading.digits] == [{"cnn": False, "dense": True}] * 2


def test_the_json_answer_names_label_probabilities_known_and_box(reader):
    answer = reader.read_strokes(number_paths("12", CANVAS), CANVAS).as_json()
    assert set(answer) == {"cnn", "dense"}
    assert answer["cnn"]["text"] == "12"
    digit = answer["cnn"]["digits"][0]
    assert set(digit) == {"label", "probabilities", "known", "box"}
    assert len(digit["probabilities"]) == 10 and abs(sum(digit["probabilities"]) - 1) < 1e-4
    x0, y0, x1, y1 = digit["box"]
    assert all(isinstance(v, int) for v in digit["box"]) and x0 < x1 and y0 < y1


def test_nothing_drawn_reads_as_no_digits(reader):
    assert reader.read_strokes([], CANVAS).empty
    assert reader.read_strokes([], CANVAS).text("cnn") == ""


def test_an_erased_digit_is_no_longer_read(reader):
    strokes = [Stroke(np.asarray(s, float), 17.0) for s in number_paths("17", CANVAS)]
    one = strokes[0].points
    rubber = Stroke(one, 80.0, erase=True)
    reading = reader.read_strokes([*strokes, rubber], CANVAS)
    assert reading.text("cnn") == "7"


def test_a_picture_of_a_number_dark_on_light_is_read(reader):
    ink = rasterize(
        [Stroke(np.asarray(s, float), 14.0) for s in number_paths("407", CANVAS)], CANVAS
    )
    photo = ((1.0 - 0.8 * ink) * 255).astype(np.uint8)  # grey ink on white paper
    reading = reader.read_picture(photo)
    assert reading.text("cnn") == "407"
    for digit in reading.digits:
        x0, y0, x1, y1 = digit.box
        assert 0 <= x0 < x1 <= photo.shape[1] and 0 <= y0 < y1 <= photo.shape[0]


def test_a_blank_picture_has_no_digits(reader):
    assert reader.read_picture(np.full((50, 120), 200, np.uint8)).empty


def test_blobs_are_eight_connected():
    mask = np.zeros((5, 7), bool)
    mask[0, 0] = mask[1, 1] = mask[2, 2] = True  # a diagonal: one blob
    mask[0:5, 5] = True  # a column apart: another
    labels, n = label_blobs(mask)
    assert n == 2
    assert labels[0, 0] == labels[2, 2] != labels[0, 5]


def test_the_cut_search_keeps_the_partition_the_scores_prefer():
    pieces = [Piece((x, 0.0, x + 40.0, 100.0), None) for x in (0.0, 45.0, 200.0)]

    def score(runs):  # pieces 0 and 1 read well together, badly apart
        return np.array([0.0 if r in ((0, 2), (2, 3)) else -5.0 for r in runs])

    assert best_split(pieces, score, 100.0) == [(0, 2), (2, 3)]
    assert best_split([], score, 100.0) == []


_point = st.tuples(st.floats(0, 900), st.floats(0, 300))
_stroke = st.lists(_point, min_size=1, max_size=12)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(_stroke, min_size=1, max_size=8), st.sampled_from([None, 6.0, 30.0]))
def test_any_strokes_give_boxes_covering_all_ink_left_to_right(raw, width):
    strokes = [Stroke(np.asarray(s, float), width) for s in raw]
    reading = NumberReader(FakeCore()).read_strokes(strokes, CANVAS)
    assert len(reading.digits) >= 1
    boxes = np.array([d.box for d in reading.digits], float)
    radius = (width or 0.06 * 900) / 2
    for s in strokes:
        for x, y in s.points:
            inside = (
                (boxes[:, 0] <= x - radius + 1e-6)
                & (boxes[:, 2] >= x + radius - 1e-6)
                & (boxes[:, 1] <= y - radius + 1e-6)
                & (boxes[:, 3] >= y + radius - 1e-6)
            )
            assert inside.any()
    centres = boxes[:, 0] + boxes[:, 2]
    assert (np.diff(centres) >= 0).all()


def test_digit_paths_cover_all_ten_digits():
    assert sorted(DIGIT_PATHS) == list(range(10))
