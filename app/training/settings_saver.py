"""Keeps the Train tab's run set-up on disk: written to the per-user data folder shortly after
the last change (a held spin-box arrow makes one write, not one per step), or at once when
asked (hiding the tab, quitting)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot

from digitlab.app import storage

SETTINGS_SAVE_DELAY_MS = 500
"""A changed set-up is written this long after the last change."""


class SettingsSaver(QObject):
    """Writes ``read()`` (the set-up shown, a JSON-friendly dict) with
    :func:`digitlab.app.storage.save_settings` when it differs from what was last written.

    The set-up ``read()`` returns when the saver is made counts as written.
    """

    def __init__(
        self,
        read: Callable[[], dict],
        parent: QObject | None = None,
        delay_ms: int = SETTINGS_SAVE_DELAY_MS,
    ):
        super().__init__(parent)
        self._read = read
        self._saved = read()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.save)

    @Slot()
    def schedule(self) -> None:
        """The set-up changed: write it after the delay (a further change restarts it)."""
        self._timer.start()

    @Slot()
    def save(self) -> None:
        """Write the set-up now if it changed since the last write."""
        self._timer.stop()
        settings = self._read()
        if settings != self._saved:
            storage.save_settings(settings)
            self._saved = settings
