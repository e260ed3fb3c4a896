"""Help > Keyboard shortcuts lists every shortcut, read from the actions themselves (which tab,
what, which keys), F1 opens it; Help > About shows the version."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QWidget

from digitlab.app.widgets.help_dialog import (
    EVERYWHERE,
    ShortcutsDialog,
    help_actions,
    shortcut_rows,
)
from digitlab.model import __version__


def _small_window(qtbot):
    window = QMainWindow()
    tabs = QTabWidget()
    window.setCentralWidget(tabs)
    first, second = QWidget(), QWidget()
    tabs.addTab(first, "Draw")
    tabs.addTab(second, "Lists")
    QAction("&Quit", window, shortcut="Ctrl+Q")
    QAction("No keys", window)
    QAction("Undo", first, shortcut="Ctrl+Z")
    QAction("Delete selected", second).setShortcuts(["Del", "Backspace"])
    qtbot.addWidget(window)
    return window, tabs


def test_the_rows_come_from_the_actions_with_the_tab_that_owns_each(qtbot):
    window, tabs = _small_window(qtbot)
    rows = shortcut_rows(window, tabs)
    assert rows[0] == (EVERYWHERE, "Quit", "Ctrl+Q")
    assert ("Draw", "Undo", "Ctrl+Z") in rows
    assert ("Lists", "Delete selected", "Del, Backspace") in rows
    assert "No keys" not in [what for _, what, _ in rows]
    # A new action is listed the next time the dialog opens: nothing is typed twice.
    QAction("Redo", tabs.widget(0), shortcut="Ctrl+Shift+Z")
    dialog = ShortcutsDialog(window, tabs)
    qtbot.addWidget(dialog)
    shown = [
        tuple(dialog.table.item(r, c).text() for c in range(3))
        for r in range(dialog.table.rowCount())
    ]
    assert ("Draw", "Redo", "Ctrl+Shift+Z") in shown and len(shown) == 4


def test_f1_opens_the_list_and_about_shows_the_version(qtbot):
    window, tabs = _small_window(qtbot)
    shortcuts, about = help_actions(window, tabs, f"<h3>Digit Lab {__version__}</h3>")
    window.menuBar().addMenu("&Help").addActions([shortcuts, about])
    window.show()
    qtbot.waitExposed(window)
    assert shortcuts.shortcut().toString() == "F1"
    shortcuts.trigger()
    dialogs = window.findChildren(ShortcutsDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    assert (EVERYWHERE, "Keyboard shortcuts", "F1") in dialogs[0].rows
    dialogs[0].close()
    about.trigger()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and __version__ in boxes[0].text()
    boxes[0].close()


@pytest.mark.slow
def test_the_real_windows_list_names_every_tab_shortcut_and_no_key_twice_in_one_place(qtbot):
    from gui_support import open_window

    for window in open_window(qtbot):
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_F1)
        (dialog,) = window.findChildren(ShortcutsDialog)
        rows = dialog.rows
        whats = {(where, what) for where, what, _ in rows}
        assert {
            (EVERYWHERE, "Keyboard shortcuts"),
            (EVERYWHERE, "Dark theme"),
            ("Draw", "Undo"),
            ("Draw", "Eraser"),
            ("My handwriting", "Delete selected samples"),
        } <= whats
        # A key means one thing where it works: a tab's keys against each other and against
        # the window's own.
        for tab in {where for where, _, _ in rows} - {EVERYWHERE}:
            keys = [
                k for where, _, ks in rows if where in (tab, EVERYWHERE) for k in ks.split(", ")
            ]
            assert len(keys) == len(set(keys)), tab
        dialog.close()
