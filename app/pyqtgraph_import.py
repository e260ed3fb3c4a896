"""Import pyqtgraph without creating every Qt class it will never use (0.2-0.3 s of start-up).

``pyqtgraph.Qt`` keeps its own mirrors of PySide6's QtCore, QtGui and QtWidgets, filled at
import by ``_copy_attrs``: ``for o in dir(src): setattr(dst, o, getattr(src, o))``. PySide6
creates its classes (and their Python enums) lazily, on first access, so that loop creates
all of them, about 1,500 classes and 600 enums, of which the app uses a few dozen: 0.2-0.3 s
on the 2-core machine, a quarter of the one second allowed between launch and first answer.

:func:`install` puts a finder on ``sys.meta_path`` that runs ``pyqtgraph/Qt/__init__.py``
with one name of its own: a ``dir`` that, for those three PySide6 modules only, gives the
mirror a module ``__getattr__`` (PEP 562) forwarding to PySide6 and answers ``[]``, so the
loop copies nothing. Each name is then fetched from PySide6 on its first use and kept in the
mirror, so later uses cost what they did before (a module attribute). Everything else in
that file, and any other ``dir`` call, behaves as before; pyqtgraph is pinned to 0.14, and
``tests/test_pyqtgraph_import.py`` checks the mirrors in a fresh interpreter.

Nothing here imports Qt or pyqtgraph: :func:`install` is cheap, and the command-line verbs
that never plot never pay for it.
"""

from __future__ import annotations

import builtins
import importlib.abc
import sys
from types import ModuleType

TARGET = "pyqtgraph.Qt"
"""The module whose import is taken care of."""
_MIRRORED = ("QtCore", "QtGui", "QtWidgets")


def _forward_to(source: ModuleType, mirror: ModuleType):
    """A module ``__getattr__`` for ``mirror``: the name from ``source``, kept in ``mirror``."""

    def __getattr__(name: str):
        value = getattr(source, name)  # AttributeError as for any missing name
        setattr(mirror, name, value)
        return value

    return __getattr__


def _lazy_dir(*args):
    """``dir`` as seen by ``pyqtgraph/Qt/__init__.py`` while it runs (see the module doc)."""
    if len(args) == 1 and isinstance(args[0], ModuleType):
        source = args[0]
        for name in _MIRRORED:
            mirror = sys.modules.get(f"{TARGET}.{name}")
            if source is sys.modules.get(f"PySide6.{name}") and mirror is not None:
                mirror.__getattr__ = _forward_to(source, mirror)
                return []
    return builtins.dir(*args)


class _Loader(importlib.abc.Loader):
    """The real loader of ``pyqtgraph.Qt``, with :func:`_lazy_dir` as the module's ``dir``
    while its body runs; anything else is asked of the real loader."""

    def __init__(self, real: importlib.abc.Loader):
        self._real = real

    def create_module(self, spec):
        return self._real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__["dir"] = _lazy_dir
        try:
            self._real.exec_module(module)
        finally:
            if module.__dict__.get("dir") is _lazy_dir:
                del module.__dict__["dir"]

    def __getattr__(self, name: str):
        return getattr(self._real, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``pyqtgraph.Qt`` as the other finders would, and hands it to :class:`_Loader`."""

    def find_spec(self, fullname, path, target=None):
        if fullname != TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


_FINDER = _Finder()


def install() -> None:
    """Take care of ``pyqtgraph.Qt``'s import from now on (idempotent; nothing happens if
    pyqtgraph was imported already)."""
    if _FINDER not in sys.meta_path and TARGET not in sys.modules:
        sys.meta_path.insert(0, _FINDER)


def installed() -> bool:
    """Whether :func:`install` ran and ``pyqtgraph.Qt`` was (or will be) imported through it."""
    module = sys.modules.get(TARGET)
    if module is None:
        return _FINDER in sys.meta_path
    return isinstance(getattr(module.__spec__, "loader", None), _Loader)
