"""Every thread Digit Lab makes: one thread owner, one mailbox worker, one way to stop them.

:class:`WorkerThread` owns one worker and the QThread it runs in, from start to join; live
inference, explanations, training, fine-tuning, evaluation and reading a dataset all run
through it. A worker is a QObject with a ``run()`` slot that never raises, a ``cancel()``
that only sets a flag the work checks between steps, and a ``done`` signal emitted last.

:class:`MailboxWorker` is the long-lived kind (glue-qt's compute worker): it serves requests
posted from any thread. Posting a request replaces the one waiting, so a burst of drawings is
answered once, for the newest; ordered jobs (model swaps, batches) are never dropped.

Stopping never terminates a thread: it cancels, then waits a bounded time,
:data:`STOP_TIMEOUT_MS` (inside :func:`one_bound` all the waits share one bound, so closing
the window takes at most that long however many threads it stops). A thread still running
after that is left to end on its own: it stays referenced here and is joined when the process
exits, since Qt aborts the whole process when a running QThread is destroyed.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
import traceback
from collections.abc import Callable, Hashable, Iterator

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

STOP_TIMEOUT_MS = 1500
"""How long stopping waits for a thread, and how long closing the window waits for all of
them together. Training checks its cancel flag after every batch (milliseconds), so it ends
well within it; a model load or an evaluation cannot be interrupted and may outlast it."""

_running: set[WorkerThread] = set()
"""Threads started and not yet joined (GUI thread only): kept alive until they end."""
_deadlines: list[float] = []
"""``time.monotonic`` deadlines of the open :func:`one_bound` blocks (GUI thread only)."""


@contextlib.contextmanager
def one_bound(timeout_ms: int = STOP_TIMEOUT_MS) -> Iterator[None]:
    """Within the block, every :meth:`WorkerThread.join` waits at most until ``timeout_ms``
    after the block began, all of them together (e.g. while the window closes)."""
    _deadlines.append(time.monotonic() + timeout_ms / 1000.0)
    try:
        yield
    finally:
        _deadlines.pop()


def _bounded(timeout_ms: int) -> int:
    """``timeout_ms``, cut to what is left of the innermost :func:`one_bound` block."""
    if not _deadlines:
        return max(0, int(timeout_ms))
    left_ms = int((_deadlines[-1] - time.monotonic()) * 1000.0)
    return max(0, min(int(timeout_ms), left_ms))


@atexit.register
def _join_at_exit() -> None:
    """Ask every thread still running to stop and wait for each to end.

    Registered when this module is first imported, after PySide6 registered its own clean-up,
    so it runs before Qt destroys any thread. No bound here: every worker ends by itself once
    cancelled, and a QThread destroyed while running would abort the process.
    """
    for holder in list(_running):
        holder.request_stop()
    for holder in list(_running):
        holder.join(None)


class WorkerThread(QObject):
    """Owns one worker and the QThread it runs in, from start to join.

    ``worker.done`` quits the thread directly (not through the UI event loop), so
    :meth:`stop` can join it even while the application is shutting down.
    """

    # The thread has ended; the worker's signals have all been emitted.
    ended = Signal()

    def __init__(self, worker: QObject, parent: QObject | None = None, name: str = ""):
        super().__init__(parent)
        self.worker = worker
        self._thread = QThread()
        self._thread.setObjectName(name or f"{type(worker).__name__}Thread")
        worker.moveToThread(self._thread)
        self._thread.started.connect(worker.run)
        worker.done.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self.ended)
        self._started = False
        self._stop_asked = False

    @property
    def started(self) -> bool:
        """:meth:`start` ran the thread (it may have ended since)."""
        return self._started

    def start(self) -> None:
        """Run the worker in its thread; does nothing once started or asked to stop."""
        if self._started or self._stop_asked:
            return
        self._started = True
        # Forget threads that ended without being joined (their owners went away first).
        _running.difference_update([holder for holder in _running if holder.is_finished()])
        _running.add(self)
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def is_finished(self) -> bool:
        """The thread ran and has ended."""
        return self._thread.isFinished()

    def request_stop(self) -> None:
        """Ask the worker to stop (its cancel flag) and the thread to quit; returns at once."""
        self._stop_asked = True
        self.worker.cancel()
        self._thread.requestInterruption()
        self._thread.quit()

    def join(self, timeout_ms: int | None = STOP_TIMEOUT_MS) -> bool:
        """Wait up to ``timeout_ms`` (None: until it ends) for the thread; True once it ended.

        A thread still running afterwards is left alone: it stays referenced until it ends
        and is joined at exit at the latest.
        """
        if not self._started:
            return True
        ended = (
            self._thread.wait() if timeout_ms is None else self._thread.wait(_bounded(timeout_ms))
        )
        if ended:
            _running.discard(self)
        return ended

    def stop(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Cancel the work, quit the thread and wait up to ``timeout_ms`` for it (see
        :meth:`join`); True if it ended in time. Safe to call twice, or before start."""
        self.request_stop()
        return self.join(timeout_ms)

    def dispose(self) -> None:
        """Once ``ended`` was emitted: join the finished thread and delete this holder later."""
        self.join()
        self.deleteLater()


