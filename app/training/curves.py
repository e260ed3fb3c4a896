"""Live learning curves: loss and accuracy per batch (thin) and per epoch (training, validation).

Every curve item is created once; updates append to growing NumPy buffers and call
``setData`` in place. The x axis is in epochs (batch ``b`` of epoch ``e`` sits at
``e - 1 + b / batches``), so batch and epoch curves share one scale.

The view ranges are set by hand and move only in steps (x: 1, 2, 5, 10, ... epochs; loss:
to the next "nice" value above the highest loss seen; accuracy: 0..1), and the axes are
cached as pixmaps. With pyqtgraph's auto-range every update re-laid out and re-rendered the
axes' text: about 16 ms a repaint of the two plots on the GUI thread while training, against
about 1 ms this way.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QWidget

from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import DARK, MUTED, PAPER, TEXT

_TITLE = TEXT  # the plots' titles and legends
_BATCH_PEN = pg.mkPen((120, 160, 220), width=1)
_TRAIN_PEN = pg.mkPen((31, 90, 200), width=2)
_VAL_PEN = pg.mkPen((220, 110, 20), width=2)
_STOP_PEN = pg.mkPen((150, 150, 150), width=1, style=Qt.PenStyle.DashLine)


class _Buffer:
    """An append-only float64 ``(n, cols)`` array with amortised growth."""

    def __init__(self, cols: int):
        self._data = np.empty((256, cols))
        self.n = 0

    def extend(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, np.float64).reshape(-1, self._data.shape[1])
        need = self.n + len(rows)
        if need > len(self._data):
            grown = np.empty((max(need, 2 * len(self._data)), self._data.shape[1]))
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n : need] = rows
        self.n = need

    def clear(self) -> None:
        self.n = 0

    def column(self, i: int) -> np.ndarray:
        return self._data[: self.n, i]


def _legend_brush():
    """The plots' background, a little see-through (the curves show under the legend)."""
    colour = pg.mkColor(PAPER)
    colour.setAlpha(210)
    return pg.mkBrush(colour)


def _plot(title: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=PAPER)
    plot.setTitle(title, color=_TITLE, size="11pt")
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    plot.showGrid(x=True, y=True, alpha=0.25)
    # Room on the right for the last tick's label and an epoch marker at the right edge.
    plot.getPlotItem().setContentsMargins(0, 0, 14, 0)
    plot.setMenuEnabled(False)
    plot.setMinimumHeight(160)
    plot.disableAutoRange()
    plot.setMouseEnabled(x=False, y=False)
    for axis in ("left", "bottom"):
        item = plot.getAxis(axis)
        item.setTextPen(DARK)
        item.setPen(MUTED)
        item.enableAutoSIPrefix(False)
        item.setStyle(hideOverlappingLabels=False)  # the last epoch's label, in the margin
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return plot


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... (times powers of ten) that is >= ``value``."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5):
        top = step * 10.0**exponent
        if top >= value * (1 - 1e-9):
            return top
    return 10.0 ** (exponent + 1)


