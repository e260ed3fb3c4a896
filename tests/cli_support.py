"""Run a ``digitlab`` command in-process, as the tests of the command line do."""

from __future__ import annotations

import io


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Parse ``argv`` as the ``digitlab`` command line and run it: (exit code, stdout, stderr)."""
    from digitlab.app.cli.commands import run
    from digitlab.app.cli.main import build_parser

    args = build_parser().parse_args(argv)
    args.argv = argv
    out, err = io.StringIO(), io.StringIO()
    code = run(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()
