"""The colour rule, read from the source: a colour is written once, in
``app/widgets/styles.py``, and every other module takes it from there by name.

Every ``#rgb`` / ``#rrggbb`` literal inside a string in ``app/`` is collected (nothing is
imported); a colour found in two files (styles counted as one) fails, with every place it
was found, so a view may keep a colour of its own only while no other file uses it.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from collections import defaultdict
from pathlib import Path

from digitlab.app.widgets import styles
from digitlab.model.explain.colour_maps import PAPER_RGB

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
STYLES = str((APP / "widgets" / "styles.py").relative_to(ROOT))

_STRINGS = {tokenize.STRING} | ({tokenize.FSTRING_MIDDLE} if sys.version_info >= (3, 12) else set())
"""The tokens that hold a string's text (Python 3.12 splits f-strings into parts)."""
_COLOUR = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def _normal(hex_digits: str) -> str:
    """``#rrggbb`` in lower case, whether written short (``#abc``) or long."""
    digits = hex_digits.lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def colour_literals(source: str) -> list[tuple[str, int]]:
    """``(#rrggbb, line)`` for every colour literal inside a string of ``source`` (comments
    are not strings, so ``# comment`` never counts)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in _STRINGS:
            for match in _COLOUR.finditer(token.string):
                line = token.start[0] + token.string.count("\n", 0, match.start())
                found.append((_normal(match.group(1)), line))
    return found


def repeated_colours(root: Path = APP) -> dict[str, list[str]]:
    """Each colour written in more than one file under ``root``: its places, ``path:line``."""
    places: dict[str, list[str]] = defaultdict(list)
    files: dict[str, set[Path]] = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        for colour, line in colour_literals(path.read_text("utf-8")):
            places[colour].append(f"{path.relative_to(ROOT)}:{line}")
            files[colour].add(path)
    return {colour: places[colour] for colour in sorted(places) if len(files[colour]) > 1}


def test_colour_literals_are_found_in_strings_short_or_long_and_not_in_comments():
    source = 'A = "#AbCdEf"\nB = f"color:#123; x"  # #654321 is a comment\nC = "#12345"\n'
    assert colour_literals(source) == [("#abcdef", 1), ("#112233", 2)]


def test_no_colour_is_written_in_two_files_of_the_app():
    repeated = repeated_colours()
    named = {c for c, places in repeated.items() if any(p.startswith(f"{STYLES}:") for p in places)}
    report = "\n".join(
        f"  {colour}: {', '.join(places)}" + ("  (named in styles.py)" if colour in named else "")
        for colour, places in repeated.items()
    )
    assert not repeated, (
        "These colours are written in more than one file; name them in "
        f"app/widgets/styles.py and import the name:\n{report}"
    )


def test_the_paper_colour_comes_from_the_model():
    assert styles.GAP_COLOUR == PAPER_RGB
    assert "#" + bytes(PAPER_RGB).hex() == styles.PAPER
    assert styles.PLOT_OPTIONS["background"] == styles.PAPER
