"""Ctrl+1 … Ctrl+9: go to a tab by its place, as in browsers and editors."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QWidget


def tab_actions(window: QWidget, tabs: QTabWidget) -> list[QAction]:
    """One action per tab of ``tabs`` (at most nine), owned by ``window`` so its shortcut works
    on every tab: "Go to <title>", Ctrl+<place>. A tab replaced later (the Train tab once
    TensorFlow has loaded) keeps its place, so its action still reaches it."""
    actions = []
    for index in range(min(tabs.count(), 9)):
        action = QAction(f"Go to {tabs.tabText(index).replace('&', '&&')}", window)
        action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        action.triggered.connect(lambda _=False, i=index: tabs.setCurrentIndex(i))
        actions.append(action)
    return actions