class TrainingCurves(QWidget):
    """Two plots (loss, accuracy) fed by the training worker's progress and epoch signals."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = _plot("Loss", "cross-entropy")
        self.acc_plot = _plot("Accuracy", "accuracy")
        self.acc_plot.setYRange(0, 1, padding=0.02)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.acc_plot)

        self._batches = _Buffer(3)  # x (epochs), loss, accuracy
        self._epochs = _Buffer(5)  # epoch, loss, accuracy, val_loss, val_accuracy
        self.items = {}
        for key, plot, column in (("loss", self.loss_plot, 1), ("accuracy", self.acc_plot, 2)):
            # Loss falls and accuracy rises: keep each legend in the corner the curve leaves.
            offset = (-10, 10) if key == "loss" else (-10, -10)
            legend = plot.addLegend(offset=offset, labelTextColor=_TITLE, brush=_legend_brush())
            legend.setColumnCount(1)
            batch = plot.plot(pen=_BATCH_PEN, name="batches (epoch mean so far)")
            batch.setDownsampling(auto=True, method="peak")
            batch.setClipToView(True)
            train = plot.plot(
                pen=_TRAIN_PEN,
                symbol="o",
                symbolSize=7,
                symbolBrush=_TRAIN_PEN.color(),
                symbolPen=None,
                name="epoch: training",
            )
            val = plot.plot(
                pen=_VAL_PEN,
                symbol="s",
                symbolSize=7,
                symbolBrush=_VAL_PEN.color(),
                symbolPen=None,
                name="epoch: validation",
            )
            self.items[key] = (batch, train, val, column)
        # Where a run was stopped part way (hidden otherwise): a dashed line, labelled.
        self.stop_lines = []
        for plot in (self.loss_plot, self.acc_plot):
            line = pg.InfiniteLine(
                angle=90,
                pen=_STOP_PEN,
                label="",
                labelOpts={"position": 0.92, "color": _TITLE, "anchors": [(1, 0), (1, 0)]},
            )
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self.stop_lines.append(line)
        self.reset()

    def reset(self, batches_per_epoch: int = 1, epochs: int | None = None) -> None:
        """Forget the previous run; ``epochs`` caps the x range (None: no cap)."""
        self._batches_per_epoch = max(1, int(batches_per_epoch))
        self._max_epochs = epochs
        self._batches.clear()
        self._epochs.clear()
        for batch, train, val, _ in self.items.values():
            batch.setData([], [])
            train.setData([], [])
            val.setData([], [])
        for line in self.stop_lines:
            line.setVisible(False)
        self.stopped_at: float | None = None
        self._loss_max = 0.0
        self._x_top = self._y_top = None
        self._fit_ranges(0.0, np.empty(0))

    def _fit_ranges(self, x_max: float, losses: np.ndarray) -> None:
        """Widen the fixed ranges in steps when the data (up to epoch ``x_max``, with the new
        ``losses``, NaN allowed) outgrows them (rarely)."""
        finite = losses[np.isfinite(losses)]
        if len(finite):
            self._loss_max = max(self._loss_max, float(finite.max()))
        x_top = nice_ceiling(max(x_max, 1.0))
        if self._max_epochs:
            x_top = min(x_top, max(float(self._max_epochs), x_max))
        y_top = nice_ceiling(max(self._loss_max, 1.0) * 1.05)
        if x_top != self._x_top:
            self._x_top = x_top
            for plot in (self.loss_plot, self.acc_plot):
                plot.setXRange(0, x_top, padding=0.02)
        if y_top != self._y_top:
            self._y_top = y_top
            self.loss_plot.setYRange(0, y_top, padding=0.02)

    def add_batches(self, points: np.ndarray, batches_per_epoch: int) -> None:
        """``points`` ``(k, 3)``: global step (1-based), loss, accuracy."""
        self._batches_per_epoch = max(1, int(batches_per_epoch))
        points = np.asarray(points, np.float64)
        if not len(points):
            return
        rows = points.copy()
        rows[:, 0] = points[:, 0] / self._batches_per_epoch
        # A NaN loss would blank the whole curve in pyqtgraph; keep the finite part visible.
        rows[~np.isfinite(rows)] = np.nan
        self._batches.extend(rows)
        x = self._batches.column(0)
        finite = np.isfinite(self._batches.column(1))
        self._fit_ranges(float(np.nanmax(x)), rows[:, 1])
        for key in ("loss", "accuracy"):
            batch, _, _, column = self.items[key]
            y = self._batches.column(column)
            if finite.all():
                batch.setData(x, y)
            else:
                batch.setData(x[finite], y[finite])

    def add_epoch(self, epoch: int, logs: dict) -> None:
        """Per-epoch logs: loss, accuracy and, with validation, val_loss, val_accuracy."""
        self._epochs.extend(
            [
                [
                    epoch,
                    logs.get("loss", np.nan),
                    logs.get("accuracy", np.nan),
                    logs.get("val_loss", np.nan),
                    logs.get("val_accuracy", np.nan),
                ]
            ]
        )
        x = self._epochs.column(0)
        self._fit_ranges(
            float(x.max()),
            np.asarray([logs.get("loss", np.nan), logs.get("val_loss", np.nan)], np.float64),
        )
        for key, (t_col, v_col) in (("loss", (1, 3)), ("accuracy", (2, 4))):
            _, train, val, _ = self.items[key]
            for item, col in ((train, t_col), (val, v_col)):
                y = self._epochs.column(col)
                ok = np.isfinite(y)
                item.setData(x[ok], y[ok])

    def mark_stopped(self, text: str) -> None:
        """The run stopped part way: a dashed line labelled ``text`` after its last batch
        (at 0 when none finished); the curves end there."""
        x = self._batches.column(0)
        self.stopped_at = float(np.nanmax(x)) if len(x) else 0.0
        for line in self.stop_lines:
            line.setVisible(True)  # first: a hidden line's label does not update
            line.setValue(self.stopped_at)
            line.label.setFormat(text)

    @property
    def batch_count(self) -> int:
        return self._batches.n

    @property
    def epoch_count(self) -> int:
        return self._epochs.n
