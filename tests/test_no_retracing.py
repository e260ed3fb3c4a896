"""Swapping live models again and again ("Use this model" on the Train tab) prints no
TensorFlow "retracing" warning: each model's graph is traced once, for itself."""

from __future__ import annotations

import logging

import numpy as np
import pytest

TIMEOUT_MS = 60_000


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def tf_warnings():
    """The warnings TensorFlow logs meanwhile (its logger is ``"tensorflow"``)."""
    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

    import_tensorflow_quietly()
    handler = _Records()
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def test_swapping_the_live_models_again_and_again_traces_each_graph_once(tf_warnings):
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.inference import InferenceCore, copy_model
    from digitlab.model.nets.model_files import load_model

    core = InferenceCore()
    dense = load_model(bundled_model_path("dense"))
    probe = np.zeros((1, 28, 28, 1), np.float32)
    for _ in range(7):
        core.set_model("dense", copy_model(dense))
        core.run(probe)
    assert not [m for m in tf_warnings if "retracing" in m]


@pytest.mark.slow
def test_use_this_model_again_and_again_prints_no_retracing_warning(qtbot, tf_warnings):
    from digitlab.app.live.live_models import LiveModels
    from digitlab.app.training.tab import TrainingTab
    from digitlab.model.nets.inference import InferenceCore

    # The TensorFlow core, as for a model the NumPy core cannot run.
    live = LiveModels(core_factory=InferenceCore)
    tab = TrainingTab(live)
    qtbot.addWidget(tab)
    try:
        with qtbot.waitSignal(live.models_ready, timeout=TIMEOUT_MS):
            live.start()
        for key in ("bundled:dense", "bundled:cnn") * 3:
            tab.model_choice.setCurrentIndex(tab.model_choice.findData(key))
            with qtbot.waitSignal(live.model_set, timeout=TIMEOUT_MS):
                assert tab.use_current()
    finally:
        assert tab.shutdown()
        assert live.stop()
    assert not [m for m in tf_warnings if "retracing" in m]
