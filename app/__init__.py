"""Digit Lab's desktop application: the Qt window, its views and workers, and the entry point."""

from digitlab.app.pyqtgraph_import import install as _install_pyqtgraph_import

_install_pyqtgraph_import()  # before any module of the app imports pyqtgraph
