"""Helpers shared by the GUI tests: one InferenceCore per test session (loading costs seconds)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def shared_core():
    """The bundled models, loaded once; hand it to ``LiveModels(core_factory=...)``.

    Only one inference thread uses it at a time (each test stops its window's thread).
    """
    from digitlab.model.nets.inference import InferenceCore

    return InferenceCore()


class LiveStub:
    """Stands in for the main window's LiveModels: records ``set_model`` calls as
    ``(name, model)``; restoring the digit models is recorded as the two ``set_model`` calls
    of the bundled files it amounts to."""

    def __init__(self):
        self.calls = []
        self.paced: list[bool] = []  # pace_answers calls: True while a run trains

    def set_model(self, name, model, source=""):
        self.calls.append((name, model))

    def pace_answers(self, paced):
        self.paced.append(bool(paced))

    def show_models(self, models, class_names=None, sources=None):
        self.calls.append(("show_models", models, class_names))

    def restore_digit_models(self):
        from digitlab.model.data.bundled import bundled_model_path

        for name in ("cnn", "dense"):
            self.set_model(name, bundled_model_path(name))


TINY_RUN = {
    "architecture": "dense",
    "epochs": 1,
    "batch_size": 64,
    "train_size": 256,
    "augment": False,
    "learning_rate": 2e-3,
    "seed": 0,
}
"""A training set-up that runs in seconds: the dense network, one epoch of 256 digits."""


def open_training_tab(qtbot, settings=TINY_RUN):
    """A :class:`TrainingTab` on a :class:`LiveStub`, showing ``settings``. A generator for a
    fixture: yields the tab, then checks that it shut down."""
    from digitlab.app.training.tab import TrainingTab

    view = TrainingTab(LiveStub())
    qtbot.addWidget(view)
    view.apply_settings(settings)
    yield view
    assert view.shutdown()


WINDOW_TIMEOUT_MS = 60_000
"""How long a test waits for the window's models to load."""


def open_window(qtbot, **options):
    """A shown :class:`MainWindow` (no training tab) on :func:`shared_core`, models ready.

    ``options`` go to :class:`MainWindow` (e.g. ``personal_samples=``). A generator for a
    fixture: yields the window, then closes it and checks that its inference thread was joined.
    """
    from digitlab.app.live.live_models import LiveModels
    from digitlab.app.main_window import MainWindow

    core = shared_core()
    win = MainWindow(LiveModels(core_factory=lambda: core), with_training=False, **options)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        win.show()
    yield win
    win.close()
    assert win.live.is_finished()


def wait_for_maps(qtbot, window) -> None:
    """Wait until the Draw tab's activation maps are laid out for every live model: a new
    model set's maps are laid out just after its first answer is painted, not with it."""

    def laid_out():
        assert set(window.draw_tab.probabilities.plots) == set(window.live.infos)
        assert window.draw_tab.screenshot_ready()

    qtbot.waitUntil(laid_out, timeout=WINDOW_TIMEOUT_MS)
