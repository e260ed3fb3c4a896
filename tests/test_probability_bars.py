"""One model's bars: the top answer in the model's colour, the other model's answer outlined,
and both follow the answer from one drawing to the next."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from digitlab.app.draw.probability_plot import BAR_IDLE, ProbabilityPlot
from digitlab.app.widgets.styles import MODEL_COLOURS


def _probs(top: int) -> np.ndarray:
    p = np.full(10, 0.02, np.float32)
    p[top] = 0.82
    return p


def _colours(plot: ProbabilityPlot) -> list[str]:
    return [b.color().name() for b in plot.bars.brushes]


def _outlined(plot: ProbabilityPlot) -> list[int]:
    return [i for i, pen in enumerate(plot.bars.pens) if pen.style() != Qt.PenStyle.NoPen]


def test_the_top_bar_takes_the_models_colour_and_the_other_answer_is_outlined(qtbot):
    plot = ProbabilityPlot("cnn")
    qtbot.addWidget(plot)
    plot.show_probabilities(_probs(7), revision=1, other_top=1)
    colours = _colours(plot)
    assert colours[7] == MODEL_COLOURS["cnn"] and set(colours[:7] + colours[8:]) == {BAR_IDLE}
    assert _outlined(plot) == [1]
    # the next drawing: same answer, new heights; then a new answer moves the colour
    plot.show_probabilities(_probs(7) * 0.9, revision=2, other_top=1)
    assert np.asarray(plot.bars.heights)[7] == np.float32(0.82 * 0.9)
    assert _colours(plot)[7] == MODEL_COLOURS["cnn"] and _outlined(plot) == [1]
    plot.show_probabilities(_probs(3), revision=3, other_top=3)
    colours = _colours(plot)
    assert colours[3] == MODEL_COLOURS["cnn"] and colours[7] == BAR_IDLE
    assert _outlined(plot) == []  # both models agree: nothing outlined
    plot.show_probabilities(None, revision=4)
    plot.show_probabilities(_probs(3), revision=5, other_top=None)
    assert _colours(plot)[3] == MODEL_COLOURS["cnn"]
