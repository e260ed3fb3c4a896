"""Start-up times of the frozen executable: window shown, models ready, first prediction.

    QT_QPA_PLATFORM=offscreen python benchmarks/frozen_start.py \
        [--runs 5] [--exe dist/digitlab/digitlab]

Runs ``digitlab selftest --timings`` (which draws a 1 before the models are ready and
times everything from the moment the process was created) several times and prints each
run and the median. Use ``--exe "python -m digitlab.app"`` for the source build. The machine should
be idle: other work on the same cores moves these numbers by seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("window_shown_s", "models_ready_s", "first_prediction_s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exe", default=str(ROOT / "dist" / "digitlab" / "digitlab"))
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    rows = []
    for i in range(args.runs):
        proc = subprocess.run(
            [*shlex.split(args.exe), "selftest", "--timings"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        lines = proc.stdout.strip().splitlines()
        if proc.returncode not in (0, 1) or not lines:  # 1: a check failed, still reported
            print(f"run {i + 1}: the self-test ended with exit code {proc.returncode}, no report")
            print("\n".join(proc.stderr.strip().splitlines()[-40:]))  # e.g. faulthandler's
            return 1
        report = json.loads(lines[-1])
        failed = [k for k, v in report["checks"].items() if v != "pass"]
        rows.append(report)
        print(
            f"run {i + 1}: "
            + "  ".join(f"{k} {report[k]:.2f}" for k in KEYS)
            + (f"  FAILED {failed}" if failed else "  all checks pass")
        )
    print("median: " + "  ".join(f"{k} {statistics.median(r[k] for r in rows):.2f}" for k in KEYS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
