"""What a screen reader hears on the Draw tab: the paper, the bars, the 28x28 input and the
maps are named and described, and the bars' description follows every answer."""

import numpy as np
import pytest

from digitlab.app.draw.activation_view import ActivationView
from digitlab.app.draw.canvas import DrawingCanvas
from digitlab.app.draw.input_view import InputView
from digitlab.app.draw.number_canvas import NumberCanvas
from digitlab.app.draw.probability_panel import ProbabilityPanel
from digitlab.model.nets.live_answer import LiveResult
from digitlab.model.preprocess.frame import Preprocessed, empty_input


def _drawn():
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:16] = 1.0
    return Preprocessed(image=image, empty=False)


@pytest.mark.parametrize("widget", [DrawingCanvas, NumberCanvas, ActivationView])
def test_the_paper_and_the_maps_have_a_name_and_say_what_they_do(qtbot, widget):
    view = widget()
    qtbot.addWidget(view)
    assert view.accessibleName()
    assert len(view.accessibleDescription()) > 40


def test_the_28x28_input_is_named(qtbot):
    view = InputView()
    qtbot.addWidget(view)
    assert "28" in view.view.accessibleName()
    assert view.view.accessibleDescription()


def test_each_models_bars_are_named_and_describe_the_latest_answer_in_words(qtbot):
    panel = ProbabilityPanel()
    qtbot.addWidget(panel)
    assert panel.plots["cnn"].accessibleName() == "CNN probability bars"
    assert panel.plots["dense"].accessibleName() == "Dense network probability bars"
    cnn = np.zeros(10, np.float32)
    cnn[7], cnn[1] = 0.98, 0.02
    dense = np.full(10, 0.05, np.float32)
    dense[4] = 0.55
    probs = {"cnn": cnn, "dense": dense}
    panel.update_result(LiveResult(1, _drawn(), probs, known={"cnn": True, "dense": False}))
    assert panel.plots["cnn"].accessibleDescription() == "CNN reads 7, 98%; next 1, 2%"
    assert (
        panel.plots["dense"]
        .accessibleDescription()
        .startswith("Dense network: not a digit? best guess 4, 55%")
    )
    panel.update_result(LiveResult(2, empty_input()))
    assert panel.plots["cnn"].accessibleDescription() == "CNN: waiting for a drawing"
