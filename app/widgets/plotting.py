"""pyqtgraph, as the app's plots use it: import ``pg`` from here, not from pyqtgraph.

Importing it here applies the app's global plot options
(:data:`digitlab.app.widgets.styles.PLOT_OPTIONS`: row-major images, the theme's paper and
ink) before any plot is made. Only the tabs built after the first answer plot with
pyqtgraph (the Draw tab's views are plain widgets), so its import (about 0.25 s on the
2-core machine) is no longer on the way to the first answer.
"""

from __future__ import annotations

import pyqtgraph as pg

from digitlab.app.widgets.styles import PLOT_OPTIONS

pg.setConfigOptions(**PLOT_OPTIONS)

__all__ = ["pg"]
