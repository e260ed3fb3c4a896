"""The one mailbox worker and the one thread owner: latest request wins, jobs keep their
order, errors are reported, stopping is bounded and never terminates a thread."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QThread, Signal, Slot

from digitlab.app.threads import STOP_TIMEOUT_MS, MailboxWorker, WorkerThread, one_bound

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 10_000


def test_every_thread_is_made_by_the_one_owner_and_none_is_ever_terminated():
    made, terminated = [], []
    for path in sorted((ROOT / "app").rglob("*.py")) + sorted((ROOT / "model").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "QThread":
                made.append(where)
            if isinstance(func, ast.Attribute) and func.attr == "terminate":
                terminated.append(f"{where}:{node.lineno}")
    assert made == ["app/threads.py"]
    assert terminated == []


class _Echo(MailboxWorker):
    """Records what it serves; stops itself once it served ``last``."""

    label = "echo"
    serve_error = "could not echo"

    def __init__(self, last=None, fail_on=None):
        super().__init__()
        self.log: list[object] = []
        self._last = last
        self._fail_on = fail_on

    def serve(self, request):
        if request == self._fail_on:
            raise ValueError(f"bad {request}")
        self.log.append(request)
        if request == self._last:
            self.cancel()


def _messages(worker: MailboxWorker) -> list[str]:
    messages: list[str] = []
    worker.failed.connect(messages.append)
    return messages


# ------------------------------------------------------------- the mailbox, in this thread


def test_a_burst_of_requests_is_served_once_for_the_newest(qapp):
    worker = _Echo(last=3)
    for request in (1, 2, 3):
        worker.post(request)
    worker.run()  # serves what is waiting, then stops itself
    assert worker.log == [3]


def test_queued_jobs_run_in_order_before_the_request_and_are_never_dropped(qapp):
    worker = _Echo(last="drawing")
    worker.queue(lambda: worker.log.append("swap 1"))
    worker.post("old drawing")
    worker.queue(lambda: worker.log.append("swap 2"))
    worker.post("drawing")
    worker.run()
    assert worker.log == ["swap 1", "swap 2", "drawing"]


def test_a_failing_request_is_reported_and_the_next_one_is_still_served(qapp):
    worker = _Echo(last=2, fail_on=1)
    messages = _messages(worker)
    done = []
    worker.done.connect(lambda: done.append(True))
    worker.post(1)
    worker.queue_background("next", lambda: worker.post(2))  # once 1 was served
    worker.run()
    assert messages == ["could not echo: bad 1"]
    assert worker.log == [2] and done == [True]


def test_a_failing_job_is_reported_and_the_worker_keeps_serving(qapp):
    worker = _Echo(last="drawing")
    messages = _messages(worker)
    worker.queue(lambda: 1 / 0)
    worker.post("drawing")
    worker.run()
    assert len(messages) == 1 and "division by zero" in messages[0]
    assert worker.log == ["drawing"]


def test_a_failed_setup_is_reported_and_ends_the_worker(qapp):
    class Broken(_Echo):
        def setup(self):
            raise OSError("no models")

    worker = Broken()
    messages = _messages(worker)
    done = []
    worker.done.connect(lambda: done.append(True))
    worker.post("drawing")
    worker.run()
    assert messages[0].startswith("echo stopped: no models") and done == [True]
    assert worker.log == []


def test_background_work_waits_for_the_request_and_runs_once_per_key(qapp):
    worker = _Echo()
    worker.queue_background("top", lambda: worker.log.append("top"))
    worker.queue_background("top", lambda: worker.log.append("top again"))
    worker.post("drawing")
    worker.queue_background("end", worker.cancel)
    worker.run()
    assert worker.log == ["drawing", "top"]
    assert worker.idle


def test_a_cancelled_worker_serves_nothing_more(qapp):
    worker = _Echo()
    worker.post("drawing")
    worker.cancel()
    worker.run()
    assert worker.log == [] and worker.stopping


def test_a_dropped_request_is_not_served(qapp):
    worker = _Echo()
    worker.post("drawing")
    worker.drop_pending()
    worker.queue(worker.cancel)
    worker.run()
    assert worker.log == [] and worker.idle


# ------------------------------------------------------------- the thread owner


class _Stubborn(QObject):
    """Ignores cancel until ``release`` is set: a step that cannot be interrupted."""

    done = Signal()

    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.cancelled = False
        self.running = threading.Event()

    def cancel(self):
        self.cancelled = True

    @Slot()
    def run(self):
        self.running.set()
        self.release.wait(TIMEOUT_MS / 1000)  # bounded: a failing test must not hang
        self.done.emit()


@pytest.fixture
def waits(monkeypatch):
    """The bound of every QThread.wait call; terminate() fails the test."""
    bounds: list[int | None] = []
    original = QThread.wait

    def spy(thread, *args):
        bounds.append(args[0] if args else None)
        return original(thread, *args)

    def refuse(thread):
        raise AssertionError("QThread.terminate() was called")

    monkeypatch.setattr(QThread, "wait", spy)
    monkeypatch.setattr(QThread, "terminate", refuse)
    return bounds


def test_a_thread_that_outlives_the_bound_is_left_running_not_terminated(qtbot, waits):
    worker = _Stubborn()
    holder = WorkerThread(worker)
    holder.start()
    qtbot.waitUntil(worker.running.is_set, timeout=TIMEOUT_MS)
    assert not holder.stop(50)
    assert worker.cancelled and holder.is_running() and waits == [50]
    with qtbot.waitSignal(holder.ended, timeout=TIMEOUT_MS):
        worker.release.set()
    assert holder.join()


def test_inside_one_bound_all_waits_share_it(qtbot, waits):
    workers = [_Stubborn(), _Stubborn()]
    holders = [WorkerThread(w) for w in workers]
    for holder in holders:
        holder.start()
    qtbot.waitUntil(lambda: all(w.running.is_set() for w in workers), timeout=TIMEOUT_MS)
    with one_bound(200):
        assert not any(holder.stop(STOP_TIMEOUT_MS) for holder in holders)
    assert len(waits) == 2 and sum(waits) <= 200
    for worker in workers:
        worker.release.set()
    for holder in holders:
        qtbot.waitUntil(lambda h=holder: h.join(0), timeout=TIMEOUT_MS)


def test_stopping_a_thread_never_started_waits_for_nothing(qapp, waits):
    holder = WorkerThread(_Stubborn())
    assert holder.stop()
    holder.start()  # asked to stop: it never starts
    assert not holder.started and waits == []


def test_stopping_an_idle_mailbox_ends_its_thread_within_the_bound(qtbot, waits):
    holder = WorkerThread(_Echo())
    with qtbot.waitSignal(holder.ended, timeout=TIMEOUT_MS):
        holder.start()
        assert holder.stop()
    assert holder.is_finished() and waits == [STOP_TIMEOUT_MS]


EXIT_WHILE_RUNNING = textwrap.dedent("""
    import atexit, os, sys, threading
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QObject, QThread, Signal, Slot
    from PySide6.QtWidgets import QApplication
    from digitlab.app.threads import WorkerThread

    QThread.terminate = lambda self: print("TERMINATED", flush=True)
    app = QApplication(sys.argv)
    release = threading.Event()

    class Stubborn(QObject):
        done = Signal()

        def cancel(self):
            pass

        @Slot()
        def run(self):
            release.wait(60)
            self.done.emit()

    parent = QObject()
    holder = WorkerThread(Stubborn(), parent)
    holder.start()
    print("stopped in time:", holder.stop(50), flush=True)
    del parent, holder  # the owner is gone; the thread still runs

    def at_exit():  # registered after digitlab.app.threads: runs before its join
        print("still running at exit", flush=True)
        release.set()

    atexit.register(at_exit)
    sys.exit(0)
""")


def test_a_thread_still_running_when_the_process_exits_is_joined_not_aborted(tmp_path):
    script = tmp_path / "exit_while_running.py"
    script.write_text(EXIT_WHILE_RUNNING)
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert "stopped in time: False" in result.stdout
    assert "still running at exit" in result.stdout
    assert "TERMINATED" not in result.stdout
    assert "QThread: Destroyed" not in result.stderr
    assert result.returncode == 0, result.stderr[-2000:]
