"""What the Explain tab shows, worked out without Qt: the replay's frames, the maps chosen and
coloured, the captions and sentences, the history's points and the at-scale table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from digitlab.model.explain import at_scale
from digitlab.model.explain.colour_maps import PAPER_RGB, diverging_rgba, grey, heat_rgba
from digitlab.model.explain.filters import Grid, unit_at, unit_outline
from digitlab.model.explain.readings import (
    gradcam_caption,
    history_points,
    occlusion_caption,
    reading_line,
    shown_map,
    steps_note,
    unit_label,
)
from digitlab.model.explain.replay import replay_frames


@dataclass
class _Gesture:
    points: list = field(default_factory=list)
    width: float = 17.0
    erase: bool = False


def _line(n: int, y: float) -> _Gesture:
    return _Gesture([(float(x), y) for x in range(n)])


# --------------------------------------------------------------------------- replay


def test_the_replay_brings_the_strokes_back_one_by_one_and_ends_on_the_whole_drawing():
    drawing = [_line(12, 0.0), _line(12, 5.0), _Gesture([(1.0, 1.0)], 30.0, True)]
    frames = replay_frames(drawing, per_stroke=6)
    assert len(frames) == 6 + 6 + 1  # a dot takes one frame
    assert [len(f.strokes) for f in frames] == [1] * 6 + [2] * 6 + [3]
    assert [len(f.strokes[0].points) for f in frames[:6]] == [2, 4, 6, 8, 10, 12]
    assert all(f.strokes[0] == drawing[0] for f in frames[6:])  # earlier strokes are whole
    assert list(frames[-1].strokes) == drawing
    assert frames[-1].strokes[-1].width == 30.0 and frames[-1].strokes[-1].erase
    positions = [f.position for f in frames]
    assert positions == sorted(positions) and positions[5] == 1.0 and positions[-1] == 3.0


def test_the_replay_never_shares_a_list_with_the_drawing():
    drawing = [_line(4, 0.0)]
    frames = replay_frames(drawing)
    frames[-1].strokes[0].points.append((99.0, 99.0))
    assert len(drawing[0].points) == 4


def test_nothing_drawn_gives_no_frames_and_a_bad_step_count_is_refused():
    assert replay_frames([]) == []
    with pytest.raises(ValueError):
        replay_frames([_line(3, 0.0)], per_stroke=0)


# --------------------------------------------------------------------------- maps


def test_the_views_show_occlusion_clipped_at_zero_and_grad_cam_as_mapped_to_the_input():
    occ = np.full((28, 28), -0.2, np.float32)
    occ[10, 10] = 0.5

    @dataclass
    class Cam:
        input_map: np.ndarray

    cam = Cam(np.eye(28, dtype=np.float32))
    shown = shown_map("cnn-occlusion", {"cnn": occ}, {"cnn": cam})
    assert shown.min() == 0.0 and shown[10, 10] == pytest.approx(0.5)
    assert shown_map("cnn-gradcam", {"cnn": occ}, {"cnn": cam}) is cam.input_map
    assert shown_map("dense-occlusion", {"cnn": occ}, {}) is None
    assert shown_map("cnn-gradcam", {"cnn": occ}, {}) is None


def test_the_heat_overlay_is_clear_at_zero_and_opaque_at_its_level():
    rgba = heat_rgba(np.array([[0.0, 0.5, 2.0, -1.0]]), 2.0)
    assert rgba.dtype == np.uint8 and rgba.shape == (1, 4, 4) and rgba.flags.c_contiguous
    alpha = rgba[0, :, 3]
    assert alpha[0] == 0 and alpha[3] == 0 and alpha[2] == 255 and 0 < alpha[1] < 255


def test_weights_are_red_positive_blue_negative_and_gaps_show_the_paper():
    rgba = diverging_rgba(np.array([[1.0, -1.0, 0.0, np.nan]]), 1.0)
    red, blue, white, gap = (tuple(int(v) for v in px) for px in rgba[0])
    assert red[0] > red[2] and blue[2] > blue[0]
    assert min(white[:3]) > 240 and gap == (*PAPER_RGB, 255)


def test_an_input_becomes_grey_pixels():
    np.testing.assert_array_equal(grey(np.array([[0.0, 0.5, 1.0, 2.0]])), [[0, 128, 255, 255]])


# --------------------------------------------------------------------------- words


def test_the_reading_says_what_each_model_read_and_which_class_is_explained():
    p = {"cnn": np.eye(10)[7] * 0.9 + 0.01, "dense": np.eye(10)[1] * 0.9 + 0.01}
    line = reading_line(p, {"cnn": 7, "dense": 7}, {"cnn": "CNN", "dense": "Dense network"}, 7)
    assert "<b>CNN</b> reads <b>7</b> (91.0%)" in line
    assert "<b>Dense network</b> reads <b>1</b> (91.0%, P(7) = 1.0%)" in line
    assert line.endswith("— explaining class 7.")
    own = reading_line(p, {"cnn": 7, "dense": 1}, {}, None)
    assert "<b>dense</b> reads <b>1</b> (91.0%)" in own and "each model's own answer" in own


def test_the_captions_give_each_maps_scale():
    occ = np.zeros((28, 28), np.float32)
    occ[3, 3] = 0.42
    assert occlusion_caption(3, occ) == (
        "covering the red parts lowers P(3) most: by up to 42 points"
    )
    assert "speak for 3, mapped back" in gradcam_caption(3, 0.7)
    assert gradcam_caption(3, 0.0) == "no conv2 feature speaks for 3"


def test_the_steps_note_and_the_unit_label_name_what_is_shown():
    note = steps_note((40, 30), (20, 15), (4, 6))
    assert note.startswith("Cropped ink 30×40 px") and "scaled to 15×20" in note
    assert "placed at row 4, column 6" in note
    assert "taller" not in note
    assert "1.6× taller than drawn" in steps_note((25, 60), (12, 20), (8, 4), stretched=1.6)
    assert unit_label("CNN", "conv2", 5, True).startswith("CNN · conv2 kernel 5: the MNIST")
    assert "finding its strongest" in unit_label("Dense network", "hidden", 9, False)


def test_the_history_points_are_each_strokes_top_probability_and_class():
    h = np.array(
        [[np.nan] * 10, np.eye(10)[4] * 0.6 + 0.04, np.eye(10)[9] * 0.9 + 0.01], np.float32
    )
    x, top, read = history_points(h)
    assert list(x) == [1.0, 2.0, 3.0]
    assert np.isnan(top[0]) and top[1:] == pytest.approx([0.64, 0.91])
    assert list(read) == [-1, 4, 9]


# --------------------------------------------------------------------------- filters, at scale


def test_a_conv2_cell_belongs_to_its_row_and_its_outline_spans_the_row():
    conv2 = Grid(h=3, w=3, rows=64, cols=32, gap=1, count=64 * 32)
    assert unit_at(conv2, "conv2", 5 * 32 + 7) == 5
    assert unit_outline(conv2, "conv2", 5) == (20, 0, 3, conv2.shape[1])
    templates = Grid(h=28, w=28, rows=8, cols=16, gap=1, count=128)
    assert unit_at(templates, "hidden", 17) == 17
    assert unit_outline(templates, "hidden", 17) == (29, 29, 28, 28)


def test_the_at_scale_table_lists_each_set_best_model_first_with_a_sentence_per_pair():
    sets = {
        "mnist-test": {
            "dense": at_scale.Measured(139, 10_000),
            "cnn": at_scale.Measured(52, 10_000),
        },
        "pen-dev": {"cnn": at_scale.Measured(29, 3721)},
    }
    rows = at_scale.table_rows(sets, 1_000_000, str.upper)
    assert [r[:2] for r in rows] == [
        ("MNIST test", "CNN"),
        ("MNIST test", "DENSE"),
        ("pen-drawn dev", "CNN"),
    ]
    assert rows[0][2:4] == ("52 of 10,000 (0.52%)", "5,200")
    (sentence,) = at_scale.set_sentences(sets, 1_000_000, str.upper)
    assert sentence.startswith("Out of 1,000,000 digits a day like MNIST's test set, the CNN")


def test_the_at_scale_sentence_and_table_round_each_interval_the_same_way():
    for events in (1_000, 10_000, 1_000_000):  # counts under 10, in the tens, in thousands
        sets = {
            "mnist-test": {"cnn": at_scale.Measured(10, 1000), "dense": at_scale.Measured(30, 1000)}
        }
        (sentence,) = at_scale.set_sentences(sets, events, str.upper)
        for row in at_scale.table_rows(sets, events, str.upper):
            assert f"about {row[3]} (" in sentence
            assert f"{row[4]})" in sentence, (row, sentence)
    assert at_scale.count_range(9.87, 17.2) == "9.9–17"


def test_a_model_for_another_thread_is_copied_and_a_path_passed_as_it_is(tmp_path):
    import keras

    from digitlab.model.nets.inference import copy_for_thread

    path = tmp_path / "m.keras"
    assert copy_for_thread(path) is path and copy_for_thread(str(path)) == str(path)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    copy = copy_for_thread(model)
    assert copy is not model
    for a, b in zip(copy.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
