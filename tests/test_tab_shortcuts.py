"""Each tab's shortcuts act only while that tab is shown: Esc on the Explain tab leaves the
drawing alone, E on the Train tab leaves the pen alone, Delete in My handwriting deletes the
chosen samples without Qt's "ambiguous shortcut" warning."""

from __future__ import annotations

import pytest
from gui_support import open_window
from PySide6.QtCore import Qt

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.selftest.support import draw_digit
from digitlab.app.widgets.help_dialog import shortcut_rows

pytestmark = pytest.mark.slow

SEVEN = [[(78.0, 62.0), (202.0, 62.0), (162.0, 134.0), (123.0, 230.0)]]


@pytest.fixture
def window(qtbot, tmp_path):
    samples = PersonalSamples(tmp_path / "mine.jsonl")
    for shift, label in enumerate((7, 1, 7)):  # three different drawings
        samples.add(label, [[(x + 9 * shift, y) for x, y in SEVEN[0]]], (280.0, 280.0))
    yield from open_window(qtbot, personal_samples=samples)


def _show(window, tab) -> None:
    window.tabs.setCurrentWidget(tab)
    window.activateWindow()
    assert tab.isVisible()


def _menu_texts(window) -> list[str]:
    return [a.text() for a in window.edit_menu.actions() if not a.isSeparator()]


def test_the_draw_tabs_keys_leave_the_drawing_alone_on_other_tabs(qtbot, window):
    canvas = window.draw_tab.canvas
    draw_digit(canvas, 7)
    for tab in (window.explain_tab, window.handwriting_tab, window.model_tab):
        _show(window, tab)
        for key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete, Qt.Key.Key_E, Qt.Key.Key_N):
            qtbot.keyClick(window, key)
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert not canvas.is_empty(), tab
        assert not canvas.erasing and not window.draw_tab.number_mode
        assert "Undo" not in _menu_texts(window)
    _show(window, window.draw_tab)
    assert "Undo" in _menu_texts(window) and "Eraser" in _menu_texts(window)
    qtbot.keyClick(window, Qt.Key.Key_E)
    assert canvas.erasing
    qtbot.keyClick(window, Qt.Key.Key_P)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert canvas.is_empty() and not canvas.erasing


def test_delete_in_my_handwriting_deletes_the_chosen_samples_without_a_warning(
    qtbot, qtlog, window
):
    tab = window.handwriting_tab
    _show(window, tab)
    assert _menu_texts(window) == ["Delete selected samples", "Undo delete"]
    tab.select([0, 2])
    tab.grid.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Delete)
    assert [s.label for s in window.personal.samples] == [1]
    assert "Deleted 2 samples" in tab.message.text()
    assert not [r for r in qtlog.records if "mbiguous" in r.message]
    # The drawing on the Draw tab was not touched by the same key.
    _show(window, window.draw_tab)
    assert window.edit_menu.isEnabled()


def test_a_tab_without_edit_actions_greys_the_edit_menu(window):
    _show(window, window.model_tab)
    assert not window.edit_menu.isEnabled()


def test_square_brackets_shrink_and_grow_the_brush_on_the_draw_tab_only(qtbot, window):
    tab = window.draw_tab
    slider = tab.brush_slider
    start = slider.value()
    _show(window, tab)
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    assert slider.value() > start
    assert tab.canvas.brush_width() == slider.value()
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)
    assert slider.value() < start
    for _ in range(30):  # never past the slider's ends
        qtbot.keyClick(window, Qt.Key.Key_BracketLeft)
    assert slider.value() == slider.minimum()
    _show(window, window.model_tab)
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    assert slider.value() == slider.minimum()
    rows = shortcut_rows(window, window.tabs)
    assert ("Draw", "Larger brush", "]") in rows and ("Draw", "Smaller brush", "[") in rows


def test_ctrl_and_a_number_goes_to_that_tab_from_any_tab_and_is_listed(qtbot, window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    for place in (3, 5, 1, len(titles)):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{place}"), Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == place - 1
    rows = shortcut_rows(window, window.tabs)
    assert ("Everywhere", "Go to Explore", "Ctrl+3") in rows
    assert all(("Everywhere", f"Go to {t}", f"Ctrl+{i + 1}") in rows for i, t in enumerate(titles))
