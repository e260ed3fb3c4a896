"""The ``digitlab`` command: the window by default, or a verb for scripts.

Qt is imported only for the verbs that need it (the window, ``selftest``, ``screenshots``),
so ``classify``, ``read``, ``evaluate``, ``train`` and ``bytes-to-image`` start without it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from digitlab.model import __version__


def _process_age_s() -> float:
    """Seconds since this process was created (Linux: from /proc; elsewhere 0, so times are
    counted from this module's import). A frozen build spends part of its start-up before any
    Python runs, and the start times we report must include it."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of stat(5): start time after boot, ticks
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


PROCESS_START = time.perf_counter() - _process_age_s()
"""``time.perf_counter()`` at the moment the process was created (10 ms resolution)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a wrong argument in one line with exit code 2 (no usage dump)."""

    def error(self, message: str):
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="digitlab", description="Draw a digit and watch two neural networks read it."
    )
    parser.add_argument("--version", action="version", version=f"digitlab {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("gui", help="open the window (the default)")

    classify = sub.add_parser(
        "classify", help="classify images or stroke drawings, one JSON line each"
    )
    classify.add_argument("images", nargs="*", help="image files (PNG, JPEG, ...)")
    classify.add_argument(
        "--strokes",
        metavar="FILE.jsonl",
        help='lines of {"strokes": [[[x, y], ...], ...], "canvas": [w, h]}; - for stdin',
    )
    classify.add_argument(
        "--model",
        default=None,
        help=(
            'cnn, dense, or a .keras file (default: both bundled); each answer carries "known": '
            'false for "not a digit"'
        ),
    )

    read = sub.add_parser(
        "read", help="read whole numbers in images or stroke drawings, one JSON line each"
    )
    read.add_argument("images", nargs="*", help="pictures of numbers (PNG, JPEG, ...)")
    read.add_argument(
        "--strokes",
        metavar="FILE.jsonl",
        help='lines of {"strokes": [[[x, y], ...], ...], "canvas": [w, h]}; - for stdin',
    )
    read.add_argument(
        "--model", default=None, help="cnn, dense, or a .keras file (default: both bundled)"
    )

    evaluate = sub.add_parser("evaluate", help="accuracy and confusion matrix on a test set")
    evaluate.add_argument(
        "--model", default=None, help="cnn, dense, or a .keras file (default: both)"
    )
    evaluate.add_argument(
        "--data",
        default="mnist-test",
        help="mnist-test, FILE.npz (MNIST layout) or labelled FILE.jsonl",
    )
    evaluate.add_argument(
        "--json", action="store_true", help="print one JSON object instead of tables"
    )
    evaluate.add_argument(
        "--all",
        action="store_true",
        help="with a folder: judge every picture, not only its test split",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="with a folder: the split's seed")
    _custom_data_options(evaluate)

    train = sub.add_parser("train", help="train a seed model on MNIST and save it")
    train.add_argument("--model", choices=["cnn", "dense"], required=True)
    train.add_argument("--epochs", type=int, default=None, help="default: cnn 20, dense 40")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help="peak Adam rate (cosine decay); default 2e-3",
    )
    train.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="default: 128 on MNIST, 32 on your own (usually smaller) data",
    )
    train.add_argument(
        "--train-size", type=int, default=None, help="use only the first N training images"
    )
    train.add_argument("--no-augment", action="store_true", help="train on plain MNIST")
    train.add_argument(
        "--augment-share",
        type=float,
        default=None,
        help="share of digits distorted each epoch, 0..1 (default: cnn 0.75, dense 0.5)",
    )
    train.add_argument(
        "--augmented-copies",
        type=int,
        default=3,
        help="distorted versions of each digit prepared up front (default 3)",
    )
    train.add_argument(
        "--data",
        default=None,
        metavar="FOLDER_OR_NPZ",
        help="a folder of class subfolders of pictures, or an MNIST-layout .npz "
        "(default: the bundled MNIST)",
    )
    train.add_argument(
        "--teacher",
        default=None,
        metavar="MODEL.keras",
        nargs="+",
        help="learn from this trained model's probabilities too (distillation); "
        "several files: their averaged probabilities (an ensemble)",
    )
    train.add_argument(
        "--distill",
        type=float,
        default=0.7,
        help="with --teacher: weight of the teacher's probabilities in the targets",
    )
    train.add_argument(
        "--temperature",
        type=float,
        default=3.0,
        help="with --teacher: soften the teacher's probabilities (1 = as they are)",
    )
    train.add_argument(
        "--out", default=None, help="where to write the .keras file (default: ./MODEL.keras)"
    )
    train.add_argument(
        "--metrics",
        default=None,
        help="metrics JSON to update (default: MODEL.metrics.json beside --out)",
    )
    train.add_argument(
        "--overwrite", action="store_true", help="replace an existing --out model file"
    )
    _custom_data_options(train)

    pictures = sub.add_parser(
        "bytes-to-image", help="render files as greyscale PNGs, one byte per pixel"
    )
    pictures.add_argument("files", nargs="*", metavar="FILE", help="any files (binaries, ...)")
    pictures.add_argument("--out", required=True, metavar="DIR", help="folder for the PNGs")
    pictures.add_argument(
        "--overwrite",
        action="store_true",
        help="replace PNGs that already exist (an input file is never written over)",
    )
    pictures.add_argument(
        "--width",
        type=int,
        default=None,
        help="pixels per row (default: from the file size, 32..1024, as in Nataraj et al.)",
    )

    selftest = sub.add_parser("selftest", help="open the window offscreen, draw, check the answers")
    selftest.add_argument("--timings", action="store_true", help="also report start-up times")

    shots = sub.add_parser("screenshots", help="save a PNG of each tab with a digit drawn")
    shots.add_argument("folder")
    return parser


