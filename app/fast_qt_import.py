"""Import PySide6 and pyqtgraph without work the app never uses (0.3-0.4 s of start-up).

Two costs, each paid at import and each for a feature nobody here uses:

* **pyqtgraph** keeps its own mirrors of PySide6's QtCore, QtGui and QtWidgets, filled at
  import by ``_copy_attrs``: ``for o in dir(src): setattr(dst, o, getattr(src, o))``. PySide6
  creates its classes (and their Python enums) lazily, on first access, so that loop creates
  all of them, about 1,500 classes and 600 enums, of which the app uses a few dozen (0.2-0.3 s
  on the 2-core machine). Here ``pyqtgraph/Qt/__init__.py`` runs with one name of its own: a
  ``dir`` that, for those three PySide6 modules only, gives the mirror a module
  ``__getattr__`` (PEP 562) forwarding to PySide6 and answers ``[]``, so the loop copies
  nothing. Each name is fetched from PySide6 on first use and kept in the mirror, so later
  uses cost what they did before (a module attribute).
* **PySide6** replaces ``__import__`` to support ``from __feature__ import snake_case``; after
  every later import it asks whether the new module mentions PySide6 by reading the module's
  whole source file again (``inspect.getsource``; about 0.3 ms a module, some 500 modules at
  start). Here that question is answered from the module's namespace instead: a PySide6
  module, class or function in it. The answer only decides whether the module's PySide
  feature set is "none" (0) or "unchanged" (-1), the same thing in a process where no module
  selects a feature, as in this one.

:func:`install` puts a finder on ``sys.meta_path`` that hands ``PySide6`` and
``pyqtgraph.Qt`` to their usual loaders and does the above around them; nothing is imported
here, so the command-line verbs that never start Qt never pay for it. Both libraries are
pinned (PySide6 < 6.12, pyqtgraph 0.14); ``tests/test_fast_qt_import.py`` checks both in a
fresh interpreter, and a change in either library leaves its import working as before,
only slower.
"""

from __future__ import annotations

import builtins
import importlib.abc
import sys
from types import ModuleType

PYQTGRAPH_QT = "pyqtgraph.Qt"
PYSIDE = "PySide6"
FEATURE_MODULE = "shibokensupport.feature"
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
            mirror = sys.modules.get(f"{PYQTGRAPH_QT}.{name}")
            if source is sys.modules.get(f"{PYSIDE}.{name}") and mirror is not None:
                mirror.__getattr__ = _forward_to(source, mirror)
                return []
    return builtins.dir(*args)


def uses_pyside(module: ModuleType) -> bool:
    """Whether ``module``'s namespace holds a PySide6 module, class or function (PySide's
    own check searches the module's source text for "PySide6")."""
    try:
        values = list(vars(module).values())
    except TypeError:
        return False
    for value in values:
        try:
            name = value.__name__ if isinstance(value, ModuleType) else value.__module__
        except Exception:  # any object: a missing or odd attribute means "not PySide"
            continue
        if isinstance(name, str) and name.startswith(PYSIDE):
            return True
    return False


def _after_pyside(module: ModuleType) -> None:
    feature = sys.modules.get(FEATURE_MODULE)
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = uses_pyside


class _Loader(importlib.abc.Loader):
    """The real loader of ``PySide6`` or ``pyqtgraph.Qt``, with this module's part around
    it; anything else is asked of the real loader."""

    def __init__(self, real: importlib.abc.Loader, name: str):
        self._real = real
        self._name = name

    def create_module(self, spec):
        return self._real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        if self._name == PYSIDE:
            self._real.exec_module(module)
            _after_pyside(module)
            return
        module.__dict__["dir"] = _lazy_dir
        try:
            self._real.exec_module(module)
        finally:
            if module.__dict__.get("dir") is _lazy_dir:
                del module.__dict__["dir"]

    def __getattr__(self, name: str):
        return getattr(self._real, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``PySide6`` and ``pyqtgraph.Qt`` as the other finders would, and hands them to
    :class:`_Loader`."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in (PYSIDE, PYQTGRAPH_QT):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader, fullname)
                return spec
        return None


_FINDER = _Finder()


def install() -> None:
    """Take care of the two imports from now on (idempotent). One already done stays as it
    was; PySide6 imported before still gets the cheap check."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    if PYSIDE in sys.modules:
        _after_pyside(sys.modules[PYSIDE])


def installed() -> dict[str, bool]:
    """For each of ``PySide6`` and ``pyqtgraph.Qt``: imported through :func:`install` (or
    still to be, with the finder in place)."""
    found = {}
    for name in (PYSIDE, PYQTGRAPH_QT):
        module = sys.modules.get(name)
        if module is None:
            found[name] = _FINDER in sys.meta_path
        else:
            found[name] = isinstance(getattr(module.__spec__, "loader", None), _Loader)
    return found
