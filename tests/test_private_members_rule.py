"""No part of the app reaches into another object's private members (``other._x``,
``getattr(other, "_x")``): a widget offers a public seam instead. Read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _private(name: object) -> bool:
    return isinstance(name, str) and name.startswith("_") and not name.startswith("__")


def _own(node: ast.expr) -> bool:
    """``self``, ``cls`` or ``super()``: an object's own members; also ``sys``, whose
    ``_MEIPASS`` is how PyInstaller tells a frozen program where its bundle is."""
    if isinstance(node, ast.Name):
        return node.id in ("self", "cls", "sys")
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def _reaches(path: Path):
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and not _own(node.value)
            or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and _private(node.args[1].value)
                and not _own(node.args[0])
            )
        ):
            yield node.lineno, ast.unparse(node)


def test_no_module_of_the_app_touches_another_objects_private_members():
    modules = sorted(APP.rglob("*.py"))
    assert len(modules) > 30  # the glob really found the package
    found = [
        f"{path.relative_to(APP.parent).as_posix()}:{line}: {text}"
        for path in modules
        for line, text in _reaches(path)
    ]
    assert found == []
