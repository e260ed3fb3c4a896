"""One thread for NumPy's linear algebra while the live view answers beside a training run.

The light path (:mod:`digitlab.model.nets.light_inference`) multiplies small matrices: one
28x28 drawing's convolutions are a few hundred rows. OpenBLAS wakes all its threads for each
product, and while TensorFlow trains on the same two cores those threads fight TensorFlow's:
with them, a run in the Train tab kept 0.6 of a plain ``model.fit``'s throughput while the
live view answered every 100 ms; with one BLAS thread, about 0.95
(``benchmarks/training_responsiveness.py``). The limit is process-wide (OpenBLAS has one
thread pool), so only the window's process sets it: its other NumPy work (preprocessing, the
augmentation) is elementwise or small products as well. TensorFlow's own thread pools are
not BLAS and are left alone. ``threadpoolctl`` finds the BLAS library NumPy loaded.
"""

from __future__ import annotations

from threadpoolctl import threadpool_info, threadpool_limits


def use_one_blas_thread() -> int:
    """Limit every BLAS library loaded in this process to one thread; returns how many
    libraries were limited (0 when NumPy's BLAS is not loaded yet or there is none)."""
    import numpy  # noqa: F401 - loads NumPy's BLAS, which threadpoolctl then finds

    threadpool_limits(limits=1, user_api="blas")  # applies at once, until changed again
    return sum(1 for lib in threadpool_info() if lib.get("user_api") == "blas")
