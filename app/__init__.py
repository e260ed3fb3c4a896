"""Digit Lab's desktop application: the Qt window, its views and workers, and the entry point."""

from digitlab.app.fast_qt_import import install as _install_fast_qt_import

_install_fast_qt_import()  # before any module of the app imports PySide6 or pyqtgraph
