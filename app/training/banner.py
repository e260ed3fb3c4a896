"""The Train tab's message banner: one sentence on what just happened, coloured by level."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from digitlab.app.widgets.styles import (
    BAD_EDGE,
    BAD_PALE,
    BAD_TEXT,
    GOOD_EDGE,
    GOOD_PALE,
    GOOD_TEXT,
    INFO_EDGE,
    INFO_PALE,
    INFO_TEXT,
)

_STYLES = {
    level: f"background:{pale}; border:1px solid {edge}; color:{text};"
    for level, (pale, edge, text) in {
        "info": (INFO_PALE, INFO_EDGE, INFO_TEXT),
        "ok": (GOOD_PALE, GOOD_EDGE, GOOD_TEXT),
        "error": (BAD_PALE, BAD_EDGE, BAD_TEXT),
    }.items()
}
"""Each level's style sheet: pale background, border and text colour."""


class MessageBanner(QLabel):
    """A selectable, word-wrapped line, hidden until there is something to say."""

    # A message was shown: text, level ("info", "ok", "error").
    shown = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.last_message = ("", "")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)

    def show_message(self, text: str, level: str = "info") -> None:
        """Show ``text`` in ``level``'s colours (an unknown level reads as "info")."""
        self.last_message = (text, level)
        self.setStyleSheet(
            f"QLabel {{ {_STYLES.get(level, _STYLES['info'])} padding:6px; border-radius:4px; }}"
        )
        self.setText(text)
        self.setVisible(bool(text))
        self.shown.emit(text, level)

    def dismiss(self) -> None:
        """Hide the banner (e.g. a new run starts; :attr:`last_message` is kept)."""
        self.setVisible(False)
