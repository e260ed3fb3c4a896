"""The Draw tab's bars when a model does not know the drawing: dimmed, worded, best guess kept."""

import numpy as np
import pytest

from digitlab.app.draw.probability_panel import ProbabilityPanel
from digitlab.app.draw.probability_plot import UNKNOWN_OPACITY
from digitlab.model.nets.live_answer import LiveResult
from digitlab.model.preprocess.frame import Preprocessed


def _drawn():
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:16] = 1.0
    return Preprocessed(image=image, empty=False)


def _flat_with_top(top: int, p: float) -> np.ndarray:
    probs = np.full(10, (1.0 - p) / 9, np.float32)
    probs[top] = p
    return probs


@pytest.fixture
def panel(qtbot):
    view = ProbabilityPanel()
    qtbot.addWidget(view)
    return view


def test_a_letter_neither_model_knows_dims_both_bars_and_says_so(panel):
    probs = {"cnn": _flat_with_top(4, 0.38), "dense": _flat_with_top(4, 0.31)}
    panel.update_result(LiveResult(1, _drawn(), probs, known={"cnn": False, "dense": False}))
    assert panel.banner.text() == "That doesn't look like a digit"
    assert "not a digit? best guess 4, 38%" in panel.headers["cnn"].text()
    assert all(not plot.known for plot in panel.plots.values())
    assert panel.plots["cnn"].bars.opacity() == pytest.approx(UNKNOWN_OPACITY)
    # Nothing is hidden: the best guess's bar keeps its height.
    assert panel.plots["cnn"].bars.heights[4] == pytest.approx(0.38)


def test_a_digit_both_models_know_is_shown_in_full(panel):
    probs = {"cnn": _flat_with_top(7, 0.97), "dense": _flat_with_top(7, 0.9)}
    panel.update_result(LiveResult(2, _drawn(), probs, known={"cnn": True, "dense": True}))
    assert panel.banner.text() == "Both models read 7"
    assert "reads 7" in panel.headers["dense"].text()
    assert panel.plots["dense"].bars.opacity() == pytest.approx(1.0)


def test_when_only_one_model_knows_the_banner_names_both_views(panel):
    probs = {"cnn": _flat_with_top(1, 0.99), "dense": _flat_with_top(7, 0.3)}
    panel.update_result(LiveResult(3, _drawn(), probs, known={"cnn": True, "dense": False}))
    assert panel.banner.text() == "CNN reads 1 · Dense network: not a digit?"
    assert panel.plots["cnn"].known and not panel.plots["dense"].known
