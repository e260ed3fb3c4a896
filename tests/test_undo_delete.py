"""Undo a delete in "My handwriting": the Undo button beside the "Deleted …" message, or
Ctrl+Z while the tab is shown, puts the samples back in their old places and in the file,
and keeps what another window saved in between."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.handwriting.tab import HandwritingTab
from digitlab.model.data.personal_store import PersonalStore

SEVEN = [(78.0, 62.0), (202.0, 62.0), (162.0, 134.0), (123.0, 230.0)]
CANVAS = (280.0, 280.0)


def _strokes(shift: int):
    """A seven moved ``shift`` x 9 px right: a different drawing for each shift."""
    return [[(x + 9 * shift, y) for x, y in SEVEN]]


@pytest.fixture
def tab(qtbot, tmp_path):
    samples = PersonalSamples(tmp_path / "mine.jsonl")
    for shift, label in enumerate((7, 1, 4)):
        samples.add(label, _strokes(shift), CANVAS)
    view = HandwritingTab(samples)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def _on_disk(tab) -> list[int]:
    return [s.label for s in PersonalStore(tab.samples.path).samples]


def _shown(tab) -> list[str]:
    return [tab.grid.item(i).text() for i in range(tab.grid.count())]


def test_undo_after_deleting_two_of_three_samples_puts_all_three_back_on_disk(qtbot, tab):
    tab.select([0, 2])
    assert tab.delete_selected() == 2
    assert tab.message.text() == "Deleted 2 samples."
    assert tab.undo_button.isVisible() and tab.undo_delete_action.isEnabled()
    assert _shown(tab) == ["1"] and _on_disk(tab) == [1]

    qtbot.mouseClick(tab.undo_button, Qt.MouseButton.LeftButton)

    assert _shown(tab) == ["7", "1", "4"]  # in their old places
    assert _on_disk(tab) == [7, 1, 4]
    assert tab.message.text() == "Put back 2 samples."
    assert tab.selected_indices() == [0, 2]  # the ones put back are selected
    assert not tab.undo_button.isVisible() and not tab.undo_delete_action.isEnabled()


def test_ctrl_z_on_the_tab_undoes_the_last_delete(qtbot, tab):
    tab.activateWindow()
    tab.select([1])
    tab.grid.setFocus()
    qtbot.keyClick(tab, Qt.Key.Key_Delete)
    assert _on_disk(tab) == [7, 4] and tab.message.text() == "Deleted 1 sample."
    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _on_disk(tab) == [7, 1, 4] and tab.message.text() == "Put back 1 sample."
    # Nothing left to undo: a second Ctrl+Z changes nothing.
    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _on_disk(tab) == [7, 1, 4] and tab.grid.count() == 3


def test_undo_keeps_what_another_window_saved_meanwhile(qtbot, tab):
    tab.select([0, 1])
    tab.delete_selected()
    other = PersonalStore(tab.samples.path)  # another window on the same file
    other.add(9, _strokes(5), CANVAS)
    assert [s.label for s in other.samples] == [4, 9]
    tab.undo_delete()
    assert _on_disk(tab) == [7, 1, 4, 9]
    assert _shown(tab) == ["7", "1", "4", "9"]


def test_another_message_hides_the_undo_button_but_ctrl_z_still_undoes(qtbot, tab):
    tab.select([2])
    tab.delete_selected()
    tab.select([0])
    tab.relabel_selected(3)
    assert not tab.undo_button.isVisible() and "now labelled 3" in tab.message.text()
    assert tab.undo_delete_action.isEnabled()
    tab.undo_delete_action.trigger()
    assert _on_disk(tab) == [3, 1, 4]


def test_opening_another_file_forgets_the_delete(qtbot, tab, tmp_path):
    tab.select([0])
    tab.delete_selected()
    tab.samples.use_path(tmp_path / "other.jsonl")
    assert not tab.undo_delete_action.isEnabled() and not tab.undo_button.isVisible()
    assert tab.undo_delete() == 0 and len(tab.samples) == 0


def test_the_store_puts_samples_back_after_the_sample_they_followed(tmp_path):
    store = PersonalStore(tmp_path / "mine.jsonl")
    for shift, label in enumerate((0, 1, 2, 3, 4)):
        store.add(label, _strokes(shift), CANVAS)
    deleted = store.take([0, 2, 3])
    assert [s.label for s in deleted.samples] == [0, 2, 3] and len(store) == 2
    other = PersonalStore(store.path)
    other.delete([0])  # the 1 the 2 followed is gone: the 2 goes back to its old index
    other.add(8, _strokes(7), CANVAS)
    assert store.restore(deleted) == 3
    assert [s.label for s in store.samples] == [0, 4, 2, 3, 8]
    assert [s.label for s in PersonalStore(store.path).samples] == [0, 4, 2, 3, 8]
    assert store.restore(deleted) == 0  # all back already: the file is left alone
