"""pyqtgraph imported through digitlab.app.pyqtgraph_import: its Qt mirrors still hand out
PySide6's own classes, and plots still work (each case in a fresh interpreter, since the
import happens once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_mirrors_forward_to_pyside6_without_copying_every_class():
    out = _run(
        """
        import digitlab.app  # installs the finder
        import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
        import pyqtgraph
        from pyqtgraph.Qt import QtCore, QtGui, QtWidgets
        from digitlab.app.pyqtgraph_import import installed
        assert installed()
        assert "QSplashScreen" not in vars(QtWidgets)  # not copied at import
        assert QtWidgets.QSplashScreen is PySide6.QtWidgets.QSplashScreen  # forwarded
        assert "QSplashScreen" in vars(QtWidgets)  # and kept
        assert QtCore.QPointF is PySide6.QtCore.QPointF and QtGui.QColor is PySide6.QtGui.QColor
        from pyqtgraph.Qt.QtGui import QPainter  # from-imports forward too
        assert QPainter is PySide6.QtGui.QPainter
        assert QtGui.QFileSystemModel is PySide6.QtWidgets.QFileSystemModel  # pyqtgraph's shim
        assert dir(PySide6.QtCore)  # dir is untouched outside pyqtgraph.Qt's import
        try:
            QtCore.NoSuchThing
        except AttributeError:
            print("ok")
        """
    )
    assert out == "ok"


def test_plots_and_images_work_through_the_forwarding_mirrors():
    out = _run(
        """
        import digitlab.app
        import numpy as np
        import pyqtgraph as pg
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        w = pg.GraphicsLayoutWidget()
        plot = w.addPlot()
        plot.plot([0, 1, 2], [2, 1, 3])
        bars = pg.BarGraphItem(x=np.arange(10), height=np.ones(10), width=0.8)
        plot.addItem(bars)
        image = pg.ImageItem(np.zeros((28, 28), np.float32))
        w.addViewBox().addItem(image)
        w.resize(300, 200)
        w.show()
        app.processEvents()
        picture = w.grab().toImage()
        print(picture.width() > 0, plot.viewRange()[0][1] >= 2, flush=True)
        import os
        os._exit(0)  # Qt's teardown at exit may crash whatever the import (not checked here)
        """
    )
    assert out == "True True"


def test_the_window_answers_its_first_drawing_before_pyqtgraph_is_imported():
    # pyqtgraph's import is a quarter of a second on two cores; only the tabs built after
    # the first answer plot with it, and the Draw tab's views and colours need none of it.
    out = _run(
        """
        import sys
        from digitlab.app.application import application
        from digitlab.app.selftest.support import Context, draw_digit, open_window

        app = application()
        window = open_window()
        ctx = Context(window, 0.0)
        draw_digit(window.draw_tab.canvas, 7)
        assert ctx.wait_until(lambda: window.live.ready, 120)
        answer = ctx.wait_for_answer()
        assert answer is not None and not answer.empty
        assert window.draw_tab.painted_revision() >= 0
        print("pyqtgraph" in sys.modules, "PIL" in sys.modules)
        import os
        os._exit(0)  # the late tabs, and pyqtgraph with them, come after this
        """
    )
    assert out.splitlines()[-1] == "False False"
