"""No crash, ever: unexpected errors go to a log file in the per-user folder and to a
non-blocking dialog, and the app keeps running.

:func:`install` replaces ``sys.excepthook`` (errors in Qt slots and the GUI thread) and
``threading.excepthook`` (errors in Python threads) with one :class:`ErrorReporter`. Nothing
here writes to ``sys.stdout`` or ``sys.stderr`` unguarded: a windowed or frozen build has
neither (they are ``None``).
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

LOG_NAME = "digitlab.log"
MAX_LOG_BYTES = 1_000_000
"""A log larger than this is moved to ``digitlab.log.1`` before the next entry."""
MAX_DIALOG_DETAIL = 20_000
"""Characters of traceback shown under "Show Details…"."""


_crash_log = None  # the log, kept open for faulthandler once the window records crashes


def record_crashes(to_stderr: bool) -> bool:
    """If the process itself dies (a segmentation fault in Qt or a library, where no Python
    handler runs), write every thread's Python stack: to ``sys.stderr`` for the self-test and
    the screenshots (their callers read it), to the log for the window. False when that
    stream cannot take it (e.g. a test's captured stderr)."""
    import faulthandler

    global _crash_log
    try:
        if to_stderr:
            faulthandler.enable(sys.stderr, all_threads=True)
            return True
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        _crash_log = open(path, "a", encoding="utf-8")  # noqa: SIM115 (open for the process)
        faulthandler.enable(_crash_log, all_threads=True)
        return True
    except (OSError, ValueError, AttributeError):  # no file descriptor behind the stream
        return False


def log_path() -> Path:
    """``digitlab.log`` in the per-user data folder (:func:`digitlab.app.storage.app_data_dir`)."""
    from digitlab.app.storage import app_data_dir

    return app_data_dir() / LOG_NAME


def _write_stream(stream, text: str) -> None:
    """Write to a console stream if there is one (``None`` in windowed builds)."""
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError, AttributeError):  # closed, broken pipe, or not a stream
        pass


class ErrorReporter(QObject):
    """Records unexpected errors: appends them to a log file and shows a non-modal dialog.

    Parameters
    ----------
    log_file : where to append (default :func:`log_path`).
    parent_widget : the dialog's parent (the main window), or None.
    show_dialog : False to only log (tests, headless runs).
    """

    # An unexpected error was recorded: (one-line summary, full traceback text). Emitted in the
    # thread that failed; the dialog slot runs in the GUI thread (queued connection).
    reported = Signal(str, str)

    def __init__(
        self,
        log_file: str | Path | None = None,
        parent_widget: QWidget | None = None,
        show_dialog: bool = True,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.log_file = Path(log_file) if log_file is not None else log_path()
        self.parent_widget = parent_widget
        self.dialog: QMessageBox | None = None
        self.count = 0
        self._lock = threading.Lock()
        if show_dialog:
            self.reported.connect(self._on_reported)

    # ---------------------------------------------------------------- any thread

    def handle(self, exc_type, exc, tb, where: str = "") -> None:
        """Record one exception (the signature of ``sys.excepthook`` plus a place)."""
        try:
            text = "".join(traceback.format_exception(exc_type, exc, tb))
        except Exception:
            text = f"{getattr(exc_type, '__name__', exc_type)}: {exc!r}\n"
        summary = f"{getattr(exc_type, '__name__', 'Error')}: {exc}".splitlines()[0][:300]
        if where:
            summary = f"{summary} (in {where})"
        self.log(summary, text)
        self.reported.emit(summary, text)

    def log(self, summary: str, details: str = "") -> None:
        """Append one entry to the log file (and the console, if there is one)."""
        stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
        entry = f"{stamp} ERROR {summary}\n"
        if details:
            entry += "".join(f"    {line}\n" for line in details.rstrip("\n").splitlines())
        with self._lock:
            self.count += 1
            try:
                self.log_file.parent.mkdir(parents=True, exist_ok=True)
                if self.log_file.exists() and self.log_file.stat().st_size > MAX_LOG_BYTES:
                    self.log_file.replace(self.log_file.with_name(self.log_file.name + ".1"))
                with open(self.log_file, "a", encoding="utf-8", errors="replace") as fh:
                    fh.write(entry)
            except OSError:
                pass  # a read-only or full disk must not turn one error into two
        _write_stream(sys.stderr, entry)

    # ---------------------------------------------------------------- GUI thread

    @Slot(str, str)
    def _on_reported(self, summary: str, details: str) -> None:
        text = (
            f"Something went wrong, but Digit Lab keeps running.\n\n{summary}\n\n"
            f"Details were written to {self.log_file}."
        )
        if self.dialog is None:
            dialog = QMessageBox(
                QMessageBox.Icon.Warning,
                "Digit Lab: unexpected error",
                text,
                QMessageBox.StandardButton.Close,
                self.parent_widget,
            )
            dialog.setModal(False)  # never block: more errors or the user's work go on
            self.dialog = dialog
        else:
            # One dialog for a burst of errors, not a pile of them.
            text += f"\n\n({self.count} errors so far)"
            self.dialog.setText(text)
        self.dialog.setDetailedText(details[-MAX_DIALOG_DETAIL:])
        self.dialog.show()
        self.dialog.raise_()


def install(reporter: ErrorReporter) -> Callable[[], None]:
    """Route ``sys.excepthook`` and ``threading.excepthook`` to ``reporter``.

    Returns a function that puts the previous hooks back.
    """
    previous_sys, previous_threading = sys.excepthook, threading.excepthook

    def sys_hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous_sys(exc_type, exc, tb)
            return
        reporter.handle(exc_type, exc, tb)

    def threading_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return  # a thread that exits on purpose is not an error (as the default hook)
        name = args.thread.name if args.thread is not None else "a thread"
        reporter.handle(args.exc_type, args.exc_value, args.exc_traceback, where=name)

    sys.excepthook = sys_hook
    threading.excepthook = threading_hook

    def uninstall() -> None:
        sys.excepthook = previous_sys
        threading.excepthook = previous_threading

    return uninstall
