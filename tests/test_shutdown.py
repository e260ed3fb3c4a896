"""Closing the window mid-training: every thread is asked to stop and joined within one
short bound, nothing is terminated, and the process exits cleanly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from gui_support import WINDOW_TIMEOUT_MS, shared_core
from PySide6.QtCore import QThread
from PySide6.QtGui import QAction, QCloseEvent

from digitlab.app.threads import STOP_TIMEOUT_MS
from digitlab.app.widgets import quit_question

ROOT = Path(__file__).resolve().parent.parent
CLOSE_BOUND_MS = 2000
"""What a user waits at most for the window to close."""
LONG_RUN = {
    "architecture": "cnn",
    "epochs": 5,
    "train_size": None,
    "augment": False,
    "batch_size": 64,
}


@pytest.mark.slow
def test_closing_the_window_mid_training_waits_within_one_bound_and_terminates_nothing(
    qtbot, monkeypatch
):
    from digitlab.app.live.live_models import LiveModels
    from digitlab.app.main_window import MainWindow
    from digitlab.app.training.tab import TrainingTab

    core = shared_core()
    window = MainWindow(LiveModels(core_factory=lambda: core), with_training=True)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        window.show()
    # The Train tab replaces its placeholder once the first answer is shown.
    qtbot.waitUntil(lambda: isinstance(window.training_tab, TrainingTab), timeout=WINDOW_TIMEOUT_MS)
    tab = window.training_tab
    tab.apply_settings(LONG_RUN)
    worker = tab.start_training(validate=False, evaluate_after=False)
    qtbot.waitUntil(lambda: worker.steps_done >= 3, timeout=120_000)

    # The user closes the window, or presses Ctrl+Q: asked first; "Keep training" keeps both.
    asked = []
    monkeypatch.setattr(
        quit_question, "ask_to_stop_training", lambda parent: asked.append(parent) or False
    )

    class UserClose(QCloseEvent):
        def spontaneous(self) -> bool:
            return True

    event = UserClose()
    window.closeEvent(event)
    (quit_action,) = [a for a in window.findChildren(QAction) if a.text() == "&Quit"]
    quit_action.trigger()  # Ctrl+Q
    assert asked == [window, window] and not event.isAccepted()
    assert window.isVisible() and tab.is_training() and not worker.cancelled

    bounds: list[int | None] = []
    original_wait = QThread.wait

    def spy(thread, *args):
        bounds.append(args[0] if args else None)
        return original_wait(thread, *args)

    def refuse(thread):
        raise AssertionError("QThread.terminate() was called")

    monkeypatch.setattr(QThread, "wait", spy)
    monkeypatch.setattr(QThread, "terminate", refuse)
    window.close()

    assert not window.isVisible() and worker.cancelled
    # Every wait was bounded, by what was left of one bound shorter than CLOSE_BOUND_MS.
    assert bounds and None not in bounds
    assert STOP_TIMEOUT_MS <= CLOSE_BOUND_MS and max(bounds) <= STOP_TIMEOUT_MS
    # The run stopped at its next batch, within that bound: no thread left behind.
    assert not tab.is_training() and window.live.is_finished()


CLOSE_WINDOW_MID_RUN = textwrap.dedent("""
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    from PySide6.QtCore import QStandardPaths, QThread, QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv)
    QStandardPaths.setTestModeEnabled(True)
    QThread.terminate = lambda self: print("TERMINATED", flush=True)
    from digitlab.app.main_window import MainWindow

    window = MainWindow()
    window.show()
    state = {"worker": None}

    def poll():  # in the UI thread, as a user's clicks would be
        tab = window.training_tab
        if state["worker"] is None:
            if tab is not None and hasattr(tab, "start_training"):
                tab.apply_settings({"architecture": "cnn", "epochs": 5, "train_size": None,
                                    "augment": False})
                state["worker"] = tab.start_training(validate=False)
        elif state["worker"].steps_done >= 3 and window.isVisible():
            print("closing at step", state["worker"].steps_done, flush=True)
            began = time.perf_counter()
            window.close()
            print(f"closed in {time.perf_counter() - began:.2f} s", flush=True)
            app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    QTimer.singleShot(240_000, lambda: sys.exit(3))  # never hang the test
    sys.exit(app.exec())
""")


@pytest.mark.slow
def test_closing_the_main_window_mid_training_exits_the_process_cleanly(tmp_path):
    script = tmp_path / "close_window_mid_run.py"
    script.write_text(CLOSE_WINDOW_MID_RUN)
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=280
    )
    assert "closing at step" in result.stdout and "closed in" in result.stdout
    assert "TERMINATED" not in result.stdout
    assert "QThread: Destroyed" not in result.stderr
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_quit_question_keeps_the_run_unless_told_to_stop_it(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    shown = []

    def answer(box, choice):
        shown.append([b.text() for b in box.buttons()])
        assert box.defaultButton().text() == "Keep training"
        if choice:
            box.button_clicked = next(b for b in box.buttons() if b.text() == choice)
            box.clickedButton = lambda: box.button_clicked

    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, None))
    assert not quit_question.ask_to_stop_training(parent)  # closed without a choice
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Quit and stop the run"))
    assert quit_question.ask_to_stop_training(parent)
    assert sorted(shown[0]) == ["Keep training", "Quit and stop the run"]