class MailboxWorker(QObject):
    """A long-lived worker serving requests posted from any thread (see the module docstring).

    Each round, it runs every queued job in order, then serves the newest posted request
    once (:meth:`serve`), then, when no request waits, one background job. Subclasses
    implement :meth:`serve` and may override :meth:`setup` (run first, in the thread).
    Errors are emitted as ``failed``; the worker keeps serving unless :meth:`setup` fails.
    """

    # Something failed: a message for the user.
    failed = Signal(str)
    # run() returned: the thread may quit.
    done = Signal()

    label = "the worker"
    """How a failure of :meth:`setup` names the work that stopped."""
    serve_error = "could not serve the request"
    """How a failure of :meth:`serve` begins its message."""

    def __init__(self):
        super().__init__()
        self._cond = threading.Condition()
        self._latest: object | None = None
        self._jobs: list[Callable[[], None]] = []
        self._background: dict[Hashable, Callable[[], None]] = {}
        self._serving = False
        self._stop = False

    # ---------------------------------------------------------------- any thread

    def post(self, request: object) -> None:
        """Replace whatever request is waiting with ``request`` (never queued; not None)."""
        with self._cond:
            self._latest = request
            self._cond.notify()

    def drop_pending(self) -> None:
        """Forget the request waiting to be served."""
        with self._cond:
            self._latest = None

    def queue(self, job: Callable[[], None]) -> None:
        """Run ``job()`` in the worker's thread, in order with the other jobs, never dropped."""
        with self._cond:
            self._jobs.append(job)
            self._cond.notify()

    def queue_background(self, key: Hashable, job: Callable[[], None]) -> None:
        """Run ``job()`` once no request waits; a job with the same ``key`` already waiting or
        running makes this a no-op."""
        with self._cond:
            self._background.setdefault(key, job)
            self._cond.notify()

    def cancel(self) -> None:
        """Stop after the current step (long jobs check :attr:`stopping`)."""
        with self._cond:
            self._stop = True
            self._cond.notify()

    @property
    def stopping(self) -> bool:
        return self._stop

    @property
    def idle(self) -> bool:
        """No request waiting and none being served."""
        with self._cond:
            return self._latest is None and not self._serving

    # ---------------------------------------------------------------- the worker's thread

    def setup(self) -> None:
        """Called once in the thread before any request (e.g. load the models)."""

    def serve(self, request: object) -> None:
        """Answer one posted request (emit the answer)."""
        raise NotImplementedError

    @Slot()
    def run(self) -> None:
        """Set up, then serve until cancelled; emits ``done`` last. Never raises."""
        try:
            self.setup()
            while self._round():
                pass
        except Exception as exc:
            self.failed.emit(f"{self.label} stopped: {exc}\n{traceback.format_exc()}")
        finally:
            self.done.emit()

    def serve_pending(self) -> None:
        """Serve the waiting request now, if any (long jobs call it between their steps)."""
        with self._cond:
            request, self._latest = self._latest, None
            self._serving = request is not None
        if request is None:
            return
        try:
            self.serve(request)
        except Exception as exc:
            self.failed.emit(f"{self.serve_error}: {exc}")
        finally:
            with self._cond:
                self._serving = False

    def _round(self) -> bool:
        """Wait for work and do one round of it; False once cancelled."""
        with self._cond:
            while not (self._stop or self._latest is not None or self._jobs or self._background):
                self._cond.wait()
            if self._stop:
                return False
            jobs, self._jobs = self._jobs, []
            background = (
                next(iter(self._background.items()), None) if self._latest is None else None
            )
        for job in jobs:
            self._run_job(job)
        self.serve_pending()
        if background is not None:
            key, job = background
            self._run_job(job)
            with self._cond:
                self._background.pop(key, None)
        return True

    def _run_job(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception as exc:
            self.failed.emit(f"{self.label}: {exc}\n{traceback.format_exc()}")
