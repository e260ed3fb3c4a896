"""What "My handwriting" says after an import: every bad line by number and reason (the first
ten, then how many more), and what each of its controls does when hovered."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.handwriting.tab import HandwritingTab
from digitlab.model.data.personal_store import PersonalStore

SEVEN = [[(78.0, 62.0), (202.0, 62.0), (162.0, 134.0), (123.0, 230.0)]]


@pytest.fixture
def tab(qtbot, tmp_path):
    view = HandwritingTab(PersonalSamples(tmp_path / "mine.jsonl"))
    qtbot.addWidget(view)
    return view


def _good_line(tmp_path) -> str:
    store = PersonalStore(tmp_path / "source.jsonl")
    store.add(7, SEVEN, (280.0, 280.0))
    return store.path.read_text("utf-8").strip()


def test_an_import_names_every_bad_line_and_why(tab, tmp_path):
    good = _good_line(tmp_path)
    record = json.loads(good)
    no_strokes = {k: v for k, v in record.items() if k != "strokes"}
    lines = [good, "{not json", json.dumps(no_strokes), json.dumps({**record, "label": 11})]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert tab.import_from(path)
    assert tab.message.text() == (
        "Imported 1 sample from in.jsonl; 3 bad lines skipped: "
        "2 (not JSON (Expecting property name enclosed in double quotes)), "
        '3 ("strokes" is missing), 4 (label 11 is not a digit 0-9).'
    )
    assert len(tab.samples) == 1


def test_past_ten_bad_lines_the_rest_are_counted(tab, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([_good_line(tmp_path)] + ["[]"] * 13) + "\n", "utf-8")
    tab.import_from(path)
    text = tab.message.text()
    assert "13 bad lines skipped: 2 (not a JSON object), 3 (not a JSON object)" in text
    assert "11 (not a JSON object), and 3 more." in text and "12 (" not in text


def test_a_file_opened_with_bad_lines_names_them_too(qtbot, tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(_good_line(tmp_path) + "\n[]\n\n{\n", "utf-8")
    view = HandwritingTab(PersonalSamples(path))
    qtbot.addWidget(view)
    assert "skipped 2 unreadable lines: 2 (not a JSON object), 4 (not JSON" in (view.message.text())


def test_every_control_of_the_tab_says_what_it_does_when_hovered(tab, tmp_path):
    tab.samples.add(7, SEVEN, (280.0, 280.0))
    tab.select([0])
    tab.delete_selected()  # the Undo button shows
    controls = tab.findChildren(QAbstractButton) + tab.findChildren(QComboBox)
    controls += tab.findChildren(QAbstractItemView)
    controls = [c for c in controls if c.isVisibleTo(tab) or c is tab.grid]
    assert {c.text() for c in controls if isinstance(c, QAbstractButton)} >= {
        "Undo",
        "Delete",
        "Import…",
        "Export…",
        "Relabel as…",
    }
    assert all(len(c.toolTip()) > 20 for c in controls), [
        type(c).__name__ for c in controls if not c.toolTip()
    ]
