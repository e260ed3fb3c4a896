"""The self-test's own rules: every check module is known, one that cannot load fails the
self-test loudly, and the check modules never import the runner."""

from __future__ import annotations

import ast
import json
import sys
import time
from pathlib import Path

import pytest

from digitlab.app.selftest import runner

ROOT = Path(__file__).resolve().parents[1]
SELFTEST = ROOT / "app" / "selftest"


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (lazy imports inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_listed_check_modules_are_exactly_the_check_files_of_the_package():
    files = sorted(p.stem for p in SELFTEST.glob("check_*.py"))
    assert sorted(runner.CHECK_MODULES) == files
    assert runner.discover_check_modules() == files
    assert len(set(runner.CHECK_MODULES)) == len(runner.CHECK_MODULES)


def test_every_check_module_follows_the_one_protocol_with_unique_check_names(qapp):
    checks, broken = runner.load_checks()
    assert broken == {}
    names = [name for name, _ in checks]
    assert len(names) == len(set(names))
    assert all(callable(fn) for _, fn in checks)
    assert names[:3] == ["draw_predict", "views_painted", "empty_asks_no_model"]
    assert {
        "train",
        "cancel",
        "save_load",
        "saliency",
        "steps",
        "filters",
        "teach",
        "custom_dataset",
        "window_icon",
        "log_without_console",
        "not_a_digit",
        "layout",
    } <= set(names)


def test_no_check_module_imports_the_runner_and_the_shared_helpers_import_no_check():
    for path in sorted(SELFTEST.glob("check_*.py")):
        imported = _imported_modules(path)
        assert not {
            m
            for m in imported
            if m.startswith(("digitlab.app.selftest.runner", "digitlab.app.selftest.screenshots"))
        }, path.name
    for helper in ("support.py", "worker_support.py"):
        imported = _imported_modules(SELFTEST / helper)
        assert not [
            m for m in imported if ".check_" in m or m.endswith((".runner", ".screenshots"))
        ]


def test_only_the_command_line_imports_the_selftest_never_the_main_window():
    for path in sorted((ROOT / "app").rglob("*.py")):
        if SELFTEST in path.parents or path == ROOT / "app" / "cli" / "main.py":
            continue
        assert not [m for m in _imported_modules(path) if m.startswith("digitlab.app.selftest")], (
            path.relative_to(ROOT).as_posix()
        )


def test_a_check_module_that_cannot_be_imported_is_reported_as_a_failed_check(monkeypatch):
    fake = "digitlab.app.selftest.check_left_out"
    monkeypatch.setitem(sys.modules, fake, None)  # importing it raises ImportError
    monkeypatch.setattr(runner, "CHECK_MODULES", ("check_left_out",))
    monkeypatch.setattr(runner, "discover_check_modules", lambda: [])
    checks, broken = runner.load_checks()
    assert checks == []
    assert list(broken) == ["check_left_out"]
    assert "ImportError" in broken["check_left_out"] or "ModuleNotFound" in broken["check_left_out"]


@pytest.mark.slow
def test_the_selftest_fails_with_a_missing_check_module_and_still_runs_the_others(
    qapp, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "digitlab.app.selftest.check_left_out", None)
    monkeypatch.setattr(runner, "CHECK_MODULES", ("check_draw", "check_left_out"))
    monkeypatch.setattr(runner, "discover_check_modules", lambda: ["check_draw"])
    code = runner.run(timings=True, process_start=time.perf_counter())
    out, err = capsys.readouterr()
    report = json.loads(out.strip().splitlines()[-1])
    assert code == 1
    assert report["checks"]["check_left_out"] == "fail"
    assert "check_left_out" in report["details"]["check_left_out"]
    assert report["checks"]["draw_predict"] == "pass"  # the other checks still ran
    assert set(report["checks"]) == {
        "check_left_out",
        "draw_predict",
        "views_painted",
        "empty_asks_no_model",
    }
    assert "check_left_out: fail (" in err
