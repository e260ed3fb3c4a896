"""The training tab: runs leave the live models alone until asked, save/load, close mid-run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from gui_support import TINY_RUN as TINY
from gui_support import open_training_tab

from digitlab.app.training.run_control import format_duration
from digitlab.app.training.tab import TrainingTab

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tab(qtbot):
    yield from open_training_tab(qtbot)


def _train(qtbot, tab, **kwargs):
    with qtbot.waitSignal(tab.run_finished, timeout=120_000) as blocker:
        tab.start_training(validate=False, **kwargs)
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=30_000)
    return blocker.args[0]


@pytest.mark.slow
def test_a_run_shows_curves_and_evaluation_and_leaves_the_live_models_alone(qtbot, tab):
    outcome = _train(qtbot, tab)
    assert outcome.completed and outcome.evaluation is not None
    assert tab.live_models.calls == []
    assert tab.live_models.paced == [True, False]  # drawings answered gently while it ran
    assert tab.curves.batch_count == 4 and tab.curves.epoch_count == 1
    assert tab.current_entry().model is outcome.model
    assert tab.evaluation.report is outcome.evaluation
    assert "test accuracy" in tab.last_message[0] and tab.last_message[1] == "ok"
    assert tab.train_button.isEnabled() and not tab.cancel_button.isEnabled()


@pytest.mark.slow
def test_use_this_model_hands_a_copy_to_the_live_view(qtbot, tab):
    outcome = _train(qtbot, tab, evaluate_after=False)
    assert tab.use_current()
    ((slot, model),) = tab.live_models.calls
    assert slot == "dense" and model is not outcome.model
    probe = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(model(probe), outcome.model(probe), atol=1e-6)


@pytest.mark.slow
def test_cancel_ends_the_run_within_a_batch_and_keeps_the_live_models(qtbot, tab):
    tab.apply_settings({**TINY, "train_size": 2048, "batch_size": 32, "epochs": 2})
    worker = tab.start_training(validate=False, throttle_s=0.0)
    steps = []
    worker.progress.connect(lambda info: steps.append(info["step"]))
    qtbot.waitUntil(lambda: bool(steps), timeout=60_000)
    with qtbot.waitSignal(tab.run_finished, timeout=60_000) as blocker:
        tab.cancel_training()
        at_cancel = worker.steps_done
    assert blocker.args[0].stopped
    assert max(steps) <= at_cancel + 1  # within one batch of the click
    assert tab.live_models.calls == []
    assert "cancelled" in tab.last_message[0]


@pytest.mark.slow
def test_a_nan_loss_stops_the_run_with_a_message_saying_why(qtbot, tab):
    tab.apply_settings({**TINY, "learning_rate": 1e9, "train_size": 1024, "batch_size": 32})
    outcome = _train(qtbot, tab)
    assert outcome.nan
    text, level = tab.last_message
    assert level == "error" and "NaN" in text and "learning rate" in text
    assert tab.live_models.calls == []
    assert tab.model_choice.count() == 2  # only the bundled models: nothing broken offered


def test_an_exception_in_the_worker_reaches_the_tab(qtbot, tab, monkeypatch):
    import keras

    def broken_fit(self, *args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr(keras.Model, "fit", broken_fit)
    with qtbot.waitSignal(tab.run_failed, timeout=60_000):
        tab.start_training(validate=False)
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=30_000)
    text, level = tab.last_message
    assert level == "error" and "MemoryError: simulated" in text
    assert tab.train_button.isEnabled()


@pytest.mark.slow
def test_save_and_load_round_trip_gives_the_same_predictions(qtbot, tab, tmp_path):
    outcome = _train(qtbot, tab, evaluate_after=False)
    path = tmp_path / "mine"
    assert tab.save_current(path)
    saved = tmp_path / "mine.keras"
    assert saved.exists()
    assert tab.load_from(saved)
    loaded = tab.current_entry()
    assert loaded.label == "Loaded mine.keras" and loaded.slot == "dense"
    probe = np.random.default_rng(1).random((5, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(loaded.model(probe), outcome.model(probe), atol=1e-6)


def test_load_refuses_a_bad_file_and_keeps_the_state(qtbot, tab, tmp_path):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"PK\x03\x04 not really")
    count = tab.model_choice.count()
    current = tab.model_choice.currentIndex()
    assert not tab.load_from(bad)
    assert not tab.load_from(tmp_path / "model.h5")
    text, level = tab.last_message
    assert level == "error" and "only .keras" in text
    assert tab.model_choice.count() == count and tab.model_choice.currentIndex() == current


def test_restore_bundled_models_puts_both_shipped_files_live(tab):
    from digitlab.model.data.bundled import bundled_model_path

    assert tab.restore_bundled()
    assert tab.live_models.calls == [
        ("cnn", bundled_model_path("cnn")),
        ("dense", bundled_model_path("dense")),
    ]


def test_on_demand_evaluation_fills_the_confusion_matrix_and_gallery(qtbot, tab):
    tab.model_choice.setCurrentIndex(tab.model_choice.findData("bundled:dense"))
    with qtbot.waitSignal(tab.evaluation_shown, timeout=60_000):
        tab.evaluate_current()
    report = tab.evaluation.report
    assert tab.evaluation.table.item(3, 5).text() in (str(report.confusion[3, 5]), "·")
    tab.evaluation.show_cell(4, 9)
    assert len(tab.evaluation.gallery_indices()) == min(300, report.confusion[4, 9])
    assert all(
        report.labels[i] == 4 and report.predictions[i] == 9
        for i in tab.evaluation.gallery_indices()
    )


def test_the_tab_works_without_live_models(qtbot):
    view = TrainingTab(None)
    qtbot.addWidget(view)
    assert not view.use_button.isEnabled()
    assert not view.use_current()
    assert view.restore_bundled()
    assert view.shutdown()


def test_settings_survive_in_the_user_data_folder(qtbot, tab):
    """Changed by hand and the tab closed, no run started: the next tab shows them."""
    tab.show()
    qtbot.waitExposed(tab)
    tab.epochs.setValue(7)
    tab.seed.setValue(42)
    tab.close()  # the window closing hides the tab
    again = TrainingTab(None)
    qtbot.addWidget(again)
    assert again.epochs.value() == 7 and again.seed.value() == 42


@pytest.mark.slow
def test_a_changed_set_up_is_saved_by_itself_shortly_after(qtbot, tab):
    """Written without closing anything (a crash later keeps it)."""
    from digitlab.app import storage

    tab.epochs.setValue(9)
    tab.learning_rate.setText("0.005")
    qtbot.waitUntil(lambda: storage.load_settings().get("epochs") == 9, timeout=10_000)
    again = TrainingTab(None)
    qtbot.addWidget(again)
    assert again.epochs.value() == 9 and again.learning_rate.text() == "0.005"


def test_durations_read_as_clock_times():
    assert format_duration(75.2) == "1:15"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == "–"


CLOSE_MID_RUN = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    from PySide6.QtCore import QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication(sys.argv)
    QStandardPaths.setTestModeEnabled(True)
    from digitlab.app.training.tab import TrainingTab

    class Window(QMainWindow):
        def __init__(self):
            super().__init__()
            self.tab = TrainingTab(None)
            self.setCentralWidget(self.tab)

        def closeEvent(self, event):
            self.tab.shutdown()
            super().closeEvent(event)

    window = Window()
    window.resize(1280, 800)
    window.show()
    window.tab.apply_settings({"architecture": "cnn", "epochs": 5, "train_size": None,
                               "augment": False})
    window.tab.start_training()

    def close_once_training():  # polled in the UI thread, as a user's click would be
        info = window.tab.last_progress
        if info and info["step"] >= 3 and window.isVisible():
            print("closing at step", info["step"], flush=True)
            window.close()

    timer = QTimer()
    timer.timeout.connect(close_once_training)
    timer.start(20)
    QTimer.singleShot(240_000, lambda: sys.exit(3))  # never hang the test
    sys.exit(app.exec())
""")


@pytest.mark.slow
def test_closing_the_window_mid_training_exits_cleanly(tmp_path):
    script = tmp_path / "close_mid_run.py"
    script.write_text(CLOSE_MID_RUN)
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=280
    )
    assert "closing at step" in result.stdout
    assert "QThread: Destroyed" not in result.stderr
    assert result.returncode == 0, result.stderr[-2000:]
