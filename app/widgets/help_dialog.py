"""The Help menu: the About box (with the version) and a list of every keyboard shortcut.

The list is read from the window's actions when it opens, never typed in: each ``QAction``
with a shortcut, owned by the window (it works everywhere) or by one tab (it works while that
tab is shown, see ``MainWindow.tab_actions``), gives one row.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

EVERYWHERE = "Everywhere"
"""What the list says for a shortcut of the window itself (it works on every tab)."""
SHORTCUTS_KEY = "F1"
"""The list's own shortcut (help's key on every desktop; nothing else in the app uses it)."""


def _action_text(action: QAction) -> str:
    """The action's text as a menu shows it: mnemonic ampersands and trailing dots dropped."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")


def _keys(action: QAction) -> str:
    return ", ".join(
        key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()
    )


def shortcut_rows(window: QWidget, tabs: QTabWidget) -> list[tuple[str, str, str]]:
    """``(where, what, keys)`` for every action with a shortcut under ``window``: where is
    :data:`EVERYWHERE` for the window's own actions, else the title of the tab that owns it;
    the window's rows first, then the tabs' in tab order, each in creation order."""
    by_tab: dict[int, list[QAction]] = {}
    owned: set[int] = set()
    for index in range(tabs.count()):
        actions = [a for a in tabs.widget(index).findChildren(QAction) if a.shortcuts()]
        by_tab[index] = actions
        owned.update(id(a) for a in actions)
    rows = [
        (EVERYWHERE, _action_text(a), _keys(a))
        for a in window.findChildren(QAction)
        if a.shortcuts() and id(a) not in owned
    ]
    for index, actions in by_tab.items():
        rows += [(tabs.tabText(index), _action_text(a), _keys(a)) for a in actions]
    return rows


class ShortcutsDialog(QDialog):
    """A read-only table of :func:`shortcut_rows` (Where · Action · Keys), read when built."""

    def __init__(self, window: QWidget, tabs: QTabWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = shortcut_rows(window, tabs)
        self.table = QTableWidget(len(self.rows), 3)
        self.table.setHorizontalHeaderLabels(["Where", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, cells in enumerate(self.rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setAccessibleName("Keyboard shortcuts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, min(640, 90 + 30 * max(len(self.rows), 4)))


def about_box(parent: QWidget, html: str) -> QMessageBox:
    """The About box (shown window-modal with ``open()``; it deletes itself when closed)."""
    box = QMessageBox(QMessageBox.Icon.NoIcon, "About Digit Lab", html, parent=parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def help_actions(window: QWidget, tabs: QTabWidget, about_html: str) -> tuple[QAction, QAction]:
    """The Help menu's actions, owned by ``window``: "Keyboard shortcuts" (F1) opens a
    :class:`ShortcutsDialog` read afresh (the Train tab may have been built since), "About"
    the :func:`about_box`."""
    shortcuts = QAction("&Keyboard shortcuts…", window)
    shortcuts.setShortcut(SHORTCUTS_KEY)

    def show_shortcuts() -> None:
        dialog = ShortcutsDialog(window, tabs)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    shortcuts.triggered.connect(show_shortcuts)
    about = QAction("&About Digit Lab", window)
    about.triggered.connect(lambda: about_box(window, about_html))
    return shortcuts, about
