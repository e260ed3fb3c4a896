"""The personal dataset on disk: one JSON lines file, every change written at once. Qt-free.

:class:`PersonalStore` adds, relabels, deletes, imports and exports the user's labelled drawings
(:class:`digitlab.model.data.personal_data.Sample`, in the format described there). A file with
bad lines still opens, and is backed up before the first change overwrites it.
"""

from __future__ import annotations

import datetime as _dt
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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


class PersonalStore:
    """The personal dataset in one JSONL file; every change is written at once, atomically.

    A file with bad lines is still opened (the good lines are read, :attr:`load_errors` says
    what was skipped); before the first change overwrites it, the original is copied next to
    it as ``<name>.bad-<time>`` so nothing the user made is lost.

    Raises
    ------
    PersonalDataError
        From the constructor when the file cannot be read at all (``read=False`` starts
        empty without reading it).
    """

    def __init__(self, path: str | Path, read: bool = True):
        self.path = Path(path)
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

    def _save(self, samples: list[Sample]) -> None:
        if self.load_errors and self.backup is None and self.path.exists():
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = self.path.with_name(f"{self.path.name}.bad-{stamp}")
            shutil.copyfile(self.path, backup)
            self.backup = backup
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_samples(self.path, samples)
        self._samples = samples

    def add(self, label: int, strokes: Iterable, canvas: Sequence[float]) -> Sample:
        """Add a drawing with its label (a drawing already stored is relabelled instead)."""
        sample = sample_from_drawing(label, strokes, canvas)
        samples = [s for s in self._samples if s.key != sample.key]
        samples.append(sample)
        self._save(samples)
        return sample

    def delete(self, indices: Iterable[int]) -> int:
        """Remove the samples at ``indices``; returns how many went."""
        drop = {int(i) for i in indices if 0 <= int(i) < len(self._samples)}
        if drop:
            self._save([s for i, s in enumerate(self._samples) if i not in drop])
        return len(drop)

    def relabel(self, indices: Iterable[int], label: int) -> int:
        """Give the samples at ``indices`` the label ``label``; returns how many changed."""
        label = check_label(label)
        chosen = {int(i) for i in indices if 0 <= int(i) < len(self._samples)}
        samples = [s.with_label(label) if i in chosen else s for i, s in enumerate(self._samples)]
        changed = sum(1 for a, b in zip(samples, self._samples, strict=True) if a.label != b.label)
        if changed:
            self._save(samples)
        return changed

    def export(self, path: str | Path) -> int:
        """Write all samples to ``path`` (atomically); returns how many."""
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
        merged, added, duplicates = merge(self._samples, incoming)
        if added:
            self._save(merged)
        return ImportReport(added, duplicates, tuple(errors))