def _custom_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--image-size",
        type=int,
        default=28,
        help="with a folder: pictures are resized to this square size (default 28)",
    )
    parser.add_argument(
        "--test-share",
        type=float,
        default=0.2,
        help="with a folder: share of each class kept for testing (default 0.2)",
    )


def _ensure_streams() -> None:
    """A windowed build (no console) starts with ``sys.stdout`` and ``sys.stderr`` set to None;
    our code guards every write, but a library might not: give them a sink. Errors still go
    to the log file and a dialog (:mod:`digitlab.app.error_handling`)."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main(argv: list[str] | None = None) -> int:
    _ensure_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    command = args.command or "gui"
    if command in ("classify", "read", "evaluate", "train", "bytes-to-image"):
        from digitlab.app.cli.commands import run

        return run(args)
    offscreen = command in ("selftest", "screenshots")  # these two never need a display
    if _window_cannot_open(offscreen):
        return 1
    from digitlab.app.error_handling import record_crashes

    if offscreen:
        record_crashes(to_stderr=True)
    if command == "selftest":
        from digitlab.app.selftest.runner import run_selftest

        return run_selftest(timings=args.timings, process_start=PROCESS_START)
    if command == "screenshots":
        from digitlab.app.selftest.screenshots import run_screenshots

        return run_screenshots(args.folder)
    problem = data_folder_problem(os.environ)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    record_crashes(to_stderr=False)
    from digitlab.app.cli.gui import run_gui

    return run_gui(process_start=PROCESS_START)


def data_folder_problem(environ) -> str | None:
    """One line saying why the data folder named by ``DIGITLAB_DATA_DIR`` cannot be used (a
    file, or a folder that cannot be made), or None (checked before any window opens)."""
    override = environ.get("DIGITLAB_DATA_DIR")
    if not override:
        return None
    path = Path(override)
    if path.exists() and not path.is_dir():
        return f"digitlab: DIGITLAB_DATA_DIR={override} is a file, not a folder; name a folder"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"digitlab: DIGITLAB_DATA_DIR={override} cannot be made ({exc.strerror or exc})"
    return None


def _window_cannot_open(offscreen: bool) -> bool:
    """True, with one line on stderr naming the missing system libraries and how to install
    them, when Qt's window platform could not load (checked before any Qt library loads)."""
    from digitlab.app.cli.system_libraries import window_platform_problem

    environ = dict(os.environ, QT_QPA_PLATFORM="offscreen") if offscreen else os.environ
    problem = window_platform_problem(environ)
    if problem:
        print(problem, file=sys.stderr)
    return problem is not None


if __name__ == "__main__":
    sys.exit(main())
