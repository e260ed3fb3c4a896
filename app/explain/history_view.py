"""How the answer changed, stroke by stroke: both models' top probability after each stroke
(:class:`HistoryPlot`), in a box with the replay button (:class:`HistoryPanel`).

The points come from :func:`digitlab.model.explain.readings.history_points`; the replay is
:class:`digitlab.app.explain.replay.StrokeReplay`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout

from digitlab.app.explain.replay import PreviewCanvas, StrokeReplay
from digitlab.app.explain.view_parts import hint
from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import ATTENTION, model_colour
from digitlab.model.explain.readings import history_points
from digitlab.model.nets.wording import model_title

REPLAY = "Replay the drawing"
STOP = "Stop the replay"


class HistoryPlot(pg.PlotWidget):
    """Both models' top probability after each stroke, the digit read written at each point,
    and a cursor for the replay."""

    MAX_LABELS = 40

    def __init__(self, names=("cnn", "dense"), parent=None):
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.setYRange(0, 1.12, padding=0)
        plot.getAxis("left").setTicks([[(0, "0%"), (0.5, "50%"), (1.0, "100%")]])
        plot.setLabel("bottom", "strokes")
        plot.setLabel("left", "top probability")
        plot.showGrid(y=True, alpha=0.25)
        # Bottom right: the points (top probabilities) sit high, and the newest on the right.
        self.legend = plot.addLegend(offset=(-8, -8), labelTextSize="8pt")
        self.curves = {}
        self.labels: dict[str, list[pg.TextItem]] = {}
        for name in names:
            colour = model_colour(name)
            self.curves[name] = plot.plot(
                [],
                [],
                pen=pg.mkPen(colour, width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=colour,
                symbolPen=None,
                name=model_title(name),
            )
            self.labels[name] = []
        self.cursor = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(ATTENTION, width=2, style=Qt.PenStyle.DashLine)
        )
        self.cursor.setVisible(False)
        plot.addItem(self.cursor)
        self.history: dict[str, np.ndarray] = {}

    def _label(self, name: str, i: int) -> pg.TextItem:
        items = self.labels[name]
        while len(items) <= i:
            item = pg.TextItem(
                "",
                color=model_colour(name),
                anchor=(0.5, 1.0 if name == "cnn" else 0.0),
            )
            self.getPlotItem().addItem(item)
            items.append(item)
        return items[i]

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        """``history``: model -> float ``(strokes, classes)`` (NaN rows: nothing drawn yet)."""
        self.history = history
        n = max((len(h) for h in history.values()), default=0)
        self.getPlotItem().setXRange(0.5, max(n, 1) + 0.5, padding=0)
        ticks = [(i, str(i)) for i in range(1, n + 1)] if n <= 20 else None
        self.getPlotItem().getAxis("bottom").setTicks([ticks] if ticks else None)
        for name, curve in self.curves.items():
            h = history.get(name)
            if h is None or len(h) == 0:
                curve.setData([], [])
                for item in self.labels[name]:
                    item.setVisible(False)
                continue
            x, top, read = history_points(h)
            curve.setData(x, top, connect="finite")
            shown = min(len(h), self.MAX_LABELS)
            for i in range(shown):
                item = self._label(name, i)
                if read[i] < 0:
                    item.setVisible(False)
                    continue
                item.setText(str(int(read[i])))
                item.setPos(x[i], top[i] + (0.02 if name == "cnn" else -0.02))
                item.setVisible(True)
            for item in self.labels[name][shown:]:
                item.setVisible(False)

    def set_cursor(self, strokes: float | None) -> None:
        """Mark ``strokes`` on the x axis (None: no mark)."""
        if strokes is None:
            self.cursor.setVisible(False)
        else:
            self.cursor.setValue(strokes)
            self.cursor.setVisible(True)


class HistoryPanel(QGroupBox):
    """The answer's history with a button that replays the drawing on ``canvas`` (while it
    plays, the history of the whole drawing stays up, with a cursor at the frame shown)."""

    def __init__(self, canvas: PreviewCanvas, parent=None):
        super().__init__("How the answer changed, stroke by stroke", parent)
        self.plot = HistoryPlot()
        self.replay = StrokeReplay(canvas, self)
        self.replay.moved.connect(self.plot.set_cursor)
        self.replay.finished.connect(self._on_replay_finished)
        self.replay_button = QPushButton(REPLAY)
        self.replay_button.setToolTip("Redraw your strokes one by one and watch both answers move")
        self.replay_button.clicked.connect(self.toggle_replay)
        self.note = hint(
            "Each point is the top probability after a stroke; the digit above it "
            "is the class read then."
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.plot, 1)
        row = QHBoxLayout()
        row.addWidget(self.replay_button)
        row.addWidget(self.note, 1)
        layout.addLayout(row)

    @property
    def replaying(self) -> bool:
        return self.replay.running

    def toggle_replay(self) -> None:
        """Start the replay, or stop the one playing."""
        if self.replay.running:
            self.replay.stop()
        elif self.replay.start():
            self.replay_button.setText(STOP)

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        """Show the drawing's history (kept as it is while a replay plays its frames)."""
        if not self.replaying:
            self.plot.show_history(history)

    def _on_replay_finished(self) -> None:
        self.plot.set_cursor(None)
        self.replay_button.setText(REPLAY)
