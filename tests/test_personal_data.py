"""The personal handwriting store: JSON lines that round-trip, bad lines and files, atomic
writes, import/export with de-duplication. Pure tests, no Qt."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from drawing_support import CANVAS, drawing

from digitlab.model.data import personal_data
from digitlab.model.data.personal_data import (
    PersonalDataError,
    merge,
    model_inputs,
    parse_lines,
    read_samples,
    sample_from_drawing,
    to_record,
    write_samples,
)
from digitlab.model.data.personal_store import PersonalStore
from digitlab.model.preprocess.strokes import Stroke, strokes_to_input


def test_a_sample_round_trips_through_a_json_line(tmp_path):
    strokes = [
        Stroke(np.array(drawing()[0]), 17.0),
        Stroke(np.array([[150.0, 100.0], [160, 110]]), 30.0, True),
    ]
    sample = sample_from_drawing(7, strokes, CANVAS)
    path = tmp_path / "mine.jsonl"
    write_samples(path, [sample])
    record = json.loads(path.read_text("utf-8"))
    assert record["label"] == 7 and record["canvas"] == [280.0, 280.0]
    assert record["erase"] == [False, True] and record["widths"] == [17.0, 30.0]
    assert np.asarray(record["input"]).shape == (28, 28)
    (back,), errors = read_samples(path)
    assert errors == []
    assert back.label == 7 and back.key == sample.key and back.added == sample.added
    np.testing.assert_array_equal(back.image, sample.image)
    assert [s.erase for s in back.strokes] == [False, True]


def test_the_models_read_the_strokes_again_not_the_stored_picture(tmp_path):
    sample = sample_from_drawing(7, drawing(), CANVAS)
    record = to_record(sample)
    record["input"] = np.zeros((28, 28), int).tolist()  # an old or edited picture
    (back,), _ = parse_lines([json.dumps(record)])
    expected = strokes_to_input(back.strokes, CANVAS).image
    np.testing.assert_array_equal(back.model_input(), expected)
    assert back.image.max() == 0  # the stored picture is kept for display only
    assert model_inputs([back]).shape == (1, 28, 28)


def test_a_line_without_input_gets_one_from_its_strokes():
    (sample,), errors = parse_lines(
        [json.dumps({"label": 3, "strokes": drawing(), "canvas": [280, 280]})]
    )
    assert errors == [] and sample.image.max() > 200


@pytest.mark.parametrize(
    "line, reason",
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"strokes": [[[1, 2]]], "canvas": [280, 280]}', '"label" is missing'),
        ('{"label": 12, "strokes": [[[1, 2], [50, 60]]], "canvas": [280, 280]}', "not a digit"),
        ('{"label": true, "strokes": [[[1, 2], [50, 60]]], "canvas": [280, 280]}', "whole number"),
        ('{"label": 1, "strokes": "abc", "canvas": [280, 280]}', "list of strokes"),
        ('{"label": 1, "strokes": [[[1, "x"]]], "canvas": [280, 280]}', "stroke 0"),
        ('{"label": 1, "strokes": [[[1, NaN], [2, 3]]], "canvas": [280, 280]}', "NaN"),
        ('{"label": 1, "strokes": [], "canvas": [280, 280]}', "nothing is drawn"),
        ('{"label": 1, "strokes": [[[1, 2], [50, 60]]], "canvas": [0, 280]}', "not a sane size"),
        (
            '{"label": 1, "strokes": [[[1, 2], [50, 60]]], "canvas": [280, 280], "input": [[1]]}',
            "28 rows",
        ),
        (
            '{"label": 1, "strokes": [[[1, 2], [50, 60]]], "canvas": [280, 280], "erase": [1]}',
            "true or false",
        ),
        (
            '{"label": 1, "strokes": [[[1, 2], [50, 60]]], "canvas": [280, 280], "widths": []}',
            "one entry per stroke",
        ),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_reason_and_the_rest_is_read(line, reason):
    good = json.dumps({"label": 7, "strokes": drawing(), "canvas": [280, 280]})
    samples, errors = parse_lines([good, "", line, good])
    assert len(samples) == 2
    assert len(errors) == 1 and errors[0].startswith("line 3: ") and reason in errors[0]


def test_a_file_that_is_not_text_or_not_a_file_is_refused_with_its_name(tmp_path):
    binary = tmp_path / "x.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PersonalDataError, match="x.jsonl: not a text file"):
        read_samples(binary)
    with pytest.raises(PersonalDataError, match="folder.jsonl"):
        read_samples(_folder(tmp_path / "folder.jsonl"))
    assert read_samples(tmp_path / "missing.jsonl") == ([], [])


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def test_the_store_saves_every_change_at_once(tmp_path):
    path = tmp_path / "sub" / "mine.jsonl"
    store = PersonalStore(path)
    assert len(store) == 0 and not path.exists()
    for seed, label in enumerate((7, 1, 7)):
        store.add(label, drawing(seed), CANVAS)
    assert store.counts()[7] == 2 and len(PersonalStore(path)) == 3
    assert store.relabel([1], 4) == 1
    assert [s.label for s in PersonalStore(path).samples] == [7, 4, 7]
    assert store.delete([0, 2]) == 2
    assert [s.label for s in PersonalStore(path).samples] == [4]


def test_adding_the_same_drawing_again_relabels_it_instead_of_duplicating(tmp_path):
    store = PersonalStore(tmp_path / "mine.jsonl")
    store.add(7, drawing(), CANVAS)
    store.add(1, drawing(), CANVAS)
    assert [s.label for s in store.samples] == [1]


def test_a_failed_write_leaves_the_old_file_and_the_store_as_they_were(tmp_path, monkeypatch):
    path = tmp_path / "mine.jsonl"
    store = PersonalStore(path)
    store.add(7, drawing(0), CANVAS)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", broken)
    with pytest.raises(OSError, match="disk full"):
        store.add(1, drawing(1), CANVAS)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert len(store) == 1
    # no temporary file left (the hidden lock file stays, for the next save)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mine.jsonl.lock", "mine.jsonl"]


def test_a_file_with_bad_lines_opens_and_is_copied_aside_before_the_first_change(tmp_path):
    path = tmp_path / "mine.jsonl"
    good = json.dumps({"label": 7, "strokes": drawing(), "canvas": [280, 280]})
    path.write_text(good + "\nthis line is broken\n", "utf-8")
    store = PersonalStore(path)
    assert len(store) == 1 and store.load_errors == ("line 2: not JSON (Expecting value)",)
    store.add(1, drawing(5), CANVAS)
    assert store.backup is not None and "this line is broken" in store.backup.read_text("utf-8")
    assert len(PersonalStore(path)) == 2


def test_export_then_import_elsewhere_merges_and_skips_duplicates(tmp_path):
    mine = PersonalStore(tmp_path / "a.jsonl")
    for seed in range(3):
        mine.add(seed, drawing(seed), CANVAS)
    exported = tmp_path / "export.jsonl"
    assert mine.export(exported) == 3
    other = PersonalStore(tmp_path / "b.jsonl")
    other.add(9, drawing(2), CANVAS)  # the same drawing under another label
    other.add(9, drawing(10), CANVAS)
    report = other.import_file(exported)
    assert (report.added, report.duplicates, report.errors) == (2, 1, ())
    assert [s.label for s in other.samples] == [9, 9, 0, 1]  # existing labels win
    again = other.import_file(exported)
    assert (again.added, again.duplicates) == (0, 3)


def test_importing_a_bad_or_missing_file_changes_nothing(tmp_path):
    store = PersonalStore(tmp_path / "mine.jsonl")
    store.add(7, drawing(), CANVAS)
    junk = tmp_path / "junk.jsonl"
    junk.write_text("no\nsamples\n", "utf-8")
    with pytest.raises(PersonalDataError, match="no sample could be read"):
        store.import_file(junk)
    with pytest.raises(PersonalDataError, match="no such file"):
        store.import_file(tmp_path / "nothing.jsonl")
    assert len(PersonalStore(tmp_path / "mine.jsonl")) == 1


def test_an_import_with_some_bad_lines_takes_the_good_ones_and_names_the_bad(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text(
        json.dumps({"label": 2, "strokes": drawing(3), "canvas": [280, 280]}) + '\n{"label": 99}\n',
        "utf-8",
    )
    store = PersonalStore(tmp_path / "mine.jsonl")
    report = store.import_file(src)
    assert report.added == 1 and report.errors == ('line 2: "strokes" is missing',)


def test_merge_keeps_the_first_of_equal_drawings():
    a = sample_from_drawing(1, drawing(0), CANVAS)
    b = sample_from_drawing(2, drawing(0), CANVAS)
    c = sample_from_drawing(3, drawing(1), CANVAS)
    merged, added, duplicates = merge([a], [b, c, c])
    assert [s.label for s in merged] == [1, 3] and (added, duplicates) == (1, 2)


def test_an_empty_drawing_or_a_bad_label_is_not_a_sample():
    with pytest.raises(PersonalDataError, match="nothing is drawn"):
        sample_from_drawing(1, [], CANVAS)
    with pytest.raises(PersonalDataError, match="nothing is drawn"):
        sample_from_drawing(1, [Stroke(np.array([[10.0, 10], [90, 90]]), 17.0, True)], CANVAS)
    with pytest.raises(PersonalDataError, match="not a digit"):
        sample_from_drawing(10, drawing(), CANVAS)


def test_a_huge_line_is_refused_unread(monkeypatch):
    monkeypatch.setattr(personal_data, "MAX_LINE_CHARS", 100)
    samples, errors = parse_lines(
        [json.dumps({"label": 7, "strokes": drawing(), "canvas": [280, 280]})]
    )
    assert samples == [] and "longer than 100" in errors[0]


def test_a_drawing_that_is_not_a_digit_is_stored_as_a_negative_sample(tmp_path):
    path = tmp_path / "mine.jsonl"
    store = PersonalStore(path)
    store.add(3, drawing(1), CANVAS)
    store.add(personal_data.NOT_A_DIGIT, drawing(2), CANVAS)
    record = json.loads(path.read_text("utf-8").splitlines()[1])
    assert record["label"] is None  # readable elsewhere: no digit at all
    again = PersonalStore(path)
    assert [s.label for s in again.samples] == [3, personal_data.NOT_A_DIGIT]
    assert again.counts()[3] == 1 and sum(again.counts()) == 1 and again.not_digits() == 1
