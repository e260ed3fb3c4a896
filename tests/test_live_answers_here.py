"""While NumPy runs the live models, the window's own thread answers a drawing: once per
burst of pen moves, for the newest drawing, with the models live at that moment; a model
only TensorFlow can run sends the drawings back to the inference thread."""

from __future__ import annotations

import numpy as np
import pytest
from model_support import dropout_model

from digitlab.app.live.live_models import LiveModels
from digitlab.model.preprocess.strokes import Stroke

TIMEOUT_MS = 60_000
CANVAS = (280.0, 280.0)


def _seven(revision: int) -> list[Stroke]:
    """A seven, moved a little with each revision (every drawing differs)."""
    return [Stroke(np.array([[80.0, 70], [200, 70], [130, 230]]) + [revision % 5, 0])]


@pytest.fixture
def live(qtbot):
    live = LiveModels()  # the bundled models: the NumPy path
    results = []
    live.result.connect(results.append)
    live.results = results
    with qtbot.waitSignal(live.models_ready, timeout=TIMEOUT_MS):
        live.start()
    yield live
    live.stop()


def _answered(qtbot, live, revision: int):
    qtbot.waitUntil(
        lambda: bool(live.results) and live.results[-1].revision == revision, timeout=TIMEOUT_MS
    )
    return live.results[-1]


def test_a_burst_of_pen_moves_gets_one_answer_for_the_newest_drawing(qtbot, live):
    runs = live.runs
    for revision in range(1, 16):  # fifteen moves arrive before the window gets to answer
        live.request(revision, _seven(revision), CANVAS)
    result = _answered(qtbot, live, 15)
    assert [r.revision for r in live.results] == [15]
    assert int(result.probabilities["cnn"].argmax()) == 7
    assert result.coloured["cnn"]["conv1"].dtype == np.uint32  # ready to show as it is
    assert live.runs == runs + 1
    assert live.worker.runs == 0  # the inference thread was never asked


def test_clearing_drops_a_drawing_still_waiting_for_its_answer(qtbot, live):
    live.request(1, _seven(1), CANVAS)
    live.request(2, [], CANVAS)  # cleared before the window got to answer the seven
    assert live.results[-1].revision == 2 and live.results[-1].empty
    live.request(3, _seven(3), CANVAS)  # the next drawing is answered; the seven never was
    _answered(qtbot, live, 3)
    assert [r.revision for r in live.results] == [2, 3]


def test_a_model_swapped_in_answers_from_the_next_drawing(qtbot, live):
    from digitlab.model.nets.architectures import build

    model = build("dense")  # untrained: its answer differs from the bundled one's
    with qtbot.waitSignal(live.model_set, timeout=TIMEOUT_MS):
        live.set_model("dense", model)
    live.request(3, _seven(3), CANVAS)
    result = _answered(qtbot, live, 3)
    want = model(result.preprocessed.image[None, ..., None]).numpy()[0]
    np.testing.assert_allclose(result.probabilities["dense"], want, atol=1e-5)
    assert live.worker.runs == 0


def test_a_model_only_tensorflow_runs_sends_drawings_to_the_inference_thread(qtbot, live):
    with qtbot.waitSignal(live.model_set, timeout=TIMEOUT_MS):
        live.set_model("dense", dropout_model())
    live.request(4, _seven(4), CANVAS)
    result = _answered(qtbot, live, 4)
    assert "drop" in result.activations["dense"]
    assert live.worker.runs == 1


def test_while_another_tab_covers_the_maps_the_inference_thread_answers(qtbot, live):
    live.set_maps_wanted(False)  # e.g. the Train tab shows a run: nobody watches the pen
    live.request(5, _seven(5), CANVAS)
    result = _answered(qtbot, live, 5)
    assert int(result.probabilities["cnn"].argmax()) == 7 and not result.coloured
    assert live.worker.runs == 1
    live.set_maps_wanted(True)
    live.request(6, _seven(6), CANVAS)
    _answered(qtbot, live, 6)
    assert live.worker.runs == 1  # answered here again
