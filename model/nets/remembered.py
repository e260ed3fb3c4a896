"""The digit models last put live, kept on disk so that they are live again at the next start.

One file per live slot (``live-cnn.keras``, ``live-dense.keras``) in a folder the app
chooses. Every file operation runs in one background thread, in the order it was asked: a
save (about 0.1 s for the CNN, 0.05 s for the dense network, read-back check included) never
holds up the window, a read at start never delays the first answer, and a "forget" asked
after a "remember" always wins. Writes are atomic (:func:`~digitlab.model.nets.model_files.
save_model`): a crash mid-save leaves the previous file. Qt-free.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from digitlab.model.nets.model_files import load_model, save_model

SLOTS = ("cnn", "dense")
"""The live slots a model can be remembered for (models of your own classes are not)."""

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _file_thread() -> ThreadPoolExecutor:
    """The one thread every store's file operations run in, created on first use; the
    interpreter joins it at exit, so a save under way is finished, never cut short."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digitlab-remembered")
        return _pool


def _delete(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


class RememberedModels:
    """The remembered models of ``folder``: save, forget and read them in the background.

    Every method returns at once with a :class:`~concurrent.futures.Future` whose callbacks
    run in the file thread; its exception, if any, says why the operation failed.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def path(self, slot: str) -> Path:
        """``<folder>/live-<slot>.keras`` (it may not exist)."""
        if slot not in SLOTS:
            raise ValueError(f"no remembered model for {slot!r}; slots are {SLOTS}")
        return self.folder / f"live-{slot}.keras"

    def slots(self) -> tuple[str, ...]:
        """The slots with a remembered file, in :data:`SLOTS` order (a file may still turn out
        unreadable when :meth:`load` reads it)."""
        return tuple(slot for slot in SLOTS if self.path(slot).is_file())

    def remember(self, slot: str, model) -> Future:
        """Save ``model`` as ``slot``'s remembered model; the future's result is the path.

        ``model`` is a Keras model taking ``(n, 28, 28, 1)`` float32 and giving ``(n, 10)``
        probabilities, which no other thread may use until the future is done (pass a copy).
        """
        path = self.path(slot)
        return _file_thread().submit(save_model, model, path, 10)

    def forget(self, slots: tuple[str, ...] = SLOTS) -> Future:
        """Delete the remembered files of ``slots`` (after any save asked before)."""
        return _file_thread().submit(_delete, [self.path(slot) for slot in slots])

    def load(self, slot: str) -> Future:
        """Read ``slot``'s remembered model with the safe loader; the future's result is the
        Keras model (``(n, 28, 28, 1)`` -> ``(n, 10)``), its exception a
        :class:`~digitlab.model.nets.model_files.ModelFileError` naming the file and why."""
        return _file_thread().submit(load_model, self.path(slot))

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for every operation asked so far; True when they all ended in time."""
        try:
            _file_thread().submit(lambda: None).result(timeout_s)
        except FutureTimeout:
            return False
        return True
