"""The user's own handwriting: labelled drawings kept as JSON lines, Qt-free.

One line per sample, human-readable and importable elsewhere (it is also a labelled
``digitlab evaluate --data FILE.jsonl`` / ``classify --strokes`` line)::

    {"label": 4, "strokes": [[[x, y], ...], ...], "canvas": [w, h],
     "widths": [17.0, ...], "erase": [false, ...],
     "input": [[0, 0, ...], ...], "added": "2026-11-26T01:40:00+00:00"}

``"label": null`` marks a drawing that is not a digit (a negative sample). ``strokes`` are
canvas pixels (x right, y down); ``widths`` (brush diameters, px) and
``erase`` (eraser strokes) are optional. ``input`` is the 28x28 uint8 image the models saw
when the sample was added, kept for display and export only: the models are always fed
``strokes_to_input(strokes)`` again (:meth:`Sample.model_input`), so a future change of the
preprocessing applies to old samples too. Files are written atomically; a bad line is
reported with its number and the reason, and the good lines are still read. The store that
keeps them in the per-user data folder is :mod:`digitlab.model.data.personal_store`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from digitlab.model import limits
from digitlab.model.nets.model_files import atomic_write
from digitlab.model.preprocess.frame import PreprocessError
from digitlab.model.preprocess.strokes import Stroke, as_strokes, strokes_to_input

FILE_NAME = "my_handwriting.jsonl"
"""The personal dataset's file in the per-user data folder."""
NUM_CLASSES = 10
NOT_A_DIGIT = -1
"""The label of a drawing the user says is not a digit (``"label": null`` on its line): a
negative sample, which fine-tuning teaches to answer with no digit in particular."""
MAX_LINE_CHARS = limits.MAX_LINE_CHARS
"""Longer lines are refused unread (a digit's line is a few kB)."""
MAX_FILE_BYTES = 200_000_000
"""Bigger files are refused (100,000 samples fit comfortably)."""


class PersonalDataError(ValueError):
    """A sample, a line or a file that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Sample:
    """One labelled drawing.

    label : the digit, 0..9, or :data:`NOT_A_DIGIT` (-1).
    strokes : validated strokes, canvas pixels.
    canvas : ``(width, height)`` of the canvas they were drawn on, px.
    image : uint8 ``(28, 28)``, 0..255, white on black: what the models saw when it was added.
    added : ISO 8601 time it was added (UTC).
    """

    label: int
    strokes: tuple[Stroke, ...]
    canvas: tuple[float, float]
    image: np.ndarray
    added: str

    @property
    def key(self) -> str:
        """Identifies the drawing (not its label): equal drawings are duplicates."""
        return _drawing_key(self.strokes, self.canvas)

    def with_label(self, label: int) -> Sample:
        return replace(self, label=check_label(label))

    def model_input(self) -> np.ndarray:
        """float32 ``(28, 28)`` in 0..1: the strokes through today's preprocessing (cached)."""
        key = self.key
        cached = _INPUTS.get(key)
        if cached is None:
            cached = strokes_to_input(self.strokes, self.canvas).image
            if len(_INPUTS) > 50_000:
                _INPUTS.clear()
            _INPUTS[key] = cached
        return cached


_INPUTS: dict[str, np.ndarray] = {}
"""Model inputs by drawing key (preprocessing a drawing takes a millisecond or two)."""


def check_label(label) -> int:
    """``label`` as an int 0..9, or :data:`NOT_A_DIGIT` for ``None`` or -1;
    :class:`PersonalDataError` for anything else (bools too)."""
    if label is None or (not isinstance(label, bool) and label == NOT_A_DIGIT):
        return NOT_A_DIGIT
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
        raise PersonalDataError(f"label must be a whole number 0-9, not {label!r}")
    if not 0 <= int(label) < NUM_CLASSES:
        raise PersonalDataError(f"label {int(label)} is not a digit 0-9")
    return int(label)


