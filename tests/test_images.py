"""Picture files: every bad one is refused with its reason, every odd but valid one is read."""

from __future__ import annotations

import io
import json
import struct
import zlib
from argparse import Namespace

import numpy as np
import pytest
from PIL import Image

from digitlab.app.cli.commands import run
from digitlab.model.data.images import MAX_PIXELS, ImageFileError, load_image
from digitlab.model.preprocess.pictures import image_to_input, to_grey


def _digit(size=64) -> np.ndarray:
    """A dark "1" on white paper, uint8 ``(size, size)``."""
    img = np.full((size, size), 255, np.uint8)
    img[size // 8 : size - size // 8, size // 2 - 2 : size // 2 + 2] = 0
    return img


def _png_bytes(img: Image.Image, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=kwargs.pop("format", "PNG"), **kwargs)
    return buf.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels and holds none: a decompression bomb's
    header, without allocating anything."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16))


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    "content, reason",
    [
        (lambda: b"this is not a picture at all", "not a picture in a supported format"),
        (lambda: b"", "not a picture in a supported format"),
        (lambda: _png_bytes(Image.fromarray(_digit()))[:80], "truncated or corrupt"),
        (lambda: _png_header_only(20_000, 20_000), "(pixels is more than|too many pixels)"),
        (lambda: _png_header_only(100_000, 100_000), "(pixels is more than|too many pixels)"),
        (
            lambda: _png_bytes(Image.fromarray(_digit()), format="ICO"),
            "not a picture in a supported format",
        ),
        (
            lambda: _png_bytes(Image.fromarray(_digit()), format="TGA"),
            "not a picture in a supported format",
        ),
    ],
    ids=["text", "empty", "truncated-png", "bomb-400M", "bomb-10G", "ico", "tga"],
)
def test_bad_pictures_are_refused_naming_the_file_and_the_reason(tmp_path, content, reason):
    path = tmp_path / "picture.png"
    path.write_bytes(content())
    with pytest.raises(ImageFileError, match=reason) as info:
        load_image(path)
    assert str(info.value).startswith(str(path))


def test_a_picture_between_our_limit_and_pillows_warning_is_refused(tmp_path, monkeypatch):
    # Pillow only warns up to twice its own limit; ours is an error at any size over it.
    monkeypatch.setattr("digitlab.model.data.images.MAX_PIXELS", 50 * 50)
    path = tmp_path / "big.png"
    Image.fromarray(_digit(60)).save(path)
    with pytest.raises(ImageFileError, match="more than"):
        load_image(path)
    assert MAX_PIXELS >= 4096 * 4096  # a real photo still loads


def test_pillows_decompression_bomb_warning_is_an_error_not_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40 * 40)  # 64x64 is now over Pillow's limit
    path = tmp_path / "bomb.png"
    Image.fromarray(_digit(64)).save(path)
    with pytest.raises(ImageFileError, match="decompression bomb"):
        load_image(path)


def test_a_missing_file_and_a_folder_are_named(tmp_path):
    with pytest.raises(ImageFileError, match="no such file"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageFileError, match="is not a file"):
        load_image(tmp_path)


# --------------------------------------------------------------------------- read correctly


def _read(path) -> np.ndarray:
    result = image_to_input(load_image(path))
    assert not result.empty
    return result.image


def test_sixteen_bit_grey_reads_like_eight_bit(tmp_path):
    Image.fromarray(_digit()).save(tmp_path / "8.png")
    Image.fromarray(_digit().astype(np.uint16) * 257).save(tmp_path / "16.png")
    assert np.abs(_read(tmp_path / "8.png") - _read(tmp_path / "16.png")).max() < 0.02


def test_transparent_background_is_paper_not_ink(tmp_path):
    rgba = np.zeros((64, 64, 4), np.uint8)  # transparent black paper
    rgba[8:56, 30:34] = (0, 0, 0, 255)  # opaque black ink
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    Image.fromarray(_digit()).save(tmp_path / "grey.png")
    assert np.abs(_read(tmp_path / "rgba.png") - _read(tmp_path / "grey.png")).max() < 0.02


def _keyed(mode: str) -> tuple[Image.Image, object]:
    """The "1" with black paper made transparent by a transparent colour (a PNG tRNS key),
    its ink a dark grey; and that key."""
    ink = np.where(_digit() == 0, 40, 0).astype(np.uint8)  # dark ink on *black* paper
    if mode == "I;16":
        return Image.fromarray(ink.astype(np.uint16) * 257), 0
    img = Image.fromarray(ink)
    return (img, 0) if mode == "L" else (img.convert("RGB"), (0, 0, 0))


