"""Live learning curves: loss and accuracy per batch (thin) and per epoch (training, validation).

Every curve item is created once; updates append to growing NumPy buffers and call
``setData`` in place. The x axis is in epochs (batch ``b`` of epoch ``e`` sits at
``e - 1 + b / batches``), so batch and epoch curves share one scale.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

_BATCH_PEN = pg.mkPen((120, 160, 220), width=1)
_TRAIN_PEN = pg.mkPen((31, 90, 200), width=2)
_VAL_PEN = pg.mkPen((220, 110, 20), width=2)


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


def _plot(title: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setTitle(title, color="#222", size="11pt")
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setMenuEnabled(False)
    plot.setMinimumHeight(160)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).setTextPen("#333")
        plot.getAxis(axis).setPen("#888")
        plot.getAxis(axis).enableAutoSIPrefix(False)
    return plot


class TrainingCurves(QWidget):
    """Two plots (loss, accuracy) fed by the training worker's progress and epoch signals."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = _plot("Loss", "cross-entropy")
        self.acc_plot = _plot("Accuracy", "accuracy")
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
            legend = plot.addLegend(offset=offset, labelTextColor="#222",
                                    brush=pg.mkBrush(255, 255, 255, 210))
            legend.setColumnCount(1)
            batch = plot.plot(pen=_BATCH_PEN, name="batches (epoch mean so far)")
            batch.setDownsampling(auto=True, method="peak")
            batch.setClipToView(True)
            train = plot.plot(pen=_TRAIN_PEN, symbol="o", symbolSize=7, symbolBrush=_TRAIN_PEN.color(),
                              symbolPen=None, name="epoch: training")
            val = plot.plot(pen=_VAL_PEN, symbol="s", symbolSize=7, symbolBrush=_VAL_PEN.color(),
                            symbolPen=None, name="epoch: validation")
            self.items[key] = (batch, train, val, column)
        self.reset()

    def reset(self, batches_per_epoch: int = 1) -> None:
        """Forget the previous run."""
        self._batches_per_epoch = max(1, int(batches_per_epoch))
        self._batches.clear()
        self._epochs.clear()
        for batch, train, val, _ in self.items.values():
            batch.setData([], [])
            train.setData([], [])
            val.setData([], [])

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
        for key in ("loss", "accuracy"):
            batch, _, _, column = self.items[key]
            y = self._batches.column(column)
            if finite.all():
                batch.setData(x, y)
            else:
                batch.setData(x[finite], y[finite])

    def add_epoch(self, epoch: int, logs: dict) -> None:
        """Per-epoch logs: loss, accuracy and, with validation, val_loss, val_accuracy."""
        self._epochs.extend([[epoch, logs.get("loss", np.nan), logs.get("accuracy", np.nan),
                              logs.get("val_loss", np.nan), logs.get("val_accuracy", np.nan)]])
        x = self._epochs.column(0)
        for key, (t_col, v_col) in (("loss", (1, 3)), ("accuracy", (2, 4))):
            _, train, val, _ = self.items[key]
            for item, col in ((train, t_col), (val, v_col)):
                y = self._epochs.column(col)
                ok = np.isfinite(y)
                item.setData(x[ok], y[ok])

    @property
    def batch_count(self) -> int:
        return self._batches.n

    @property
    def epoch_count(self) -> int:
        return self._epochs.n
