"""While a training run trains, live answers come a few times a second, the newest last."""

from __future__ import annotations

import numpy as np
from gui_support import shared_core

from digitlab.app.live.answer_pace import AnswerPace
from digitlab.app.live.live_models import LiveModels
from digitlab.model.preprocess.strokes import Stroke

TIMEOUT_MS = 60_000
CANVAS = (280.0, 280.0)


def test_unpaced_every_call_runs_at_once(qtbot):
    pace = AnswerPace(interval_ms=60_000)
    ran = []
    for i in range(5):
        pace.submit(lambda i=i: ran.append(i))
    assert ran == [0, 1, 2, 3, 4]


def test_paced_a_burst_runs_its_first_call_then_only_its_newest(qtbot):
    pace = AnswerPace(interval_ms=50)
    pace.set_paced(True)
    ran = []
    for i in range(20):
        pace.submit(lambda i=i: ran.append(i))
    assert ran == [0]  # the first at once; the rest wait for their turn
    qtbot.waitUntil(lambda: ran == [0, 19], timeout=TIMEOUT_MS)


def test_a_call_waiting_when_pacing_ends_runs_at_once_and_a_dropped_one_never(qtbot):
    pace = AnswerPace(interval_ms=60_000)
    pace.set_paced(True)
    ran = []
    pace.submit(lambda: ran.append("first"))
    pace.submit(lambda: ran.append("waiting"))
    assert ran == ["first"]
    pace.set_paced(False)
    assert ran == ["first", "waiting"]
    pace.set_paced(True)
    pace.submit(lambda: ran.append("stale"))
    pace.drop()
    pace.set_paced(False)
    assert ran == ["first", "waiting"]


def _drawing(revision: int) -> list[Stroke]:
    return [Stroke(np.array([[80.0 + revision, 70], [200, 70], [130, 230]]))]


def test_while_a_run_trains_a_burst_of_drawings_gets_two_answers_the_newest_last(qtbot):
    live = LiveModels(core_factory=shared_core)
    results = []
    live.result.connect(results.append)
    try:
        with qtbot.waitSignal(live.models_ready, timeout=TIMEOUT_MS):
            live.start()
        live.pace_answers(True)
        for revision in range(1, 21):
            live.request(revision, _drawing(revision), CANVAS)
        qtbot.waitUntil(lambda: bool(results) and results[-1].revision == 20, timeout=TIMEOUT_MS)
        assert [r.revision for r in results] == [1, 20]
        assert all(r.probabilities for r in results)
        # Clearing still answers at once, and the run's end brings back an answer per change.
        live.request(21, [], CANVAS)
        assert results[-1].revision == 21 and results[-1].empty
        live.pace_answers(False)
        live.request(22, _drawing(22), CANVAS)
        live.request(23, _drawing(23), CANVAS)
        qtbot.waitUntil(lambda: results[-1].revision == 23, timeout=TIMEOUT_MS)
    finally:
        live.stop()
    assert live.is_finished()
