"""Letters, symbols and digits as pen strokes, from the Hershey stroke fonts.

The Hershey fonts (A. V. Hershey, 1967; public domain data) draw every character as a few
pen-down polylines, which is what a person does on the canvas. They are read through the
``Hershey-Fonts`` package (MIT licence, pure Python, fonts shipped inside it), installed with
the ``[train]`` and ``[test]`` extras only: the app itself never needs it.

:data:`NON_DIGIT_CHARACTERS` are the characters that no person would read as a digit: the
same exclusions as the pen-drawn non-digit dev set (``O o D Q``, ``I i l j J L``, ``Z z``,
``S s``, ``B b``, ``G g q``, ``T t``, ``y``, ``a``, slashes, brackets, dots and dashes).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

import numpy as np

STROKE_FONTS = ("futural", "rowmans", "scripts", "cursive", "timesi")
"""Single-stroke (or close to it) Hershey fonts: sans, roman, two scripts and an italic."""
UPPER = "ACEFHKMNPRUVWXY"
LOWER = "cdefhkmnpruvwx"
SYMBOLS = "#$%&*+=?@<>^~"
NON_DIGIT_CHARACTERS = UPPER + LOWER + SYMBOLS
"""Letters and symbols nobody would read as a digit."""
DIGIT_CHARACTERS = "0123456789"


class GlyphsUnavailable(RuntimeError):
    """The ``Hershey-Fonts`` package is not installed (``pip install -e ".[train]"``)."""


@lru_cache(maxsize=1)
def _fonts():
    try:
        from HersheyFonts import HersheyFonts
    except ImportError as exc:  # only the [train] and [test] extras install it
        raise GlyphsUnavailable(
            'the Hershey-Fonts package is needed for stroke glyphs: pip install -e ".[train]"'
        ) from exc
    return HersheyFonts


@cache
def _font_glyphs(font: str) -> dict[str, tuple[np.ndarray, ...]]:
    cls = _fonts()
    reader = cls()
    if font not in reader.default_font_names:
        raise ValueError(f"unknown Hershey font {font!r}")
    reader.load_default_font(font)
    glyphs = {}
    for char in NON_DIGIT_CHARACTERS + DIGIT_CHARACTERS:
        strokes = tuple(
            np.asarray(list(s), dtype=np.float64).reshape(-1, 2)
            for s in reader.strokes_for_text(char)
        )
        strokes = tuple(s for s in strokes if len(s))
        if strokes:
            glyphs[char] = strokes
    return glyphs


def glyph_strokes(char: str, font: str = "futural") -> list[np.ndarray]:
    """The pen strokes of one character: a list of float64 ``(n, 2)`` polylines, font units
    (about 21 from cap line to base line), x right, y down (as on the canvas).

    Raises ``KeyError`` for a character the font does not draw, ``ValueError`` for an unknown
    font, :class:`GlyphsUnavailable` without the ``Hershey-Fonts`` package."""
    return [s.copy() for s in _font_glyphs(font)[char]]


def available(chars: str, fonts: Sequence[str] = STROKE_FONTS) -> list[tuple[str, str]]:
    """Every ``(font, char)`` pair of ``chars`` that ``fonts`` draw, in a fixed order."""
    return [(font, c) for font in fonts for c in chars if c in _font_glyphs(font)]
