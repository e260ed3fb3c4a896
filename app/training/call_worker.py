"""Run one function off the UI thread: the QObject worker behind the "Training data" box's
reading and rendering (see :mod:`.custom_data_panel`)."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot


class CallWorker(QObject):
    """Runs ``fn(on_progress, should_stop)`` once in a worker thread; the result or the
    error comes back as a signal.

    ``fn`` calls ``on_progress(done, total)`` as it goes and polls ``should_stop()``; it may
    raise ``InterruptedError`` when stopped, which is not a failure. The result of a
    cancelled call is dropped (no ``finished``).
    """

    # Progress: done, total.
    progress = Signal(int, int)
    # The function returned: its result.
    finished = Signal(object)
    # The function raised: a one-line message.
    failed = Signal(str)
    # Always last: the thread may quit.
    done = Signal()

    def __init__(self, fn: Callable):
        super().__init__()
        self._fn = fn
        self._cancel = threading.Event()
        self.last_traceback = ""

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(lambda d, t: self.progress.emit(int(d), int(t)), self._cancel.is_set)
            if not self._cancel.is_set():
                self.finished.emit(result)
        except InterruptedError:
            pass
        except Exception as exc:
            self.last_traceback = traceback.format_exc()
            self.failed.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        finally:
            self.done.emit()
