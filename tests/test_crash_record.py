"""A crash no Python handler sees (a segmentation fault in Qt or a library) still leaves
every thread's stack: on stderr for the self-test, in the log for the window."""

from __future__ import annotations

import os
import subprocess
import sys

CRASH = (
    "from digitlab.app.error_handling import record_crashes\n"
    "import ctypes, sys\n"
    "print(record_crashes(to_stderr=sys.argv[1] == 'stderr'), flush=True)\n"
    "ctypes.string_at(0)\n"  # reads address 0: the process dies of SIGSEGV
)


def _crash(where: str, data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "DIGITLAB_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-c", CRASH, where], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_crash_in_the_self_test_prints_the_stack_on_stderr(tmp_path):
    done = _crash("stderr", tmp_path)
    assert done.returncode != 0 and done.stdout.strip() == "True"
    assert "Fatal Python error" in done.stderr and "string_at" in done.stderr


def test_a_crash_in_the_window_writes_the_stack_to_the_log(tmp_path):
    done = _crash("log", tmp_path)
    assert done.returncode != 0 and done.stdout.strip() == "True"
    log = (tmp_path / "digitlab.log").read_text(encoding="utf-8")
    assert "Fatal Python error" in log and "string_at" in log
