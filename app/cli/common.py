"""What the command-line verbs share: exit codes, the one-line usage error, the models to ask,
and reading ``--strokes`` JSON lines.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import numpy as np

from digitlab.model import limits
from digitlab.model.preprocess.frame import PreprocessError
from digitlab.model.preprocess.strokes import strokes_to_input

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class UsageError(ValueError):
    """A bad argument or file: printed as one line, exit code 2."""


def quiet_tensorflow() -> None:
    """Import TensorFlow now, its C++ start-up chatter kept off the console (nothing to do on
    another Keras backend, e.g. JAX on a GPU machine)."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

    import_tensorflow_quietly()


def inference_core(model_arg: str | None, light: bool = False):
    """The models a verb asks: both bundled (None or ``"both"``), one of them (``"cnn"``,
    ``"dense"``), or a ``.keras`` file of the 10 digit classes.

    ``light``: answer through the NumPy path
    (:class:`digitlab.model.nets.light_inference.LightCore`, no TensorFlow import) when it can
    read the models; TensorFlow's :class:`~digitlab.model.nets.inference.InferenceCore`
    otherwise (a layer it does not implement, or a file it refuses: then Keras' own loader
    gives the reason).
    """
    if light:
        core = _light_core(model_arg)
        if core is not None:
            return core
        quiet_tensorflow()
    from digitlab.model.nets.inference import InferenceCore

    if model_arg in (None, "both"):
        return InferenceCore()
    if model_arg in ("cnn", "dense"):
        from digitlab.model.data.bundled import bundled_model_path

        return InferenceCore({model_arg: bundled_model_path(model_arg)})
    from digitlab.model.nets.model_files import load_model

    # Checked here for the 10 digit classes: the core alone accepts any number of classes.
    return InferenceCore({Path(model_arg).stem: load_model(model_arg, num_classes=10)})


def _light_core(model_arg: str | None):
    """The NumPy core of :func:`inference_core`, or None when it cannot read the models."""
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.light_inference import LightCore, NotLightError, read_light_model
    from digitlab.model.nets.model_files import ModelFileError

    try:
        if model_arg in (None, "both"):
            return LightCore()
        if model_arg in ("cnn", "dense"):
            return LightCore({model_arg: bundled_model_path(model_arg)})
        return LightCore({Path(model_arg).stem: read_light_model(model_arg, num_classes=10)})
    except (NotLightError, ModelFileError):
        return None


def known_rules(model_arg: str | None, names, key: str | None = None) -> dict:
    """Each model's "not a digit" rule (:class:`~digitlab.model.nets.known.KnownRule`: threshold
    and temperature) for the models a verb asks: the bundled models' from ``metrics.json``; a
    ``.keras`` file's from the ``metrics.json`` beside it, else ``KnownRule()`` (the default
    threshold on the top probability). ``key``: whose threshold
    (:data:`~digitlab.model.nets.known.KNOWN_KEY` when None, ``NUMBER_KEY`` for the pieces of a
    number)."""
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.known import KNOWN_KEY, KnownRule, stored_rule

    key = key or KNOWN_KEY
    if model_arg in (None, "both", "cnn", "dense"):
        return {
            name: stored_rule(bundled_model_path(name), key)
            if name in ("cnn", "dense")
            else KnownRule()
            for name in names
        }
    return {name: stored_rule(model_arg, key) for name in names}


