"""``--strokes`` lines preprocessed by worker processes, in order, for thousands of drawings.

Preprocessing one drawing (:func:`digitlab.model.preprocess.strokes.strokes_to_input`) is
about 0.7 ms of Python and small NumPy operations that hold the interpreter lock, so threads
would take turns; forked processes run side by side. On the 3,721 pen-drawn dev digits that
is about 2.7 s of the 3.5 s ``digitlab classify --strokes`` took on one core (cProfile).
Workers are used only where forking is cheap and safe: on Linux (macOS and Windows would
start a new interpreter for each worker), with more than one core, for more than
:data:`SEQUENTIAL_LINES` lines, and while TensorFlow is not imported (it is not safe to
fork). Otherwise, and for short inputs, the lines are preprocessed here.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from digitlab.model.preprocess.frame import PreprocessError

CHUNK = 64
"""Lines sent to a worker at once (about 45 ms of work: the hand-over costs far less)."""
SEQUENTIAL_LINES = 2 * CHUNK
"""Inputs with no more lines than this are preprocessed in this process."""
MAX_WORKERS = 8

Outcome = object
"""What ``preprocess(record)`` returned, or the :class:`PreprocessError` it raised."""


def preprocessed_lines(
    lines: Iterable[tuple[int, object]],
    preprocess: Callable[[object], object],
    workers: int | None = None,
) -> Iterator[tuple[int, Outcome]]:
    """``(line number, preprocess(record) or its PreprocessError)`` for each ``(line number,
    record)`` of ``lines``, in their order.

    ``preprocess`` must be a module-level function (it is sent to the workers by name);
    ``workers`` defaults to the cores this process may use (see the module docstring: one
    means no worker processes). At most ``2 * workers`` chunks are read ahead, so memory
    stays bounded however long the input. Any other exception from ``preprocess`` is raised
    here, as it would be without workers.
    """
    lines = iter(lines)
    head = list(itertools.islice(lines, SEQUENTIAL_LINES + 1))
    count = _usable_workers() if workers is None else workers
    if count < 2 or len(head) <= SEQUENTIAL_LINES:
        for chunk in _chunks(itertools.chain(head, lines)):
            yield from preprocess_chunk(preprocess, chunk)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        waiting: deque[Future] = deque()
        try:
            for chunk in _chunks(itertools.chain(head, lines)):
                waiting.append(pool.submit(preprocess_chunk, preprocess, chunk))
                if len(waiting) >= 2 * count:
                    yield from waiting.popleft().result()
            while waiting:
                yield from waiting.popleft().result()
        finally:
            for future in waiting:
                future.cancel()


def preprocess_chunk(
    preprocess: Callable[[object], object], chunk: list[tuple[int, object]]
) -> list[tuple[int, Outcome]]:
    """Run ``preprocess`` on each record of ``chunk`` (in a worker or here)."""
    out: list[tuple[int, Outcome]] = []
    for n, record in chunk:
        try:
            out.append((n, preprocess(record)))
        except PreprocessError as exc:
            out.append((n, exc))
    return out


def _chunks(lines: Iterator[tuple[int, object]]) -> Iterator[list[tuple[int, object]]]:
    while chunk := list(itertools.islice(lines, CHUNK)):
        yield chunk


def _usable_workers() -> int:
    """How many worker processes to use here: 1 (none) where forking is not cheap and safe."""
    if not sys.platform.startswith("linux") or "tensorflow" in sys.modules:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS)
