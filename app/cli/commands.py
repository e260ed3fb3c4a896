"""The Qt-free command-line verbs: ``train``, ``classify``, ``read``, ``evaluate`` and
``bytes-to-image``.

Each verb (one module each) takes parsed arguments, writes results to the given streams and
returns an exit code: 0 success, 2 for bad input (one line on stderr naming the file and the
reason). :func:`run` dispatches and turns the known errors into that line.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from digitlab.app.cli.bytes_to_image import bytes_to_image
from digitlab.app.cli.classify import classify
from digitlab.app.cli.common import EXIT_BAD_INPUT, UsageError, quiet_tensorflow
from digitlab.app.cli.evaluate import evaluate
from digitlab.app.cli.read import read
from digitlab.app.cli.train import train
from digitlab.model.binaries.bytes_image import BytesImageError
from digitlab.model.data.images import ImageFileError
from digitlab.model.data.mnist import DatasetError
from digitlab.model.nets.model_files import ModelFileError
from digitlab.model.preprocess.frame import PreprocessError


def run(args, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Dispatch a parsed Qt-free command, turning known errors into one line and exit 2."""
    # A windowed (frozen) build has no console: sys.stdout and sys.stderr are None there. The
    # stand-ins are written to for the whole command and close when the process ends.
    stdout = stdout or sys.stdout or open(os.devnull, "w")  # noqa: SIM115 (lives for the run)
    stderr = stderr or sys.stderr or open(os.devnull, "w")  # noqa: SIM115 (lives for the run)
    # classify, read and evaluate answer through NumPy and import TensorFlow only when they
    # must (see inference_core).
    if args.command not in ("classify", "read", "evaluate"):
        quiet_tensorflow()
    handlers = {
        "classify": classify,
        "read": read,
        "evaluate": evaluate,
        "train": train,
        "bytes-to-image": bytes_to_image,
    }
    try:
        return handlers[args.command](args, stdout=stdout, stderr=stderr)
    except (
        UsageError,
        DatasetError,
        ModelFileError,
        ImageFileError,
        PreprocessError,
        BytesImageError,
    ) as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"digitlab {args.command}: {line}", file=stderr)
        return EXIT_BAD_INPUT
