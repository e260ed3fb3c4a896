"""``digitlab train``'s arguments checked before any work: every bad value one line, and the
output files writable, so nothing fails after a long run. Also reads the metrics file a run
updates, bounded."""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
import tempfile
from pathlib import Path

from digitlab.app.cli.common import UsageError
from digitlab.model import limits
from digitlab.model.nets.model_files import metrics_path_for

MIN_FREE_BYTES = 50_000_000
"""Free space the output folder needs before a run starts (a model is at most a few MB)."""


def _whole(name: str, value, low: int, high: int) -> str | None:
    if value is None or low <= value <= high:
        return None
    return f"{name} must be a whole number {low:,}..{high:,}, got {value}"


def _number(name: str, value, low: float, high: float, low_open: bool = False) -> str | None:
    if value is None:
        return None
    ok = math.isfinite(value) and (low < value if low_open else low <= value) and value <= high
    if ok:
        return None
    above = "above" if low_open else "at least"
    return f"{name} must be {above} {low:g} and at most {high:g}, got {value}"


def check_arguments(args) -> tuple[Path, Path]:
    """``(model file, metrics file)`` of a ``train`` run, once every argument is valid.

    Raises
    ------
    UsageError
        One line per bad argument (all of them, not only the first): ranges of the numbers,
        an output that is not ``.keras``, exists (without ``--overwrite``), is one of the
        inputs, or sits in a folder that is missing, not writable or nearly full; a metrics
        file that exists but cannot be read (it is never written over then).
    """
    problems = [
        _whole("--seed", args.seed, *limits.SEED_RANGE),
        _whole("--epochs", args.epochs, *limits.EPOCHS_RANGE),
        _whole("--batch-size", args.batch_size, *limits.BATCH_SIZE_RANGE),
        _whole("--train-size", args.train_size, 1, 10**9),
        _whole(
            "--augmented-copies",
            getattr(args, "augmented_copies", 3),
            *limits.AUGMENTED_COPIES_RANGE,
        ),
        _number("--learning-rate", args.learning_rate, 0.0, limits.MAX_LEARNING_RATE, True),
        _number("--augment-share", args.augment_share, 0.0, 1.0),
        _number("--distill", args.distill, 0.0, 1.0) if args.teacher else None,
        _number("--temperature", args.temperature, 0.0, 100.0, True) if args.teacher else None,
    ]
    out = Path(args.out) if args.out else Path(f"{args.model}.keras")
    metrics = Path(args.metrics) if args.metrics else metrics_path_for(out)
    inputs = [Path(p) for p in _as_list(args.teacher) + _as_list(args.data)]
    if out.suffix.lower() != ".keras":
        problems.append(f"{out}: --out must end in .keras")
    else:
        problems.append(_output_problem(out, "--out", inputs, getattr(args, "overwrite", False)))
    if args.metrics or not problems[-1]:  # beside --out: its folder is reported once
        problems.append(_output_problem(metrics, "--metrics", inputs + [out], overwrite=True))
    if metrics.exists() and not problems[-1]:
        try:
            read_metrics(metrics)
        except UsageError as exc:
            problems.append(str(exc))
    problems = [p for p in problems if p]
    if problems:
        raise UsageError("\n".join(problems))
    return out, metrics


def _as_list(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _output_problem(path: Path, option: str, inputs: list[Path], overwrite: bool) -> str | None:
    """Why ``path`` cannot be written at the end of a run, or None."""
    if any(_same_file(path, p) for p in inputs):
        return f"{path}: {option} is one of the inputs; it is not written over"
    if path.exists() or path.is_symlink():
        if not path.is_file():
            return f"{path}: {option} exists and is not a file"
        if not overwrite:
            return f"{path}: {option} exists; add --overwrite to replace it"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"{path}: {option}'s folder {folder} does not exist"
    try:
        fd, probe = tempfile.mkstemp(prefix=".digitlab-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"{path}: cannot write in {folder} ({exc.strerror or exc})"
    if shutil.disk_usage(folder).free < MIN_FREE_BYTES:
        return f"{path}: {folder} has less than {MIN_FREE_BYTES // 1_000_000} MB free"
    return None


def read_metrics(path: Path) -> dict:
    """The JSON object of a metrics file ({} when there is none), bounded.

    Raises
    ------
    UsageError
        When it exists but is not a readable JSON object within the limits (then it must
        not be written over).
    """
    if not path.exists():
        return {}
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > limits.MAX_METRICS_BYTES:
            raise ValueError(f"not a file of at most {limits.MAX_METRICS_BYTES:,} bytes")
        value = json.loads(path.read_text("utf-8"))
        if not isinstance(value, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0][:100]
        raise UsageError(
            f"{path}: the metrics file cannot be read ({reason}); it is not written over"
        ) from exc
    return value
