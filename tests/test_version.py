"""One version everywhere: ``digitlab --version``, the About text and the package metadata all
say ``digitlab.model.__version__``."""

from __future__ import annotations

import re
from importlib import metadata

import pytest

from digitlab.app.cli.main import main
from digitlab.model import __version__


def test_the_version_is_a_dotted_release_number_and_the_metadata_agrees():
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)
    assert metadata.version("digitlab") == __version__


def test_digitlab_dash_dash_version_prints_the_version_and_exits_0(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"digitlab {__version__}"


def test_the_about_text_names_the_version():
    from digitlab.app.model_info.tab import ABOUT_HTML

    assert f"Digit Lab {__version__}" in ABOUT_HTML
