"""``digitlab`` with no verb: the window, with errors logged and shown instead of fatal."""

from __future__ import annotations

import os
import sys
import time


def run_gui(process_start: float) -> int:
    """Open the window (``digitlab``); returns the exit code. ``process_start``: the
    ``time.perf_counter()`` of the process's start (``DIGITLAB_REPORT_START`` prints the time
    from it to the window shown)."""
    from digitlab.app import main_window
    from digitlab.app.application import application
    from digitlab.app.error_handling import ErrorReporter, install
    from digitlab.app.storage import remove_stale_temporaries

    app = application()
    try:
        remove_stale_temporaries()  # also makes the data folder: one line when it cannot be
    except OSError as exc:
        print(f"digitlab: the data folder cannot be used: {exc}", file=sys.stderr)
        return 2
    # Before the window exists: an error while building it is logged and shown, not fatal.
    reporter = ErrorReporter(parent=app)
    uninstall = install(reporter)
    try:
        window = main_window.MainWindow()
        reporter.parent_widget = window
        window.live.errored.connect(lambda message: reporter.log(message.splitlines()[0], message))
        app.aboutToQuit.connect(window.live.stop)
        window.show()
        if os.environ.get("DIGITLAB_REPORT_START"):
            seconds = time.perf_counter() - process_start
            print(f"window shown after {seconds:.2f} s", file=sys.stderr)
        return app.exec()
    finally:
        uninstall()
