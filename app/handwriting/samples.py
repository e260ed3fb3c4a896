"""The personal dataset as the window shares it: one store, one ``changed`` signal.

The Draw tab's correction row adds to it, the "My handwriting" tab lists, relabels and
deletes, the training tab fine-tunes on it. The file is ``my_handwriting.jsonl`` in the
per-user data folder (:func:`digitlab.app.storage.app_data_dir`); see
:mod:`digitlab.model.data.personal_data` for its format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from digitlab.model.data.personal_data import FILE_NAME, PersonalDataError, Sample
from digitlab.model.data.personal_store import (
    Deleted,
    ImportReport,
    PersonalStore,
    bad_lines_text,
)
from digitlab.model.nets.wording import plural


def default_path() -> Path:
    from digitlab.app.storage import app_data_dir

    return app_data_dir() / FILE_NAME


class PersonalSamples(QObject):
    """The user's labelled drawings; every change is saved at once and announced.

    Parameters
    ----------
    path : the JSONL file (default: ``my_handwriting.jsonl`` in the per-user data folder).
        A file that cannot be read at all leaves the set empty and :attr:`problem` says why;
        one with bad lines opens with the good ones (see :class:`PersonalStore`).
    """

    # The samples changed (added, deleted, relabelled, imported, another file opened).
    changed = Signal()

    def __init__(self, path: str | Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.problem = ""
        self._open(Path(path) if path is not None else default_path())

    def _open(self, path: Path) -> None:
        try:
            self.store = PersonalStore(path)
            self.problem = ""
            if self.store.load_errors:
                errors = self.store.load_errors
                self.problem = (
                    f"{path.name}: skipped {plural(len(errors), 'unreadable line')}: "
                    f"{bad_lines_text(errors)}. A copy of the file is kept next to it "
                    "before the next change."
                )
        except PersonalDataError as exc:
            self.store = PersonalStore(path, read=False)
            self.problem = f"{exc}. Starting with no samples; changes cannot be saved there."

    @property
    def path(self) -> Path:
        return self.store.path

    def use_path(self, path: str | Path) -> Path:
        """Switch to another file (self-tests use a scratch one); returns the previous path."""
        previous = self.store.path
        self._open(Path(path))
        self.changed.emit()
        return previous

    @property
    def samples(self) -> tuple[Sample, ...]:
        return self.store.samples

    def __len__(self) -> int:
        return len(self.store)

    def counts(self) -> list[int]:
        return self.store.counts()

    def not_digits(self) -> int:
        return self.store.not_digits()

    def find(self, strokes: Iterable, canvas: Sequence[float]) -> Sample | None:
        """The stored sample of this very drawing, if any."""
        from digitlab.model.data.personal_data import sample_from_drawing

        try:
            key = sample_from_drawing(0, strokes, canvas).key
        except PersonalDataError:
            return None
        return next((s for s in self.store.samples if s.key == key), None)

    # Every change below raises PersonalDataError or OSError with nothing changed on failure.
    def add(self, label: int, strokes: Iterable, canvas: Sequence[float]) -> Sample:
        sample = self.store.add(label, strokes, canvas)
        self.changed.emit()
        return sample

    def delete(self, indices: Iterable[int]) -> int:
        return len(self.take(indices))

    def take(self, indices: Iterable[int]) -> Deleted:
        """Delete the samples at ``indices``; what went, for :meth:`restore`."""
        deleted = self.store.take(indices)
        if deleted:
            self.changed.emit()
        return deleted

    def restore(self, deleted: Deleted) -> int:
        """Put back what :meth:`take` removed (in their old places where they still fit, into
        the file as it is now: another window's changes are kept); returns how many."""
        count = self.store.restore(deleted)
        if count:
            self.changed.emit()
        return count

    def relabel(self, indices: Iterable[int], label: int) -> int:
        count = self.store.relabel(indices, label)
        if count:
            self.changed.emit()
        return count

    def export(self, path: str | Path) -> int:
        return self.store.export(path)

    def import_file(self, path: str | Path) -> ImportReport:
        report = self.store.import_file(path)
        if report.added:
            self.changed.emit()
        return report
