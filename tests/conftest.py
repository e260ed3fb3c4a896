"""Shared test set-up: Qt offscreen, TensorFlow quiet, no network, and a test data folder."""

import gc
import os
import socket

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest


class _NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Digit Lab never talks to the network: any attempt fails the test."""

    def refuse(*args, **kwargs):
        raise _NetworkBlocked("network access attempted during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session", autouse=True)
def _tensorflow_imported_once_in_the_main_thread():
    """The window imports TensorFlow in a thread of its own, and a test may close the window
    before that import ends; the next test importing Keras in the main thread would then
    import it from two threads at once, which TensorFlow's own start-up does not promise to
    survive. The app never does that (its main thread never imports TensorFlow); the tests
    import it once, first, so every later import is a lookup."""
    import keras  # noqa: F401
    import tensorflow  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def _no_automatic_garbage_collection():
    """As in the app, Python's cycle collector never runs in the middle of a Qt call (see
    :func:`digitlab.app.application.collect_garbage_between_events`, which the tests' own
    QApplication does not go through): automatic collection is off, and
    :func:`_garbage_collected_between_tests` collects where no Qt call is under way."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _garbage_collected_between_tests():
    yield
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [g for g in range(3) if counts[g] > thresholds[g]]
    if due:
        gc.collect(max(due))


class _ModalDialogOpened(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_modal_dialogs(monkeypatch):
    """Offscreen, nobody closes a modal dialog: one opened by a test would wait forever, so it
    fails the test at once instead (a test that means to open one patches it itself)."""
    from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox

    def refuse(*args, **kwargs):
        raise _ModalDialogOpened("a modal dialog was opened during a test")

    for owner, names in (
        (QDialog, ("exec",)),
        (QMessageBox, ("exec", "question", "warning", "critical", "information")),
        (QMenu, ("exec",)),
        (
            QFileDialog,
            (
                "exec",
                "getOpenFileName",
                "getOpenFileNames",
                "getSaveFileName",
                "getExistingDirectory",
            ),
        ),
    ):
        for name in names:
            monkeypatch.setattr(owner, name, refuse)


@pytest.fixture(scope="session", autouse=True)
def _user_data_folder_is_a_test_folder(tmp_path_factory):
    """Nothing a test does reaches the user's real data folder: ``DIGITLAB_DATA_DIR`` points
    at a fresh folder for the session (settings, saved models, the personal samples, the
    Explain tab's cache; subprocesses inherit it), and ``QStandardPaths`` is in test mode."""
    from PySide6.QtCore import QStandardPaths

    from digitlab.app.storage import DATA_DIR_ENV

    previous = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(tmp_path_factory.mktemp("user-data"))
    QStandardPaths.setTestModeEnabled(True)
    yield
    QStandardPaths.setTestModeEnabled(False)
    if previous is None:
        os.environ.pop(DATA_DIR_ENV, None)
    else:
        os.environ[DATA_DIR_ENV] = previous
