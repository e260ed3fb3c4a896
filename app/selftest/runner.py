"""``digitlab selftest``: the real window, driven offscreen by every check, one JSON line last.

Checks live in this package's ``check_*`` modules, one protocol for all: a module exposes
``CHECKS = {name: fn}``, each ``fn(ctx)`` takes a :class:`~digitlab.app.selftest.support.Context`
and returns ``(passed, detail)``; they run in the order of :data:`CHECK_MODULES`, then each
module's order. The modules are found by listing the package **and** from
:data:`CHECK_MODULES`, so a module that a frozen build left out, or that fails to import,
is reported as a failed check named after it (with the error) and the exit code is 1.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import traceback

from PySide6.QtWidgets import QApplication

from digitlab.app.application import application
from digitlab.app.selftest.support import MODELS_TIMEOUT_S, Check, Context, draw_digit, open_window

PACKAGE = "digitlab.app.selftest"
CHECK_MODULES = (
    "check_draw",
    "check_not_a_digit",
    "check_number",
    "check_startup",
    "check_explain",
    "check_explore",
    "check_custom",
    "check_teach",
    "check_training",
    "check_layout",  # last: after a training run, the Train tab as a user finds it
)
"""Every check module, in run order. Listed as well as discovered: discovery lists the files
that are there, this list says which must be (tests/test_selftest.py keeps the two equal)."""


def discover_check_modules() -> list[str]:
    """The ``check_*`` modules found in this package (sorted; without importing them)."""
    package = importlib.import_module(PACKAGE)
    return sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("check_")
    )


def load_checks() -> tuple[list[tuple[str, Check]], dict[str, str]]:
    """(the checks in run order as ``(name, fn)``, ``{module: error}`` for each check module
    that could not be imported). The modules of :data:`CHECK_MODULES` come first, in that
    order; others found in the package follow by name."""
    names = list(CHECK_MODULES)
    names += [m for m in discover_check_modules() if m not in CHECK_MODULES]
    checks: list[tuple[str, Check]] = []
    broken: dict[str, str] = {}
    for name in names:
        try:
            module = importlib.import_module(f"{PACKAGE}.{name}")
        except Exception as exc:
            broken[name] = f"cannot import {PACKAGE}.{name}: {type(exc).__name__}: {exc}"
            continue
        found = vars(module).get("CHECKS")
        if not isinstance(found, dict):
            broken[name] = f"{PACKAGE}.{name} has no CHECKS dict"
            continue
        checks.extend(found.items())
    return checks, broken


def run(timings: bool, process_start: float) -> int:
    """Open the window offscreen, run every check, print one JSON line last; the exit code."""
    app = QApplication.instance()
    window = open_window()
    ctx = Context(window, process_start)
    app.processEvents()
    ctx.times["window_shown_s"] = ctx.since_start()
    # Draw before the models are ready: drawing must work while they load.
    draw_digit(window.draw_tab.canvas, 1)
    checks: dict[str, str] = {}
    details: dict[str, str] = {}
    if ctx.wait_until(lambda: window.live.ready, MODELS_TIMEOUT_S):
        ctx.times["models_ready_s"] = ctx.since_start()
        first = ctx.wait_for_answer()
        if first is not None and not first.empty:
            ctx.times["first_prediction_s"] = ctx.since_start()
        # Check modules may import Keras: after TensorFlow has loaded in the background.
        ctx.wait_until(lambda: window.live.tensorflow_loaded, MODELS_TIMEOUT_S)
        found, broken = load_checks()
        failed_imports = [(module, _fails_with(error)) for module, error in broken.items()]
        for name, fn in failed_imports + found:
            passed, detail = _run_one(fn, ctx)
            checks[name] = "pass" if passed else "fail"
            details[name] = detail
            print(f"{name}: {checks[name]} ({detail})", file=sys.stderr)
    else:
        checks["models_ready"] = "fail"
        details["models_ready"] = f"models not ready within {MODELS_TIMEOUT_S:g} s"
    window.close()
    app.processEvents()
    report = {
        "checks": checks,
        "window_shown_s": _round(ctx.times.get("window_shown_s")),
        "models_ready_s": _round(ctx.times.get("models_ready_s")),
        "first_prediction_s": _round(ctx.times.get("first_prediction_s")),
    }
    if timings:
        report["details"] = details
        print(f"window shown   {report['window_shown_s']} s after start", file=sys.stdout)
        print(f"models ready   {report['models_ready_s']} s", file=sys.stdout)
        print(f"first answer   {report['first_prediction_s']} s", file=sys.stdout)
    print(json.dumps(report))
    if sys.stdout is not None:  # None in a windowed build
        sys.stdout.flush()
    return 0 if checks and all(v == "pass" for v in checks.values()) else 1


def _run_one(fn: Check, ctx: Context) -> tuple[bool, str]:
    try:
        return fn(ctx)
    except Exception as exc:
        traceback.print_exc()
        return False, f"{type(exc).__name__}: {exc}"


def _fails_with(error: str) -> Check:
    return lambda ctx: (False, error)


def _round(value):
    return None if value is None else round(value, 3)


def run_selftest(timings: bool, process_start: float) -> int:
    """``digitlab selftest [--timings]``: the QApplication offscreen, then :func:`run`."""
    application(offscreen=True)
    return run(timings=timings, process_start=process_start)
