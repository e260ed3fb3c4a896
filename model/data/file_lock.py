"""One writer at a time for a user's file, across windows and processes. Qt-free.

:func:`locked` holds an exclusive OS lock on a hidden sidecar file (``.<name>.lock``) beside
the data file while a change is re-read, applied and written, so two windows saving at once
both keep their changes (see :class:`digitlab.model.data.personal_store.PersonalStore`). The
lock is released by the OS when the process dies, so a kill -9 never leaves it held.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(path: str | Path) -> Path:
    """The sidecar lock file of ``path``."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: str | Path) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (blocking until other holders let go)."""
    target = lock_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:  # pragma: no cover - Windows: lock the first byte
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def signature(path: str | Path) -> tuple[int, int, int] | None:
    """``(inode, size, mtime_ns)`` of ``path``, None when it does not exist: a file whose
    signature changed since it was read was written by someone else."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
