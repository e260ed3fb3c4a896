"""Drawing never re-lays out the window: a note appearing under the model input, or Undo
becoming available, stays inside its own row. (A layout request that climbs to the tab widget
repaints the whole window, which made the live view's slowest pen moves.)"""

from __future__ import annotations

import pytest
from gui_support import open_window
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from digitlab.app.selftest.support import DIGIT_PATHS, draw_strokes, path_points

TIMEOUT_MS = 20_000


class LayoutRequests(QObject):
    """Counts the layout requests that reach the watched widget."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def test_a_stroke_whose_note_comes_and_goes_does_not_re_lay_out_the_window(qtbot, window):
    tab = window.draw_tab
    canvas = tab.canvas
    seen_notes = set()

    def answered():
        latest = window.live.latest
        assert latest is not None and latest.revision == canvas.revision
        assert tab.painted_revision() >= canvas.revision
        seen_notes.add(tab.input_view.notes.text())

    qtbot.waitUntil(lambda: tab.painted_revision() >= 0, timeout=TIMEOUT_MS)
    # The maps are laid out once, just after the first answer (a model load, not a stroke):
    # that layout is done before counting starts (each pass takes its request one level up).
    qtbot.waitUntil(lambda: bool(tab.activations.cells), timeout=TIMEOUT_MS)
    for _ in range(20):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    requests = LayoutRequests()
    window.tabs.installEventFilter(requests)
    try:
        points = path_points(DIGIT_PATHS[7][0], (canvas.width(), canvas.height()))
        draw_strokes(
            canvas, [points], on_move=lambda: qtbot.waitUntil(answered, timeout=TIMEOUT_MS)
        )
        qtbot.waitUntil(answered, timeout=TIMEOUT_MS)
    finally:
        window.tabs.removeEventFilter(requests)
    # The stroke began tiny ("very small drawing") and grew into a seven: the note came and went.
    assert any("very small" in text for text in seen_notes) and "" in seen_notes
    assert tab.undo_action.isEnabled()
    assert requests.count == 0
