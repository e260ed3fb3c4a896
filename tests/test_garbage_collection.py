"""The window's process collects reference cycles only between events: a collection inside a
Qt call once destroyed a garbage menu there and froze the window (see
``digitlab.app.application.collect_garbage_between_events``)."""

from __future__ import annotations

import gc


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
