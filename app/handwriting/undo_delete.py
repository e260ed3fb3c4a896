"""Undo for a delete in the "My handwriting" tab: the Ctrl+Z action and the Undo button shown
beside the "Deleted …" message. The samples go back through the store's locked change path
(:meth:`digitlab.model.data.personal_store.PersonalStore.restore`), so what another window
saved meanwhile is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.model.data.personal_data import PersonalDataError
from digitlab.model.data.personal_store import Deleted
from digitlab.model.nets.wording import plural

_TIP = "Put back the samples just deleted (Ctrl+Z)"


class DeleteUndo(QObject):
    """Keeps the last delete until it is undone or another file is opened.

    Parameters
    ----------
    samples : the personal dataset the deletes are made in.
    tab : the widget the action belongs to: Ctrl+Z acts only while it is shown.
    """

    # A message for the tab: text, level ("ok", "error", "info").
    message = Signal(str, str)
    # Samples were put back: the set of their drawing keys (to select them).
    restored = Signal(object)

    def __init__(self, samples: PersonalSamples, tab: QWidget):
        super().__init__(tab)
        self.samples = samples
        self._deleted: Deleted | None = None
        self._path: Path | None = None
        self.action = QAction("Undo delete", tab)
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.action.setToolTip(_TIP)
        self.action.triggered.connect(self.undo)
        self.action.setEnabled(False)
        tab.addAction(self.action)
        self.button = QPushButton("Undo")
        self.button.setToolTip(_TIP)
        self.button.clicked.connect(self.undo)
        self.button.hide()
        samples.changed.connect(self._on_samples_changed)

    def offer(self, deleted: Deleted) -> None:
        """Make ``deleted`` the delete to undo (shows the button; call after the message)."""
        if not deleted:
            return
        self._deleted, self._path = deleted, self.samples.path
        self.action.setEnabled(True)
        self.button.show()

    def undo(self) -> int:
        """Put the last delete's samples back, in their old places where they still fit;
        returns how many came back."""
        deleted = self._deleted
        if deleted is None:
            return 0
        try:
            count = self.samples.restore(deleted)
        except (PersonalDataError, OSError) as exc:
            self.message.emit(f"Not put back: {exc}", "error")
            self.button.show()  # the user may try again
            return 0
        self.forget()
        if not count:
            self.message.emit("Nothing to put back: those drawings are here again.", "info")
            return 0
        self.restored.emit({s.key for s in deleted.samples})
        self.message.emit(f"Put back {plural(count, 'sample')}.", "ok")
        return count

    def forget(self) -> None:
        self._deleted = self._path = None
        self.action.setEnabled(False)
        self.button.hide()

    def _on_samples_changed(self) -> None:
        if self._path is not None and self._path != self.samples.path:
            self.forget()  # another file is shown now
