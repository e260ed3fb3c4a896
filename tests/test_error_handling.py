"""Unexpected errors are logged to the per-user folder and shown without blocking; the app
keeps running, with or without a console."""

from __future__ import annotations

import ast
import sys
import threading
from pathlib import Path

import pytest

from digitlab.app.error_handling import LOG_NAME, MAX_LOG_BYTES, ErrorReporter, install, log_path

APP = Path(__file__).resolve().parents[1] / "app"


@pytest.fixture
def reporter(qtbot, tmp_path):
    rep = ErrorReporter(log_file=tmp_path / "logs" / LOG_NAME)
    uninstall = install(rep)
    yield rep
    uninstall()
    if rep.dialog is not None:
        rep.dialog.close()
        rep.dialog.deleteLater()


def _raise(exc):
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_the_log_lives_in_the_per_user_data_folder():
    from digitlab.app.storage import app_data_dir

    assert log_path() == app_data_dir() / "digitlab.log"


def test_the_data_folder_can_be_redirected_so_self_tests_never_touch_the_users(
    tmp_path, monkeypatch
):
    from digitlab.app.storage import DATA_DIR_ENV, app_data_dir

    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "elsewhere"))
    assert app_data_dir() == tmp_path / "elsewhere" and app_data_dir().is_dir()
    assert log_path() == tmp_path / "elsewhere" / "digitlab.log"


def test_an_unexpected_error_is_logged_and_shown_in_a_dialog_that_does_not_block(qtbot, reporter):
    with qtbot.waitSignal(reporter.reported, timeout=5000) as signal:
        sys.excepthook(*_raise(ValueError("the widget broke")))
    assert signal.args[0] == "ValueError: the widget broke"
    log = reporter.log_file.read_text("utf-8")
    first = log.splitlines()[0]
    assert first.endswith("ERROR ValueError: the widget broke") and first[:4].isdigit()
    assert "Traceback" in log and "_raise" in log
    qtbot.waitUntil(
        lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=5000
    )
    assert not reporter.dialog.isModal()
    assert (
        "keeps running" in reporter.dialog.text() and "the widget broke" in reporter.dialog.text()
    )


def test_a_burst_of_errors_reuses_one_dialog(qtbot, reporter):
    for n in range(5):
        with qtbot.waitSignal(reporter.reported, timeout=5000):
            sys.excepthook(*_raise(RuntimeError(f"error {n}")))
    qtbot.waitUntil(lambda: "5 errors" in reporter.dialog.text(), timeout=5000)
    assert reporter.log_file.read_text("utf-8").count(" ERROR ") == 5


def test_an_error_in_a_python_thread_is_reported_with_the_threads_name(qtbot, reporter):
    def work():
        raise KeyError("missing")

    with qtbot.waitSignal(reporter.reported, timeout=5000) as signal:
        thread = threading.Thread(target=work, name="loader")
        thread.start()
        thread.join()
    assert "KeyError" in signal.args[0] and "in loader" in signal.args[0]
    assert "in loader" in reporter.log_file.read_text("utf-8")


def test_an_error_in_a_qt_slot_does_not_stop_the_app(qtbot, reporter):
    from PySide6.QtCore import QTimer

    with qtbot.waitSignal(reporter.reported, timeout=5000) as signal:
        QTimer.singleShot(0, lambda: 1 / 0)
    assert "ZeroDivisionError" in signal.args[0]
    later = []
    QTimer.singleShot(0, lambda: later.append(True))
    qtbot.waitUntil(lambda: later == [True], timeout=5000)  # the event loop still runs


def test_keyboard_interrupt_and_thread_exit_are_not_errors(qtbot, tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda *a: seen.append(a[0]))
    rep = ErrorReporter(log_file=tmp_path / LOG_NAME, show_dialog=False)
    uninstall = install(rep)
    try:
        sys.excepthook(*_raise(KeyboardInterrupt()))
        thread = threading.Thread(target=sys.exit, args=(0,))
        thread.start()
        thread.join()
    finally:
        uninstall()
    assert seen == [KeyboardInterrupt]  # handed to the previous hook: Ctrl+C still quits
    assert rep.count == 0 and not (tmp_path / LOG_NAME).exists()


def test_no_console_and_an_unwritable_log_are_survived(qtbot, tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    rep = ErrorReporter(log_file=blocked / LOG_NAME, show_dialog=False)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "stdout", None)
    rep.handle(*_raise(OSError("disk gone")))
    assert rep.count == 1


def test_a_large_log_is_rotated(tmp_path):
    log = tmp_path / LOG_NAME
    log.write_bytes(b"x" * (MAX_LOG_BYTES + 1))
    rep = ErrorReporter(log_file=log, show_dialog=False)
    rep.log("fresh start")
    assert log.read_text().count("fresh start") == 1 and log.stat().st_size < 200
    assert (tmp_path / (LOG_NAME + ".1")).stat().st_size == MAX_LOG_BYTES + 1


def _console_writes(tree: ast.AST):
    """``sys.stdout.x(...)`` / ``sys.stderr.x(...)`` calls: they fail when the stream is None."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Attribute)
            and isinstance(node.func.value.value, ast.Name)
            and node.func.value.value.id == "sys"
            and node.func.value.attr in ("stdout", "stderr")
        ):
            yield node


def test_the_app_never_writes_to_a_missing_console_unguarded():
    # print() is a no-op when sys.stdout is None, but sys.stdout.write() raises: every direct
    # call must sit under an ``if sys.stdout is not None`` (or similar) guard.
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        source = path.read_text("utf-8")
        lines = source.splitlines()
        for node in _console_writes(ast.parse(source)):
            guard = lines[node.lineno - 2] if node.lineno > 1 else ""
            if "is not None" not in guard:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_the_gui_entry_point_installs_the_hooks(monkeypatch, qapp):
    import digitlab.app.main_window as main_window
    from digitlab.app.cli import gui

    seen = {}

    class FakeWindow:
        def __init__(self):
            seen["hook"] = sys.excepthook
            seen["thread_hook"] = threading.excepthook
            from digitlab.app.live.live_models import LiveModels

            self.live = LiveModels(core_factory=lambda: None)

        def show(self):
            pass

    monkeypatch.setattr(main_window, "MainWindow", FakeWindow)
    monkeypatch.setattr(qapp, "exec", lambda: 0)
    before = (sys.excepthook, threading.excepthook)
    assert gui.run_gui(process_start=0.0) == 0
    assert seen["hook"] is not before[0] and seen["thread_hook"] is not before[1]
    assert (sys.excepthook, threading.excepthook) == before  # put back after the event loop