def _drawing_key(strokes: Sequence[Stroke], canvas: Sequence[float]) -> str:
    digest = hashlib.sha1()
    digest.update(np.round(np.asarray(canvas, np.float64), 1).tobytes())
    for s in strokes:
        digest.update(b"E" if s.erase else b"S")
        digest.update(np.round(np.asarray(s.points, np.float64), 1).tobytes())
    return digest.hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def sample_from_drawing(
    label: int, strokes: Iterable, canvas: Sequence[float], added: str | None = None
) -> Sample:
    """A new sample from a drawing (:class:`Stroke` s or ``[[[x, y], ...], ...]``).

    Raises
    ------
    PersonalDataError
        For a label outside 0-9, malformed strokes or canvas, or a drawing with no ink.
    """
    label = check_label(label)
    try:
        # 0.1 px is finer than any pointer; rounding here makes a saved and re-read sample
        # the very same drawing (same key, same input).
        clean = tuple(Stroke(np.round(s.points, 1), s.width, s.erase) for s in as_strokes(strokes))
        pre = strokes_to_input(clean, canvas)
    except PreprocessError as exc:
        raise PersonalDataError(str(exc)) from exc
    if pre.empty:
        raise PersonalDataError("nothing is drawn")
    image = np.round(pre.image * 255).astype(np.uint8)
    w, h = (float(v) for v in canvas)
    return Sample(label, clean, (w, h), image, added or _now())


# --------------------------------------------------------------------------- records


def to_record(sample: Sample) -> dict:
    """The JSON object of one line (see the module docstring)."""
    record = {
        "label": None if sample.label == NOT_A_DIGIT else sample.label,
        "strokes": [s.points.tolist() for s in sample.strokes],
        "canvas": [sample.canvas[0], sample.canvas[1]],
    }
    if any(s.width is not None for s in sample.strokes):
        record["widths"] = [
            None if s.width is None else round(float(s.width), 2) for s in sample.strokes
        ]
    if any(s.erase for s in sample.strokes):
        record["erase"] = [bool(s.erase) for s in sample.strokes]
    record["input"] = sample.image.tolist()
    record["added"] = sample.added
    return record


def _optional_list(record: dict, name: str, n: int) -> list:
    value = record.get(name)
    if value is None:
        return [None] * n
    if not isinstance(value, list) or len(value) != n:
        raise PersonalDataError(f'"{name}" must be a list with one entry per stroke ({n})')
    return value


def _image_from(value) -> np.ndarray | None:
    if value is None:
        return None
    try:
        image = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise PersonalDataError('"input" must be 28 rows of 28 numbers 0-255') from exc
    if (
        image.shape != (28, 28)
        or image.dtype.kind not in "iuf"
        or not np.isfinite(image).all()
        or image.min() < 0
        or image.max() > 255
    ):
        raise PersonalDataError('"input" must be 28 rows of 28 numbers 0-255')
    return np.round(image).astype(np.uint8)


