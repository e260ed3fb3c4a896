"""Nothing the user made is lost: a file that cannot be read whole is never written over, a
file with bad lines is copied aside (whole) first, and two windows or processes saving at
once both keep their samples. Pure tests, no Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from drawing_support import CANVAS, drawing

from digitlab.model.data import personal_data
from digitlab.model.data.personal_data import PersonalDataError, read_samples
from digitlab.model.data.personal_store import PersonalStore


def line(seed: int, label: int = 7) -> str:
    return json.dumps({"label": label, "strokes": drawing(seed), "canvas": [280, 280]})


def _open_as_the_window_does(path: Path) -> PersonalStore:
    try:
        return PersonalStore(path)
    except PersonalDataError:
        return PersonalStore(path, read=False)


def test_a_file_too_big_to_read_is_never_written_over(tmp_path, monkeypatch):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(line(s) for s in range(5)) + "\n", "utf-8")
    before = path.read_bytes()
    monkeypatch.setattr(personal_data, "MAX_FILE_BYTES", 1000)
    store = _open_as_the_window_does(path)
    assert len(store) == 0
    with pytest.raises(PersonalDataError, match="larger than.*nothing was saved"):
        store.add(3, drawing(99), CANVAS)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "mine.jsonl"
    ]


def test_a_save_that_would_make_the_file_too_big_to_read_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "mine.jsonl"
    store = PersonalStore(path)
    store.add(7, drawing(0), CANVAS)
    before = path.read_bytes()
    monkeypatch.setattr(personal_data, "MAX_FILE_BYTES", len(before) + 10)
    with pytest.raises(PersonalDataError, match="would pass"):
        store.add(1, drawing(1), CANVAS)
    assert path.read_bytes() == before and len(PersonalStore(path)) == 1


def test_a_line_of_invalid_utf8_is_one_bad_line_and_the_file_is_kept_aside(tmp_path):
    path = tmp_path / "mine.jsonl"
    original = (line(0) + "\n").encode() + b"\xff\xfe broken\n" + (line(1) + "\n").encode()
    path.write_bytes(original)
    store = _open_as_the_window_does(path)
    assert len(store) == 2 and store.load_errors == ("line 2: not UTF-8 text",)
    store.add(4, drawing(2), CANVAS)
    assert store.backup is not None and store.backup.read_bytes() == original
    assert len(PersonalStore(path)) == 3


def test_a_copy_aside_that_fails_leaves_no_truncated_copy_and_saves_nothing(tmp_path, monkeypatch):
    path = tmp_path / "mine.jsonl"
    path.write_text(line(0) + "\nbroken\n", "utf-8")
    before = path.read_bytes()
    store = PersonalStore(path)

    def full_disk(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:10])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("shutil.copyfile", full_disk)
    with pytest.raises(PersonalDataError, match="could not keep a copy.*nothing was saved"):
        store.add(4, drawing(2), CANVAS)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == ["mine.jsonl"]


def test_two_windows_adding_to_one_file_keep_every_sample(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(line(s) for s in range(10)) + "\n", "utf-8")
    first, second = PersonalStore(path), PersonalStore(path)
    for i in range(20):
        first.add(1, drawing(100 + i), CANVAS)
        second.add(2, drawing(200 + i), CANVAS)
    assert len(PersonalStore(path)) == 50
    second.delete([0])  # by drawing: the one second saw first, wherever it is now
    second.relabel([len(second) - 1], 5)
    labels = [s.label for s in PersonalStore(path).samples]
    assert len(labels) == 49 and labels.count(1) == 20 and labels[-1] == 5


_ADDER = """
import sys, numpy as np
from digitlab.model.data.personal_store import PersonalStore
store = PersonalStore(sys.argv[1])
base = int(sys.argv[2])
for i in range(20):
    rng = np.random.default_rng(base + i)
    pts = np.array([[78, 62], [202, 62], [162, 134], [123, 230]], np.float64)
    store.add(3, [(pts + rng.normal(0, 6, pts.shape)).tolist()], (280.0, 280.0))
"""


def test_two_processes_adding_at_once_lose_nothing(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(line(s) for s in range(10)) + "\n", "utf-8")
    procs = [
        subprocess.Popen([sys.executable, "-c", _ADDER, str(path), str(base)])
        for base in (1000, 2000)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    store = PersonalStore(path)
    assert len(store) == 50 and store.load_errors == ()


def test_a_byte_order_mark_does_not_fail_line_one(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (line(0) + "\n").encode())
    samples, errors = read_samples(path)
    assert len(samples) == 1 and errors == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "mine.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(PersonalDataError, match="not a regular file"):
        read_samples(fifo)


def test_a_symlinked_data_file_stays_a_symlink(tmp_path):
    real = tmp_path / "real" / "mine.jsonl"
    real.parent.mkdir()
    real.write_text(line(0) + "\n", "utf-8")
    link = tmp_path / "mine.jsonl"
    link.symlink_to(real)
    PersonalStore(link).add(2, drawing(5), CANVAS)
    assert link.is_symlink() and len(PersonalStore(real)) == 2


def test_a_sample_with_a_denormal_canvas_is_one_bad_line_and_the_file_opens(tmp_path):
    path = tmp_path / "mine.jsonl"
    bad = json.dumps({"label": 7, "strokes": drawing(1), "canvas": [5e-324, 5e-324]})
    path.write_text(line(0) + "\n" + bad + "\n", "utf-8")
    store = PersonalStore(path)
    assert len(store) == 1 and store.load_errors[0].startswith("line 2: canvas size")


def test_temporaries_left_by_a_killed_save_are_removed_at_the_next_start(tmp_path):
    import time

    from digitlab.model.nets.model_files import remove_stale_temporaries

    old = [
        tmp_path / ".live-cnn-ab12cd34.keras.tmp",
        tmp_path / ".live-cnn-ab12cd34.keras",
        tmp_path / ".my_handwriting-x1y2z3w4.jsonl.tmp",
        tmp_path / ".my_handwriting.jsonl.bad-20261206-101010.tmp",
    ]
    kept = [tmp_path / "live-cnn.keras", tmp_path / ".my_handwriting.jsonl.lock"]
    fresh = tmp_path / ".live-dense-zz99yy88.keras.tmp"
    for path in old + kept + [fresh]:
        path.write_bytes(b"x")
    hour_ago = time.time() - 7200
    for path in old + kept:
        os.utime(path, (hour_ago, hour_ago))
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted(old)
    assert all(p.exists() for p in kept + [fresh])
