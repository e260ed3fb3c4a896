"""Import TensorFlow without its C++ start-up chatter on the console.

TensorFlow 2.21 logs through absl before ``absl::InitializeLog()`` runs, so on processors
where oneDNN's custom operations switch on it prints two lines to file descriptor 2 that
``TF_CPP_MIN_LOG_LEVEL`` does not silence. The import is therefore made with descriptor 2
pointed at a temporary file; if the import fails, what it printed is replayed so the reason
is not lost.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile


def import_tensorflow_quietly() -> None:
    """Import ``tensorflow`` and ``keras`` once, keeping start-up log lines off stderr.

    Without console streams (a windowed build) Keras' progress output, which writes to
    ``sys.stdout`` directly, is switched to logging.

    The cyclic garbage collector is paused during the import: the import creates a few
    million objects and no garbage worth collecting, and the collections it would trigger
    cost about a fifth of its time (0.3-0.5 s of CPU here). Afterwards everything it created
    is moved to the permanent generation (``gc.freeze``), so later full collections, e.g.
    while drawing, do not scan TensorFlow's and Keras' module objects again.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        _import()
    finally:
        if collecting:
            gc.enable()
        gc.freeze()
        if (sys.stdout is None or sys.stderr is None) and "keras" in sys.modules:
            sys.modules["keras"].config.disable_interactive_logging()


def _import() -> None:
    with _stderr_held_back():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401


@contextlib.contextmanager
def _stderr_held_back():
    """Point descriptor 2 at a temporary file for the block; replay it if the block raises."""
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 at all (a windowed build): nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                sink.seek(0)
                os.write(2, sink.read())