def from_record(record) -> Sample:
    """The sample of one parsed line; ``input`` is recomputed when it is missing.

    Raises
    ------
    PersonalDataError
        Naming the first thing wrong with the record.
    """
    if not isinstance(record, dict):
        raise PersonalDataError("not a JSON object")
    for name in ("label", "strokes", "canvas"):
        if name not in record:
            raise PersonalDataError(f'"{name}" is missing')
    label = check_label(record["label"])
    raw = record["strokes"]
    if not isinstance(raw, list):
        raise PersonalDataError('"strokes" must be a list of strokes, each a list of [x, y] points')
    widths = _optional_list(record, "widths", len(raw))
    erase = _optional_list(record, "erase", len(raw))
    strokes = []
    for i, (points, width, erased) in enumerate(zip(raw, widths, erase, strict=True)):
        if width is not None and (isinstance(width, bool) or not isinstance(width, (int, float))):
            raise PersonalDataError(f"stroke {i} has a width that is not a number")
        if erased is not None and not isinstance(erased, bool):
            raise PersonalDataError(f'"erase" of stroke {i} must be true or false')
        try:
            pts = np.asarray(points, np.float64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise PersonalDataError(f"stroke {i} is not a list of [x, y] numbers") from exc
        strokes.append(Stroke(pts, None if width is None else float(width), bool(erased)))
    added = record.get("added")
    if added is not None and not isinstance(added, str):
        raise PersonalDataError('"added" must be a date and time as text')
    fresh = sample_from_drawing(label, strokes, record["canvas"], added)
    image = _image_from(record.get("input"))
    return fresh if image is None else replace(fresh, image=image)


def parse_lines(lines: Iterable[str]) -> tuple[list[Sample], list[str]]:
    """Samples of JSON lines, and one message per bad line (``"line 3: ..."``); blank lines
    are skipped."""
    samples, errors = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            errors.append(f"line {number}: longer than {MAX_LINE_CHARS:,} characters")
            continue
        try:
            samples.append(from_record(json.loads(line)))
        except (ValueError, RecursionError, ArithmeticError) as exc:  # JSONDecodeError too
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if isinstance(exc, json.JSONDecodeError):
                reason = f"not JSON ({exc.msg})"
            errors.append(f"line {number}: {reason}")
    return samples, errors


def read_samples(path: str | Path) -> tuple[list[Sample], list[str]]:
    """The samples of a JSONL file and the bad lines' messages; a missing file is empty.

    Each line is decoded on its own, so a line that is not UTF-8 is one bad line (the rest
    are read); a UTF-8 byte-order mark at the start is ignored.

    Raises
    ------
    PersonalDataError
        When the file cannot be read at all (a folder, a FIFO or device, too big, no line
        of UTF-8 text).
    """
    path = Path(path)
    if not path.exists():
        return [], []
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise PersonalDataError(f"{path}: {exc.strerror or exc}") from exc
    lines, undecodable = [], []
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append("")
            undecodable.append(number)
    if undecodable and not any(line.strip() for line in lines):
        raise PersonalDataError(f"{path}: not a text file (UTF-8)")
    samples, errors = parse_lines(lines)
    errors += [f"line {n}: not UTF-8 text" for n in undecodable]
    errors.sort(key=lambda e: int(e.split(":")[0].split()[1]))
    return samples, errors


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises
    ------
    PersonalDataError
        For a folder, a FIFO or device (which could block or never end), or a bigger file;
        checked from the file's size before reading, and the read itself is capped.
    OSError
        When it cannot be opened or read.
    """
    path = Path(path)
    st = path.stat()
    if stat.S_ISDIR(st.st_mode):
        raise PersonalDataError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise PersonalDataError(f"{path}: not a regular file (a pipe or device)")
    if st.st_size > limit:
        raise PersonalDataError(f"{path}: larger than {limit / 1e6:,.0f} MB")
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise PersonalDataError(f"{path}: larger than {limit / 1e6:,.0f} MB")
    return data


def write_samples(path: str | Path, samples: Sequence[Sample]) -> Path:
    """Write every sample as one line, atomically (the old file survives any failure).

    Raises
    ------
    PersonalDataError
        When the file would pass :data:`MAX_FILE_BYTES` (it could not be read back).
    """
    text = "".join(json.dumps(to_record(s), separators=(", ", ": ")) + "\n" for s in samples)
    if len(text) > MAX_FILE_BYTES:
        raise PersonalDataError(
            f"{path}: {len(samples):,} samples would pass the {MAX_FILE_BYTES / 1e6:,.0f} MB "
            "a file may hold; export some and delete them first"
        )

    def verify(tmp: Path) -> None:
        if len(tmp.read_text("utf-8").splitlines()) != len(samples):
            raise PersonalDataError(f"{path}: the written file did not read back")

    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), verify)


def merge(existing: Sequence[Sample], incoming: Iterable[Sample]) -> tuple[list[Sample], int, int]:
    """``existing`` plus the incoming samples whose drawing is new.

    Returns ``(merged, added, duplicates)``; a drawing already present keeps its label.
    """
    merged = list(existing)
    seen = {s.key for s in merged}
    added = duplicates = 0
    for sample in incoming:
        if sample.key in seen:
            duplicates += 1
            continue
        seen.add(sample.key)
        merged.append(sample)
        added += 1
    return merged, added, duplicates


def model_inputs(samples: Sequence[Sample]) -> np.ndarray:
    """float32 ``(n, 28, 28)`` in 0..1 of the samples, through today's preprocessing."""
    if not samples:
        return np.zeros((0, 28, 28), np.float32)
    return np.stack([s.model_input() for s in samples]).astype(np.float32)


def labels_of(samples: Sequence[Sample]) -> np.ndarray:
    """int64 ``(n,)`` labels: digits 0..9, :data:`NOT_A_DIGIT` (-1) for negative samples."""
    return np.asarray([s.label for s in samples], np.int64)
