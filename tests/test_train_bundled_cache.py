"""tools/train_bundled.py keys its cached training drawings by the code that drew them."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("train_bundled", ROOT / "tools" / "train_bundled.py")
train_bundled = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train_bundled)


def _copy_sources(to: Path) -> None:
    for entry in train_bundled.DRAWING_SOURCES:
        source = ROOT / entry
        if source.is_dir():
            shutil.copytree(source, to / entry, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (to / entry).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / entry)


def test_a_change_to_the_drawing_pipeline_names_a_new_cache(tmp_path):
    _copy_sources(tmp_path)
    before = train_bundled.drawing_tag(tmp_path)
    assert before == train_bundled.drawing_tag(ROOT)  # the same sources, the same name
    frame = tmp_path / "model" / "preprocess" / "frame.py"
    frame.write_text(frame.read_text("utf-8").replace("MAX_ASPECT = 1.5", "MAX_ASPECT = 1.3"))
    assert train_bundled.drawing_tag(tmp_path) != before
