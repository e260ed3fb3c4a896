"""The "Push it" page: a slider per change, the changed input, both answers, and per slider
a curve of each model's probability for the answer over the slider's whole range.

The curves' items are made once (two lines, one cursor line and one flip scatter per
slider) and updated in place; the probability axis is fixed at 0..1.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.explore.digit_views import DigitImage
from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import ATTENTION, HINT_STYLE, MUTED, model_colour
from digitlab.model.explore.push import SLIDERS, PushResult, PushSettings, Slider
from digitlab.model.nets.wording import model_title

STEPS = 100
"""Slider positions over each range."""


def _value(slider: Slider, position: int) -> float:
    return slider.low + (slider.high - slider.low) * position / STEPS


def _ticks(slider: Slider) -> list[tuple[float, str]]:
    """Ticks at a quarter and three quarters of the range (labels at the very ends get
    clipped, and three labels crowd a small plot)."""
    step = (slider.high - slider.low) / 4
    return [(v, f"{v:g}") for v in (slider.low + step, slider.high - step)]


def _position(slider: Slider, value: float) -> int:
    return int(round((value - slider.low) / (slider.high - slider.low) * STEPS))


class PushPage(QWidget):
    """:attr:`sliders` name -> QSlider, :attr:`pushed` (the changed input),
    :attr:`answer_label`, :attr:`plots` name -> PlotItem, :attr:`lines` name -> model ->
    PlotDataItem, :attr:`flips` name -> ScatterPlotItem (the plots exist once the page
    has been shown or given a result)."""

    # The settings changed: PushSettings.
    changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pushed = DigitImage(112)
        self.answer_label = QLabel("Draw a digit (under the map), then move a slider.")
        self.answer_label.setWordWrap(True)
        reset = QPushButton("Reset sliders")
        reset.clicked.connect(self.reset)
        reset.setToolTip("Put every slider back to no change")
        note = QLabel(
            "Each change goes through the preprocessing: strokes thickened, the drawing "
            "turned or cut, then fitted and centred again; scale and shift move that fit; "
            "blur and noise change the 28x28 input. Curves: each model's probability for "
            "the CNN's answer over the slider's whole range; dots mark where an answer flips."
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        top = QHBoxLayout()
        top.addWidget(self.pushed)
        side = QVBoxLayout()
        side.addWidget(self.answer_label)
        side.addWidget(reset, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        top.addLayout(side, 1)

        self.sliders: dict[str, QSlider] = {}
        self.value_labels: dict[str, QLabel] = {}
        self.curves_widget = pg.GraphicsLayoutWidget()
        self.plots, self.lines, self.cursors, self.flips = {}, {}, {}, {}
        grid = QGridLayout()
        grid.setVerticalSpacing(2)
        for i, s in enumerate(SLIDERS):
            label = QLabel()
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, STEPS)
            slider.setValue(_position(s, s.neutral))
            slider.valueChanged.connect(lambda _v, name=s.name: self._on_slider(name))
            slider.setToolTip(f"{s.title}: drag to change the input and watch the answers")
            self.sliders[s.name], self.value_labels[s.name] = slider, label
            grid.addWidget(label, (i // 2) * 2, i % 2)
            grid.addWidget(slider, (i // 2) * 2 + 1, i % 2)
            self._update_label(s.name)
        self.curves_widget.setMinimumHeight(220)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addWidget(self.curves_widget, 1)

    def _make_plots(self) -> None:
        """The eight curve plots, made when the page is first shown or given a result (a
        fifth of the window's construction time, and most people never open this page)."""
        if self.plots:
            return
        for i, s in enumerate(SLIDERS):
            plot = self.curves_widget.addPlot(row=i // 4, col=i % 4, title=s.title)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.setXRange(s.low, s.high, padding=0.02)
            plot.setYRange(0, 1, padding=0.05)
            plot.getAxis("left").setTicks([[(0, "0"), (0.5, ""), (1, "1")]])
            plot.getAxis("bottom").setTicks([_ticks(s)])
            plot.titleLabel.setText(s.title, size="8pt")
            self.plots[s.name] = plot
            self.lines[s.name] = {}
            self.cursors[s.name] = pg.InfiniteLine(s.neutral, pen=pg.mkPen(MUTED, width=1))
            plot.addItem(self.cursors[s.name])
            self.flips[s.name] = pg.ScatterPlotItem(
                size=7, pen=None, brush=pg.mkBrush(ATTENTION), symbol="o"
            )
            plot.addItem(self.flips[s.name])
            self.cursors[s.name].setValue(self.value(s.name))

    def showEvent(self, event) -> None:
        self._make_plots()
        super().showEvent(event)

    def settings(self) -> PushSettings:
        return PushSettings({s.name: self.value(s.name) for s in SLIDERS})

    def value(self, name: str) -> float:
        slider = next(s for s in SLIDERS if s.name == name)
        return _value(slider, self.sliders[name].value())

    def set_value(self, name: str, value: float) -> None:
        slider = next(s for s in SLIDERS if s.name == name)
        self.sliders[name].setValue(_position(slider, value))

    def reset(self) -> None:
        for s in SLIDERS:
            self.sliders[s.name].blockSignals(True)
            self.sliders[s.name].setValue(_position(s, s.neutral))
            self.sliders[s.name].blockSignals(False)
            self._update_label(s.name)
        self.changed.emit(self.settings())

    def _update_label(self, name: str) -> None:
        s = next(x for x in SLIDERS if x.name == name)
        v = self.value(name)
        shown = f"{v:.0f}" if abs(s.high - s.low) >= 10 else f"{v:.2f}"
        self.value_labels[name].setText(f"{s.title}: {shown}{s.unit}")
        if name in self.cursors:
            self.cursors[name].setValue(v)

    def _on_slider(self, name: str) -> None:
        self._update_label(name)
        self.changed.emit(self.settings())

    def clear(self, note: str) -> None:
        self.pushed.show_image(None)
        self.answer_label.setText(note)
        for name in self.lines:
            for line in self.lines[name].values():
                line.setData([], [])
            self.flips[name].setData([], [])

    def show_result(self, result: PushResult) -> None:
        """Show the changed input, both answers and every curve."""
        self._make_plots()
        self.pushed.show_image(result.image)
        parts = []
        for name, p in result.probabilities.items():
            top = int(np.argmax(p))
            parts.append(
                f'<span style="color:{model_colour(name)}"><b>{model_title(name)}</b></span> '
                f"reads {top} ({p[top]:.0%})"
            )
        self.answer_label.setText("; ".join(parts) + " (the curves in the same colours)")
        for s in SLIDERS:
            curve = result.curves[s.name]
            flips_x, flips_y = [], []
            for model, probs in curve.probabilities.items():
                line = self.lines[s.name].get(model)
                if line is None:
                    line = self.plots[s.name].plot(pen=pg.mkPen(model_colour(model), width=2))
                    self.lines[s.name][model] = line
                line.setData(curve.values, probs)
                for x in curve.flips.get(model, ()):
                    flips_x.append(x)
                    flips_y.append(float(np.interp(x, curve.values, probs)))
            self.flips[s.name].setData(flips_x, flips_y)