def stroke_lines(path: str, stdin: TextIO) -> Iterator[tuple[int, object]]:
    """(line number, parsed JSON or the exception) for each non-blank line of ``path``
    (``-``: ``stdin``), read a bounded line at a time.

    A line longer than :data:`~digitlab.model.limits.MAX_LINE_CHARS` bytes, or not UTF-8,
    is one error (the next lines are still read); a UTF-8 byte-order mark is ignored.

    Raises
    ------
    UsageError
        When the file cannot be opened, is not a regular file (a FIFO or device such as
        ``/dev/zero`` could never end), is larger than
        :data:`~digitlab.model.limits.MAX_STROKES_FILE_BYTES`, or holds no line of UTF-8 text.
    """
    if path == "-":
        stream = getattr(stdin, "buffer", None)
        if stream is None:  # a text stream (tests): its lines, bounded as well
            stream = io.BytesIO(stdin.read(limits.MAX_STROKES_FILE_BYTES).encode("utf-8"))
        close = False
    else:
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                raise UsageError(f"{path}: not a regular file (a folder, pipe or device)")
            if st.st_size > limits.MAX_STROKES_FILE_BYTES:
                raise UsageError(f"{path}: larger than {limits.MAX_STROKES_FILE_BYTES:,} bytes")
            stream = open(path, "rb")  # noqa: SIM115 (closed in the finally below)
        except OSError as exc:
            raise UsageError(f"{path}: {exc.strerror or exc}") from exc
        close = True
    text_lines = undecodable = 0
    try:
        for n, raw in _bounded_lines(stream):
            if raw is None:
                yield n, PreprocessError(f"longer than {limits.MAX_LINE_CHARS:,} characters")
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                undecodable += 1
                yield n, PreprocessError("not UTF-8 text")
                continue
            text_lines += 1
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                yield n, PreprocessError(f"not JSON ({exc})")
    finally:
        if close:
            stream.close()
    if undecodable and not text_lines:
        raise UsageError(f"{path}: not a UTF-8 text file")


def _bounded_lines(stream) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes or None for a line over the limit) of a binary stream; a long
    line is skipped a chunk at a time, never held, and reading stops after
    :data:`~digitlab.model.limits.MAX_STROKES_FILE_BYTES` in all."""
    limit = limits.MAX_LINE_CHARS
    total = 0
    n = 0
    while total <= limits.MAX_STROKES_FILE_BYTES:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        n += 1
        total += len(raw)
        if n == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n") and total <= limits.MAX_STROKES_FILE_BYTES:
                raw = stream.readline(1 << 20)
                total += len(raw)
            yield n, None
            continue
        yield n, raw


def stroke_record(record) -> tuple[object, object]:
    """``(strokes, canvas)`` of a ``--strokes`` line as :func:`stroke_lines` gives it (the
    canvas defaults to 280x280); the line's own exception is raised again.

    Raises
    ------
    PreprocessError
        When the line is not an object with ``"strokes"``.
    """
    if isinstance(record, Exception):
        raise record
    if not isinstance(record, dict) or "strokes" not in record:
        raise PreprocessError('a line must be an object with "strokes" (and "canvas")')
    return record["strokes"], record.get("canvas", [280, 280])


def preprocess_stroke_record(record) -> np.ndarray | None:
    """A ``--strokes`` JSON object -> ``(28, 28)`` input, or None when nothing is drawn."""
    result = strokes_to_input(*stroke_record(record))
    return None if result.empty else result.image


class InputBlocks:
    """Model inputs gathered one at a time, kept in blocks of :data:`BLOCK` images.

    Each drawing's preprocessing allocates and frees rasters of tens of kB; keeping every
    small ``(28, 28)`` result as its own array between them fragments the heap, and the
    allocator then returns and re-requests memory from the system on every drawing (about
    half the time of ``classify --strokes`` on 3,721 drawings). Copied into a few large
    blocks, the results stay out of the way.
    """

    BLOCK = 1024

    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []
        self.count = 0

    def add(self, image: np.ndarray) -> int:
        """Keep a float32 ``(28, 28)`` input; returns its index (0, 1, ...)."""
        if self.count == len(self._blocks) * self.BLOCK:
            self._blocks.append(np.empty((self.BLOCK, 28, 28), np.float32))
        self._blocks[-1][self.count % self.BLOCK] = image
        self.count += 1
        return self.count - 1

    def array(self) -> np.ndarray:
        """float32 ``(count, 28, 28)``: every input kept, in order."""
        if not self._blocks:
            return np.zeros((0, 28, 28), np.float32)
        return np.concatenate(self._blocks)[: self.count]
