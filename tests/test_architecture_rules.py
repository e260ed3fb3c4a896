"""The codebase's rules, read from the source: ``model/`` is Qt-free, models load safely.

Every ``model/*.py`` is parsed (nothing is imported), so a new module is covered the moment
it is added.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "model"
APP = ROOT / "app"


def _top_level(module: str) -> str:
    """``PySide6`` for ``PySide6.QtCore``; ``app`` for ``digitlab.app.draw`` (our two layers)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "digitlab" and len(parts) > 1 else parts[0]


def _imports(path: Path) -> set[str]:
    """The top-level package of every module ``path`` imports, at any depth in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(_top_level(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(_top_level(node.module))
    return names


def _calls(path: Path, attribute: str):
    """Calls of ``something.attribute(...)`` in ``path``."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == attribute):
            yield node


def test_no_module_of_model_imports_qt_or_the_app():
    modules = sorted(MODEL.rglob("*.py"))
    assert len(modules) > 20  # the glob really found the package
    offenders = {p.name: sorted(_imports(p) & {"PySide6", "pyqtgraph", "app"}) for p in modules}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_keras_model_files_are_opened_only_by_model_files_with_safe_mode():
    openers = []
    for path in sorted(MODEL.rglob("*.py")) + sorted(APP.rglob("*.py")):
        for call in _calls(path, "load_model"):
            func = call.func
            if isinstance(func.value, ast.Attribute) and func.value.attr in ("saving", "models"):
                safe = any(k.arg == "safe_mode" and isinstance(k.value, ast.Constant)
                           and k.value.value is True for k in call.keywords)
                openers.append((path.relative_to(ROOT).as_posix(), safe))
    assert openers == [("model/nets/model_files.py", True)]


def test_numpy_files_are_read_without_unpickling():
    unsafe = []
    for path in sorted(MODEL.rglob("*.py")) + sorted(APP.rglob("*.py")):
        for call in _calls(path, "load"):
            numpy = isinstance(call.func.value, ast.Name) and call.func.value.id in ("np", "numpy")
            if numpy and not any(k.arg == "allow_pickle" and isinstance(k.value, ast.Constant)
                                 and k.value.value is False for k in call.keywords):
                unsafe.append(f"{path.name}:{call.lineno}")
    assert unsafe == []
