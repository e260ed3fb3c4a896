"""A windowed build has no console: sys.stdout and sys.stderr are None. Nothing may fail
because of it, and errors still reach the log file."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import sys, pathlib
    sys.stdout = sys.stderr = None
    log = pathlib.Path(sys.argv[1])
    import numpy as np
    from digitlab.app.error_handling import ErrorReporter, install

    reporter = ErrorReporter(log_file=log, show_dialog=False)
    uninstall = install(reporter)
    sys.excepthook(RuntimeError, RuntimeError("no console here"), None)
    uninstall()

    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly
    import_tensorflow_quietly()
    import keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = np.zeros((8, 4), np.float32), np.zeros(8, np.int64)
    model.fit(x, y, epochs=1, verbose=1)  # Keras' progress bar
    model.predict(x, verbose=1)
    model.summary()
    print("print is harmless too")

    from digitlab.app.cli.main import main
    code = main(["classify", "--strokes", str(log.with_name("none.jsonl"))])
    log.with_name("done").write_text(f"ok {code}")
""")


@pytest.mark.slow
def test_an_app_without_console_streams_logs_errors_and_survives_keras_output(tmp_path):
    script = tmp_path / "no_console.py"
    script.write_text(SCRIPT)
    (tmp_path / "none.jsonl").write_text("")
    log = tmp_path / "digitlab.log"
    proc = subprocess.run(
        [sys.executable, str(script), str(log)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "done").read_text() == "ok 0"
    assert "RuntimeError: no console here" in log.read_text()
