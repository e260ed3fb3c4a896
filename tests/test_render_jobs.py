"""Rendering files into class folders of pictures, Qt-free: which file goes where, one
progress count over every folder, stopping, and the summary line (no QApplication)."""

from __future__ import annotations

from pathlib import Path

from digitlab.model.binaries.bytes_image import Rendered
from digitlab.model.binaries.render_jobs import family_jobs, render_jobs, rendered_summary


def _families(root: Path) -> None:
    for family, count in (("beta", 2), ("alpha", 3)):
        (root / family).mkdir(parents=True)
        for i in range(count):
            (root / family / f"f{i}.bin").write_bytes(bytes(range(40 + i)))
        (root / family / ".hidden").write_bytes(b"x")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_bytes(b"ref")
    (root / "loose.bin").write_bytes(b"not in a family")


def test_each_visible_file_of_a_family_goes_to_its_own_folder_in_name_order(tmp_path):
    _families(tmp_path / "bin")
    jobs = family_jobs(tmp_path / "bin", tmp_path / "out")
    assert [(f.parent.name, f.name, folder.name) for f, folder in jobs] == [
        ("alpha", "f0.bin", "alpha"),
        ("alpha", "f1.bin", "alpha"),
        ("alpha", "f2.bin", "alpha"),
        ("beta", "f0.bin", "beta"),
        ("beta", "f1.bin", "beta"),
    ]
    assert all(folder.parent == tmp_path / "out" for _, folder in jobs)
    (tmp_path / "empty").mkdir()
    assert family_jobs(tmp_path / "empty", tmp_path / "out") == []


def test_rendering_counts_progress_over_all_folders_and_reports_unreadable_files(tmp_path):
    _families(tmp_path / "bin")
    jobs = family_jobs(tmp_path / "bin", tmp_path / "out")
    jobs.append((tmp_path / "missing.bin", tmp_path / "out" / "beta"))
    seen: list[tuple[int, int]] = []
    results = render_jobs(jobs, lambda d, t: seen.append((d, t)), lambda: False)
    assert len(results) == 6 and seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["alpha", "beta"]
    assert len(list((tmp_path / "out" / "alpha").glob("*.png"))) == 3
    text, errors = rendered_summary(results)
    assert text.startswith("Rendered 5 pictures into ") and "; 1 file could not be read" in text
    assert len(errors) == 1 and "missing.bin" in errors[0]


def test_a_stopped_render_tries_no_more_files(tmp_path):
    _families(tmp_path / "bin")
    jobs = family_jobs(tmp_path / "bin", tmp_path / "out")
    assert render_jobs(jobs, lambda d, t: None, lambda: True) == []


def test_the_summary_names_at_most_three_folders():
    results = [Rendered(f"s{i}", f"/out/c{i}/s{i}.png") for i in range(5)]
    text, errors = rendered_summary(results)
    assert text == "Rendered 5 pictures into /out/c0, /out/c1, /out/c2…" and errors == []
