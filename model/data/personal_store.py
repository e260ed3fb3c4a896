"""The personal dataset on disk: one JSON lines file, every change written at once. Qt-free.

:class:`PersonalStore` adds, relabels, deletes, imports and exports the user's labelled drawings
(:class:`digitlab.model.data.personal_data.Sample`, in the format described there). A file with
bad lines still opens, and is backed up before the first change overwrites it.
"""

from __future__ import annotations

import datetime as _dt
import filecmp
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.model.data.file_lock import locked, signature
from digitlab.model.data.personal_data import (
    NOT_A_DIGIT,
    NUM_CLASSES,
    PersonalDataError,
    Sample,
    check_label,
    labels_of,
    merge,
    read_samples,
    sample_from_drawing,
    write_samples,
)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: samples added, duplicates skipped, messages of bad lines."""

    added: int
    duplicates: int
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Deleted:
    """Samples a delete took away, and where they stood, for :meth:`PersonalStore.restore`.

    samples : the samples, in file order.
    places : the index of each in the file just before the delete.
    after : the drawing key of the sample just before each one then (None: it was first).
    """

    samples: tuple[Sample, ...] = ()
    places: tuple[int, ...] = ()
    after: tuple[str | None, ...] = ()

    def __len__(self) -> int:
        return len(self.samples)


def bad_lines_text(errors: Sequence[str], cap: int = 10) -> str:
    """The bad lines of a file in a few words: ``"4 (not JSON), 9 (nothing is drawn)"``.

    ``errors`` are :func:`~digitlab.model.data.personal_data.read_samples` messages
    (``"line 4: not JSON"``); the first ``cap`` are named, then ``"and N more"``.
    """
    parts = []
    for error in errors[:cap]:
        head, sep, reason = error.partition(": ")
        number = head.removeprefix("line ")
        parts.append(f"{number} ({reason})" if sep and number.isdigit() else error)
    if len(errors) > cap:
        parts.append(f"and {len(errors) - cap:,} more")
    return ", ".join(parts)


class PersonalStore:
    """The personal dataset in one JSONL file; every change is written at once, atomically.

    A file with bad lines is still opened (the good lines are read, :attr:`load_errors` says
    what was skipped); before the first change overwrites it, the original is copied next to
    it as ``<name>.bad-<time>`` (and the copy checked whole) so nothing the user made is lost.
    A file that cannot be read whole (too big, not text) is never written over: every change
    is refused with a :class:`PersonalDataError` saying so.

    Several stores (windows, processes) may share one file: each change takes the file's
    lock (:func:`digitlab.model.data.file_lock.locked`), re-reads the file when someone else
    wrote it since, applies the change to what is on disk and writes it, so no one's
    samples are lost.

    Raises
    ------
    PersonalDataError
        From the constructor when the file cannot be read at all (``read=False`` starts
        empty without reading it; changes are then refused while the file exists).
    """

    def __init__(self, path: str | Path, read: bool = True):
        self.path = Path(path)
        self._seen = signature(self.path) if read else ("unread",)
        self._samples, errors = read_samples(self.path) if read else ([], [])
        self.load_errors: tuple[str, ...] = tuple(errors)
        self.backup: Path | None = None

    @property
    def samples(self) -> tuple[Sample, ...]:
        return tuple(self._samples)

    def __len__(self) -> int:
        return len(self._samples)

    def counts(self) -> list[int]:
        """Samples per digit, 0..9 (negative samples are counted by :meth:`not_digits`)."""
        labels = labels_of(self._samples)
        return np.bincount(labels[labels >= 0], minlength=NUM_CLASSES).tolist()

    def not_digits(self) -> int:
        """How many samples the user said are not digits."""
        return int(np.sum(labels_of(self._samples) == NOT_A_DIGIT))

    def _change(self, change: Callable[[list[Sample]], list[Sample] | None]) -> bool:
        """Apply ``change`` (current samples -> new samples, or None for no change) to the
        file as it is on disk now, under its lock; returns whether anything was written."""
        with locked(self.path):
            current, errors = self._samples, list(self.load_errors)
            if signature(self.path) != self._seen:
                try:
                    current, errors = read_samples(self.path)
                except PersonalDataError as exc:
                    raise PersonalDataError(
                        f"{exc}; nothing was saved, so as not to write over it "
                        "(move it aside to start a new file)"
                    ) from exc
                self.backup = None
            changed = change(list(current))
            if changed is None:
                self._samples, self.load_errors = current, tuple(errors)
                self._seen = signature(self.path)
                return False
            if errors and self.backup is None and self.path.exists():
                self.backup = _copy_aside(self.path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_samples(self.path, changed)
            self._samples, self.load_errors = changed, ()
            self._seen = signature(self.path)
            return True

    def add(self, label: int, strokes: Iterable, canvas: Sequence[float]) -> Sample:
        """Add a drawing with its label (a drawing already stored is relabelled instead)."""
        sample = sample_from_drawing(label, strokes, canvas)
        self._change(lambda current: [s for s in current if s.key != sample.key] + [sample])
        return sample

    def delete(self, indices: Iterable[int]) -> int:
        """Remove the samples at ``indices``; returns how many went."""
        return len(self.take(indices))

    def take(self, indices: Iterable[int]) -> Deleted:
        """Remove the samples at ``indices``; returns them with their places, for
        :meth:`restore` (empty when none went)."""
        keys = self._keys(indices)
        gone = Deleted()

        def drop(current: list[Sample]) -> list[Sample] | None:
            nonlocal gone
            places = [i for i, s in enumerate(current) if s.key in keys]
            gone = Deleted(
                tuple(current[i] for i in places),
                tuple(places),
                tuple(current[i - 1].key if i else None for i in places),
            )
            return [s for s in current if s.key not in keys] if places else None

        self._change(drop)
        return gone

    def restore(self, deleted: Deleted) -> int:
        """Put back what :meth:`take` removed, each sample after the one it followed (or at
        its old index when that one is gone); a drawing stored again since is left as it is.
        Returns how many came back."""
        back = 0

        def put_back(current: list[Sample]) -> list[Sample] | None:
            nonlocal back
            new, present, back = list(current), {s.key for s in current}, 0
            for sample, place, after in zip(
                deleted.samples, deleted.places, deleted.after, strict=True
            ):
                if sample.key in present:
                    continue
                at = 0 if after is None else min(place, len(new))
                at = next((i + 1 for i, s in enumerate(new) if s.key == after), at)
                new.insert(at, sample)
                present.add(sample.key)
                back += 1
            return new if back else None

        self._change(put_back)
        return back

    def _keys(self, indices: Iterable[int]) -> set[str]:
        """The drawings at ``indices`` of :attr:`samples` (changes apply by drawing, so they
        find their samples in a file another window changed since)."""
        return {self._samples[i].key for i in map(int, indices) if 0 <= i < len(self._samples)}

    def relabel(self, indices: Iterable[int], label: int) -> int:
        """Give the samples at ``indices`` the label ``label``; returns how many changed."""
        label = check_label(label)
        keys = self._keys(indices)
        changed = 0

        def relabel(current: list[Sample]) -> list[Sample] | None:
            nonlocal changed
            new = [s.with_label(label) if s.key in keys else s for s in current]
            changed = sum(1 for a, b in zip(new, current, strict=True) if a.label != b.label)
            return new if changed else None

        self._change(relabel)
        return changed

    def export(self, path: str | Path) -> int:
        """Write all samples to ``path`` (atomically); returns how many.

        Raises
        ------
        PersonalDataError
            When ``path`` is the store's own file (exporting over it would drop the bad
            lines it may hold).
        """
        if Path(path).resolve() == self.path.resolve():
            raise PersonalDataError(f"{path}: that is the file the samples live in")
        write_samples(path, self._samples)
        return len(self._samples)

    def import_file(self, path: str | Path) -> ImportReport:
        """Merge the samples of another JSONL file in (duplicates skipped, bad lines reported).

        Raises
        ------
        PersonalDataError
            When the file cannot be read at all, or holds no sample and some bad line.
        """
        if not Path(path).is_file():
            raise PersonalDataError(f"{path}: no such file")
        incoming, errors = read_samples(path)
        if not incoming and errors:
            raise PersonalDataError(f"{path}: no sample could be read ({errors[0]})")
        counts = (0, 0)

        def merge_in(current: list[Sample]) -> list[Sample] | None:
            nonlocal counts
            merged, added, duplicates = merge(current, incoming)
            counts = (added, duplicates)
            return merged if added else None

        self._change(merge_in)
        return ImportReport(*counts, tuple(errors))


def _copy_aside(path: Path) -> Path:
    """Copy ``path`` to ``<name>.bad-<time>`` beside it, checked byte for byte before it gets
    its name (a full disk leaves no truncated copy).

    Raises
    ------
    PersonalDataError
        When the copy cannot be made whole: then nothing is to be written over ``path``.
    """
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.bad-{stamp}")
    tmp = path.with_name(f".{backup.name}.tmp")
    try:
        shutil.copyfile(path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if not filecmp.cmp(path, tmp, shallow=False):
            raise OSError("the copy differs from the file")
        os.replace(tmp, backup)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PersonalDataError(
            f"{path}: could not keep a copy of it before saving ({exc.strerror or exc}); "
            "nothing was saved"
        ) from exc
    return backup
