"""``digitlab bytes-to-image``: any files as greyscale PNGs, one byte per pixel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from digitlab.app.cli.common import EXIT_BAD_INPUT, EXIT_OK, UsageError


def bytes_to_image(args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """``digitlab bytes-to-image FILE... --out DIR [--width W] [--overwrite]``: one greyscale
    PNG per file (one byte per pixel), then one JSON summary line; unreadable files, and
    pictures whose name is taken (unless ``--overwrite``; never an input), are named on
    stderr and the exit code is 2."""
    from digitlab.model.binaries.bytes_image import (
        MAX_WIDTH,
        MIN_WIDTH,
        convert_files,
        summary_line,
    )

    if not args.files:
        raise UsageError("give the files to render")
    if args.width is not None and not MIN_WIDTH <= args.width <= MAX_WIDTH:
        raise UsageError(f"--width must be {MIN_WIDTH}..{MAX_WIDTH}, got {args.width}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: --out must be a folder")
    try:
        results = convert_files(
            args.files, out, args.width, overwrite=getattr(args, "overwrite", False)
        )
    except OSError as exc:
        raise UsageError(f"{out}: cannot write there ({exc.strerror or exc})") from exc
    for r in results:
        if r.error:
            print(r.error, file=stderr)
    stdout.write(summary_line(results, out) + "\n")
    return EXIT_BAD_INPUT if any(r.error for r in results) else EXIT_OK
