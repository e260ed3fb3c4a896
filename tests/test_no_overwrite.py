"""Commands that write never replace an existing file unless asked, and never one of their
own inputs."""

from __future__ import annotations

import json

from cli_support import run_cli


def test_bytes_to_image_keeps_an_existing_png_that_is_also_an_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes").write_bytes(b"my notes " * 50)
    (tmp_path / "notes.png").write_bytes(b"my picture, not a render")
    before = (tmp_path / "notes.png").read_bytes()
    code, out, err = run_cli(["bytes-to-image", "notes", "notes.png", "--out", "."])
    assert code == 2
    assert (tmp_path / "notes.png").read_bytes() == before
    assert err.count("\n") == 1 and "notes.png: is one of the inputs" in err
    assert json.loads(out)["written"] == 1  # notes.png.png, from the second input
    code, out, err = run_cli(["bytes-to-image", "notes", "notes.png", "--out", ".", "--overwrite"])
    assert code == 2 and (tmp_path / "notes.png").read_bytes() == before


def test_bytes_to_image_replaces_an_existing_png_only_with_overwrite(tmp_path):
    source = tmp_path / "a.bin"
    source.write_bytes(bytes(range(200)))
    out_dir = tmp_path / "png"
    out_dir.mkdir()
    (out_dir / "a.bin.png").write_bytes(b"an older picture")
    code, out, err = run_cli(["bytes-to-image", str(source), "--out", str(out_dir)])
    assert code == 2 and "a.bin.png: already exists" in err and err.count("\n") == 1
    assert (out_dir / "a.bin.png").read_bytes() == b"an older picture"
    code, out, err = run_cli(["bytes-to-image", str(source), "--out", str(out_dir), "--overwrite"])
    assert code == 0 and err == ""
    assert (out_dir / "a.bin.png").read_bytes().startswith(b"\x89PNG")
