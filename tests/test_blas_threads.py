"""The window's process runs NumPy's linear algebra on one thread, so the live view's small
products never fight a training run for the two cores (measured in
benchmarks/training_responsiveness.py)."""

import subprocess
import sys

CODE = """
from threadpoolctl import threadpool_info
from digitlab.model.nets.blas_threads import use_one_blas_thread
limited = use_one_blas_thread()
print(limited, sorted({lib["num_threads"] for lib in threadpool_info()
                       if lib["user_api"] == "blas"}))
"""


def test_the_live_views_process_uses_one_blas_thread():
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split(maxsplit=1)
    assert int(out[0]) >= 1 and out[1].strip() == "[1]"
