"""The codebase's rules, read from the source: ``model/`` is Qt-free, models load safely, no
import cycles, no module over 400 lines, every package folder ships.

Every module is parsed (nothing is imported), so a new module is covered the moment
it is added.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == attribute
        ):
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
            owner = func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name in ("saving", "models", "saving_lib"):
                safe = any(
                    k.arg == "safe_mode"
                    and isinstance(k.value, ast.Constant)
                    and k.value.value is True
                    for k in call.keywords
                )
                openers.append((path.relative_to(ROOT).as_posix(), safe))
    assert set(openers) == {("model/nets/model_files.py", True)}


def test_numpy_files_are_read_without_unpickling():
    unsafe = []
    for path in sorted(MODEL.rglob("*.py")) + sorted(APP.rglob("*.py")):
        for call in _calls(path, "load"):
            numpy = isinstance(call.func.value, ast.Name) and call.func.value.id in ("np", "numpy")
            if numpy and not any(
                k.arg == "allow_pickle"
                and isinstance(k.value, ast.Constant)
                and k.value.value is False
                for k in call.keywords
            ):
                unsafe.append(f"{path.name}:{call.lineno}")
    assert unsafe == []


def _module_name(path: Path) -> str:
    """``digitlab.app.draw.canvas`` for ``app/draw/canvas.py``; packages by their folder."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["digitlab", *parts])


def _our_imports(path: Path, known: set[str]) -> set[str]:
    """The Digit Lab modules ``path`` imports anywhere in the file (lazy imports included):
    ``from digitlab.x import y`` counts as ``digitlab.x.y`` when that is a module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def _sources() -> list[Path]:
    return sorted(MODEL.rglob("*.py")) + sorted(APP.rglob("*.py"))


def test_no_import_cycles_between_modules():
    """A module never imports, directly or through others, a module that imports it back
    (lazy imports inside functions count too: they are cycles waiting to bite)."""
    paths = {_module_name(p): p for p in _sources()}
    known = set(paths)
    graph = {name: _our_imports(path, known) - {name} for name, path in paths.items()}
    # A package's __init__ is imported on the way to any of its modules: not an edge back.
    graph = {
        name: {t for t in targets if not name.startswith(t + ".")}
        for name, targets in graph.items()
    }
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_no_module_is_over_400_lines():
    too_long = {
        p.relative_to(ROOT).as_posix(): n
        for p in _sources()
        if (n := len(p.read_text("utf-8").splitlines())) > 400
    }
    assert too_long == {}


def test_the_package_list_names_every_package_folder():
    """pyproject.toml lists the packages by hand (the folders are mapped onto ``digitlab``):
    a new folder missing from the list would be missing from the wheel."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    folders = {_module_name(p) for p in _sources() if p.name == "__init__.py"}
    folders |= {"digitlab.resources"} | {
        "digitlab.resources." + d.name
        for d in (ROOT / "resources").iterdir()
        if d.is_dir() and d.name != "__pycache__"
    }
    assert listed == folders
