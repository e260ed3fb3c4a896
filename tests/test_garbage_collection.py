"""The window's process collects reference cycles only between events: a collection inside a
Qt call once destroyed a garbage menu there and froze the window (see
``digitlab.app.application.collect_garbage_between_events``)."""

from __future__ import annotations

import gc
import threading

import pytest
from gui_support import open_training_tab


def test_the_application_collects_cycles_on_its_event_loop_and_never_automatically(qtbot):
    from digitlab.app.application import application, collect_garbage_between_events

    app = application()
    collector = collect_garbage_between_events(app)
    assert collector is collect_garbage_between_events(app)  # one per application
    assert collector.timer.isActive() and collector.timer.interval() == 1000
    assert not gc.isenabled()

    class Cycle:
        pass

    a, b = Cycle(), Cycle()
    a.other, b.other = b, a
    gen0 = gc.get_threshold()[0]
    junk = [[] for _ in range(gen0 + 1)]  # tracked allocations past the first threshold
    del a, b
    qtbot.waitUntil(lambda: gc.get_count()[0] < gen0, timeout=5000)  # the timer collected
    del junk


def test_a_runs_thread_leaves_the_collection_to_the_window_while_it_owns_it(monkeypatch):
    from digitlab.model.nets import run_progress

    settled = []
    monkeypatch.setattr(run_progress, "settle_garbage", lambda: settled.append(True))
    assert not gc.isenabled()  # as in the window (and the tests)
    run_progress._settle_garbage()
    assert settled == []
    gc.enable()  # a process that collects by itself (the command line)
    try:
        run_progress._settle_garbage()
    finally:
        gc.disable()
    assert settled == [True]


@pytest.fixture
def tab(qtbot):
    yield from open_training_tab(qtbot)


@pytest.mark.slow
def test_the_train_tab_settles_a_finished_run_in_the_gui_thread(qtbot, monkeypatch, tab):
    from digitlab.model.nets import run_progress

    threads = []
    monkeypatch.setattr(
        run_progress, "settle_garbage", lambda: threads.append(threading.current_thread())
    )
    with qtbot.waitSignal(tab.run_finished, timeout=120_000):
        tab.start_training(validate=False, evaluate_after=False)
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=30_000)
    assert threads == [threading.main_thread()]
