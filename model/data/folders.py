"""Folder listings with a bound: a folder of millions of files is refused, not listed. Qt-free."""

from __future__ import annotations

import os
from pathlib import Path

from digitlab.model import limits


class FolderLimitError(ValueError):
    """A folder holds more entries than :data:`~digitlab.model.limits.MAX_FOLDER_FILES`."""


def bounded_listing(folder: str | Path) -> list[Path]:
    """The entries of ``folder``, by name (case-insensitive).

    Raises
    ------
    FolderLimitError
        More than :data:`~digitlab.model.limits.MAX_FOLDER_FILES` entries (counted while
        listing: at most one more name is ever held).
    OSError
        When it cannot be listed.
    """
    folder = Path(folder)
    with os.scandir(folder) as it:
        names = [e.name for _, e in zip(range(limits.MAX_FOLDER_FILES + 1), it, strict=False)]
    if len(names) > limits.MAX_FOLDER_FILES:
        raise FolderLimitError(f"{folder}: more than {limits.MAX_FOLDER_FILES:,} files")
    return [folder / n for n in sorted(names, key=str.lower)]
