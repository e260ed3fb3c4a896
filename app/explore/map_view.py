"""The embedding map: 10,000 MNIST test digits coloured by label, the drawing as a star (and
the pushed drawing as a white one joined to it by a dashed line).

Every plot item is made once: one scatter per class (the key is a line of text above the plot), one
ring scatter for the misread digits, one star for the drawing and one ring for the hovered
digit; a new map or a new drawing only calls ``setData`` on them. Hovering looks up the
nearest point under the pointer (NumPy over the 10,000 coordinates) and emits its index.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal

from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import MARK, NEAR_BLACK, PAPER

CLASS_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""The ten digits' colours on the map (matplotlib's tab10: distinct, colour-blind aware)."""
DASH = Qt.PenStyle.DashLine
HOVER_PIXELS = 8
"""How near (screen pixels) the pointer must be to a digit to show it."""


def legend_html() -> str:
    """The colours' key as rich text (a line above the plot, so it never covers a cluster)."""
    return "&nbsp;&nbsp;".join(
        f'<span style="color:{c}; font-size:14pt">&#9679;</span>&nbsp;{k}'
        for k, c in enumerate(CLASS_COLOURS)
    )


def nearest_point(coords: np.ndarray, x: float, y: float, radius_x: float, radius_y: float):
    """Index of the point of float ``(n, 2)`` ``coords`` nearest ``(x, y)`` within the
    ellipse of radii ``radius_x``, ``radius_y`` (data units), or None."""
    if coords is None or len(coords) == 0:
        return None
    d = ((coords[:, 0] - x) / radius_x) ** 2 + ((coords[:, 1] - y) / radius_y) ** 2
    i = int(np.argmin(d))
    return i if d[i] <= 1.0 else None


class MapView(pg.PlotWidget):
    """The map (see the module docstring). :attr:`coords` float32 ``(n, 2)`` of the digits
    shown; :attr:`drawing_at` the star's position or None."""

    # The pointer is on a test digit: its index (-1: on none).
    hovered = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.hideAxis("left")
        self.hideAxis("bottom")
        self.getPlotItem().setAspectLocked(False)
        self.getPlotItem().hideButtons()
        self.classes = []
        for colour in CLASS_COLOURS:
            item = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(colour), antialias=False)
            item.setData([], [])
            self.addItem(item)
            self.classes.append(item)
        self.misread = pg.ScatterPlotItem(
            size=9, pen=pg.mkPen(MARK, width=1.5), brush=None, symbol="o"
        )
        self.addItem(self.misread)
        self.hover_ring = pg.ScatterPlotItem(
            size=14, pen=pg.mkPen(NEAR_BLACK, width=2), brush=None, symbol="o"
        )
        self.addItem(self.hover_ring)
        self.star = pg.ScatterPlotItem(
            size=26, pen=pg.mkPen(NEAR_BLACK, width=2), brush=pg.mkBrush(MARK), symbol="star"
        )
        self.star.setZValue(10)
        self.addItem(self.star)
        # Where the pushed input lands ("Push it"): a white star, joined to the drawing's.
        self.pushed = pg.ScatterPlotItem(
            size=24, pen=pg.mkPen(MARK, width=2.5), brush=pg.mkBrush(PAPER), symbol="star"
        )
        self.pushed.setZValue(9)
        self.push_line = pg.PlotDataItem(pen=pg.mkPen(NEAR_BLACK, width=1.5, style=DASH))
        self.push_line.setZValue(8)
        self.addItem(self.push_line)
        self.addItem(self.pushed)
        self.pushed_at: tuple[float, float] | None = None
        self.coords: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.drawing_at: tuple[float, float] | None = None
        self._wrong: np.ndarray | None = None
        self._show_misread = False
        self._hovered = -1
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_points(self, coords: np.ndarray, labels: np.ndarray, misread: np.ndarray) -> None:
        """Show float ``(n, 2)`` ``coords`` coloured by uint8 ``labels`` ``(n,)``; bool
        ``misread`` ``(n,)`` marks the digits the model gets wrong."""
        self.coords = np.asarray(coords, np.float32)
        self.labels = np.asarray(labels)
        self._wrong = np.asarray(misread, bool)
        for k, item in enumerate(self.classes):
            sel = self.labels == k
            item.setData(self.coords[sel, 0], self.coords[sel, 1])
        self._update_misread()
        self._hovered = -1
        self.hover_ring.setData([], [])
        lo = [float(v) for v in self.coords.min(axis=0)]
        hi = [float(v) for v in self.coords.max(axis=0)]
        self.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0.04)

    def clear_points(self) -> None:
        """No map (another model, or being computed)."""
        self.coords = None
        for item in (*self.classes, self.misread, self.hover_ring):
            item.setData([], [])

    def show_misread(self, on: bool) -> None:
        self._show_misread = bool(on)
        self._update_misread()

    def _update_misread(self) -> None:
        if self._show_misread and self.coords is not None and self._wrong is not None:
            self.misread.setData(self.coords[self._wrong, 0], self.coords[self._wrong, 1])
        else:
            self.misread.setData([], [])

    def set_drawing(self, xy: tuple[float, float] | None) -> None:
        """Put the star at ``xy`` (None: nothing drawn, no star)."""
        self.drawing_at = None if xy is None else (float(xy[0]), float(xy[1]))
        if xy is None:
            self.star.setData([], [])
        else:
            self.star.setData([self.drawing_at[0]], [self.drawing_at[1]])

    def set_pushed(self, xy: tuple[float, float] | None) -> None:
        """Put the white star (the pushed input) at ``xy`` (None: hide it)."""
        self.pushed_at = None if xy is None else (float(xy[0]), float(xy[1]))
        if xy is None or self.drawing_at is None:
            self.pushed_at = None
            self.pushed.setData([], [])
            self.push_line.setData([], [])
        else:
            self.pushed.setData([self.pushed_at[0]], [self.pushed_at[1]])
            self.push_line.setData(
                [self.drawing_at[0], self.pushed_at[0]], [self.drawing_at[1], self.pushed_at[1]]
            )

    def hover_at(self, index: int) -> None:
        """Ring the test digit ``index`` (-1: none) and emit :attr:`hovered`."""
        if index == self._hovered:
            return
        self._hovered = index
        if index < 0 or self.coords is None:
            self.hover_ring.setData([], [])
        else:
            self.hover_ring.setData([self.coords[index, 0]], [self.coords[index, 1]])
        self.hovered.emit(index)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        vb = self.getPlotItem().getViewBox()
        if self.coords is None or not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        px = vb.viewPixelSize()
        i = nearest_point(self.coords, p.x(), p.y(), HOVER_PIXELS * px[0], HOVER_PIXELS * px[1])
        self.hover_at(-1 if i is None else i)