@pytest.mark.parametrize("mode", ["L", "RGB", "I;16"])
def test_a_transparent_colour_is_paper_too(tmp_path, mode):
    img, key = _keyed(mode)
    img.save(tmp_path / "keyed.png", transparency=key)
    on_paper = np.where(_digit() == 0, 40, 255).astype(np.uint8)  # the same ink on white
    Image.fromarray(on_paper).save(tmp_path / "paper.png")
    keyed = to_grey(load_image(tmp_path / "keyed.png"))
    np.testing.assert_allclose(keyed, to_grey(load_image(tmp_path / "paper.png")), atol=1e-6)
    assert np.abs(_read(tmp_path / "keyed.png") - _read(tmp_path / "paper.png")).max() < 1e-6


@pytest.mark.parametrize("transparency", [False, True])
def test_palette_pictures_read_like_grey_ones(tmp_path, transparency):
    Image.fromarray(_digit()).save(tmp_path / "grey.png")
    pal = (
        Image.fromarray(_digit())
        .convert("RGB")
        .convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    )
    if transparency:
        white = pal.getpixel((0, 0))
        pal.save(tmp_path / "pal.png", transparency=white)  # the white paper is transparent
    else:
        pal.save(tmp_path / "pal.png")
    with Image.open(tmp_path / "pal.png") as img:
        assert img.mode == "P"
    assert np.abs(_read(tmp_path / "pal.png") - _read(tmp_path / "grey.png")).max() < 0.02


def test_an_animated_gif_gives_its_first_frame(tmp_path):
    one = Image.fromarray(_digit())
    bar = np.full((64, 64), 255, np.uint8)
    bar[30:34, 8:56] = 0  # a horizontal bar: a different drawing
    frames = [one, Image.fromarray(bar), Image.fromarray(np.full((64, 64), 255, np.uint8))]
    frames[0].save(
        tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0
    )
    with Image.open(tmp_path / "anim.gif") as img:
        assert img.n_frames == 3
    one.save(tmp_path / "first.png")
    assert np.abs(_read(tmp_path / "anim.gif") - _read(tmp_path / "first.png")).max() < 0.02


@pytest.mark.parametrize(
    "make",
    [
        lambda: Image.new("L", (1, 1), 0),
        lambda: Image.new("L", (1, 1), 255),
        lambda: Image.new("L", (300, 200), 255),
        lambda: Image.new("RGB", (300, 200), (0, 0, 0)),
        lambda: Image.new("RGBA", (50, 50), (0, 0, 0, 0)),
        lambda: Image.new("1", (40, 40), 1),
        lambda: Image.new("I;16", (40, 40), 65535),
    ],
    ids=[
        "1x1-black",
        "1x1-white",
        "white",
        "black-rgb",
        "transparent",
        "bilevel-white",
        "16-bit-white",
    ],
)
def test_blank_and_one_pixel_pictures_are_nothing_drawn(tmp_path, make):
    path = tmp_path / "blank.png"
    make().save(path)
    result = image_to_input(load_image(path))
    assert result.empty and result.image.shape == (28, 28) and not result.image.any()


@pytest.mark.parametrize(
    "fmt, suffix",
    [("JPEG", "jpg"), ("BMP", "bmp"), ("TIFF", "tif"), ("WEBP", "webp"), ("PPM", "ppm")],
)
def test_every_supported_format_reads(tmp_path, fmt, suffix):
    path = tmp_path / f"digit.{suffix}"
    Image.fromarray(_digit()).convert("RGB").save(path, format=fmt)
    assert _read(path).max() > 0.5


def test_classify_reads_the_odd_pictures_and_reports_each_bad_one_on_its_own_line(tmp_path):
    Image.fromarray(_digit()).convert("P").save(tmp_path / "a.png")
    Image.new("L", (1, 1), 0).save(tmp_path / "dot.png")
    (tmp_path / "trunc.png").write_bytes(_png_bytes(Image.fromarray(_digit()))[:80])
    (tmp_path / "bomb.png").write_bytes(_png_header_only(30_000, 30_000))
    names = ["a.png", "trunc.png", "dot.png", "bomb.png"]
    args = Namespace(
        command="classify",
        images=[str(tmp_path / n) for n in names],
        strokes=None,
        model="dense",
        argv=[],
    )
    out, err = io.StringIO(), io.StringIO()
    assert run(args, stdout=out, stderr=err) == 2
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["input"] for a in answers] == [str(tmp_path / n) for n in names]
    assert "dense" in answers[0] and "error" in answers[1] and "error" in answers[3]
    assert answers[2] == {"input": str(tmp_path / "dot.png"), "nothing_drawn": True}
    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and "trunc.png" in lines[0] and "bomb.png" in lines[1]
    assert "Traceback" not in err.getvalue()
