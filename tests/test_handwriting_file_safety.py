"""In the window: a My handwriting file that cannot be read whole is never written over by a
"Wrong? It was:" click; the row says why in one line and the file stays as it was."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_support import open_window

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.selftest.support import draw_digit
from digitlab.model.data import personal_data

TIMEOUT_MS = 60_000


@pytest.fixture
def big_file(tmp_path, monkeypatch):
    """A file of five samples, over the (lowered) size limit."""
    path = tmp_path / "mine.jsonl"
    base = np.array([[78, 62], [202, 62], [162, 134], [123, 230]], np.float64)
    rng = np.random.default_rng(0)
    lines = [
        json.dumps({"label": 7, "strokes": [(base + rng.normal(0, 6, base.shape)).tolist()],
                    "canvas": [280, 280]})
        for _ in range(5)
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", "utf-8")
    monkeypatch.setattr(personal_data, "MAX_FILE_BYTES", 1000)
    return path


@pytest.fixture
def window(qtbot, big_file):
    yield from open_window(qtbot, personal_samples=PersonalSamples(big_file))


def test_a_click_never_writes_over_a_file_too_big_to_read(qtbot, window, big_file):
    before = big_file.read_bytes()
    assert len(window.personal) == 0 and "larger than" in window.personal.problem
    canvas = window.draw_tab.canvas
    draw_digit(canvas, 7)
    qtbot.waitUntil(
        lambda: window.live.latest is not None and window.live.latest.revision == canvas.revision,
        timeout=TIMEOUT_MS,
    )
    window.correction.buttons[3].click()
    message = window.correction.message.text()
    assert "nothing was saved" in message and "\n" not in message
    assert big_file.read_bytes() == before and len(window.personal) == 0
