"""A digit model put live with "Use this model" is live again at the next start; an unreadable
remembered file leaves the bundled model live with a one-line message; "Restore bundled
models" forgets. The files are written in the background, in the order asked."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import WINDOW_TIMEOUT_MS, LiveStub, shared_core

from digitlab.app.storage import DATA_DIR_ENV
from digitlab.model.nets.model_files import ModelFileError
from digitlab.model.nets.remembered import RememberedModels

PROBE = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """A user data folder of the test's own: what one start leaves, the next one finds."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


def _untrained(arch: str):
    """A freshly initialised model: its answers are nothing like the bundled model's."""
    import keras

    from digitlab.model.nets.architectures import build

    keras.utils.set_random_seed(7)
    return build(arch)


def _new_window(qtbot, live_models=None):
    from digitlab.app.live.live_models import LiveModels
    from digitlab.app.main_window import MainWindow

    core = shared_core()
    live = live_models or LiveModels(core_factory=lambda: core)
    win = MainWindow(live, with_training=False)
    qtbot.addWidget(win)
    return win


def _answer(qtbot, win):
    from digitlab.app.selftest.support import draw_digit

    canvas = win.draw_tab.canvas
    draw_digit(canvas, 7)
    qtbot.waitUntil(
        lambda: win.live.latest is not None and win.live.latest.revision == canvas.revision,
        timeout=WINDOW_TIMEOUT_MS,
    )
    return win.live.latest


# --------------------------------------------------------------------------- the files


def test_a_remembered_model_reads_back_the_same_and_forget_after_remember_wins(tmp_path):
    store = RememberedModels(tmp_path)
    model = _untrained("dense")
    saved = store.remember("dense", model)
    store.forget(("dense",))
    assert store.wait(60)
    assert saved.result() == store.path("dense") and store.slots() == ()
    store.remember("dense", model).result(60)
    assert store.slots() == ("dense",)
    loaded = store.load("dense").result(60)
    np.testing.assert_allclose(loaded(PROBE), model(PROBE), atol=1e-6)


def test_an_unreadable_remembered_file_is_refused_naming_it(tmp_path):
    store = RememberedModels(tmp_path)
    store.path("cnn").write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelFileError, match="live-cnn.keras"):
        store.load("cnn").result(60)


# --------------------------------------------------------------------------- the app


@pytest.mark.slow
def test_a_model_put_live_is_live_again_at_the_next_start(qtbot, data_folder, tmp_path):
    from digitlab.app.live.live_models import LiveModels
    from digitlab.app.live.remembered import RememberedLive
    from digitlab.app.training.tab import TrainingTab
    from digitlab.model.nets.inference import InferenceCore
    from digitlab.model.nets.model_files import save_model

    mine = _untrained("dense")
    save_model(mine, tmp_path / "mine.keras")
    live = LiveStub()
    first = RememberedLive(live)
    tab = TrainingTab(live, remembered=first)
    qtbot.addWidget(tab)
    assert tab.load_from(tmp_path / "mine.keras") and tab.use_current()
    assert first.wait()
    assert tab.shutdown()

    # The next start. A core of its own: the tests' shared core must stay bundled.
    win = _new_window(qtbot, LiveModels(core_factory=InferenceCore))
    with qtbot.waitSignal(
        win.live.model_set,
        timeout=WINDOW_TIMEOUT_MS,
        check_params_cb=lambda name, error: name == "dense",
    ):
        win.show()
    assert "Dense network from last time is live again" in win.status_label.text()
    result = _answer(qtbot, win)
    x = result.preprocessed.image[None, :, :, None]
    np.testing.assert_allclose(result.probabilities["dense"], np.asarray(mine(x))[0], atol=1e-5)
    bundled = shared_core().probabilities(x)
    np.testing.assert_allclose(result.probabilities["cnn"], bundled["cnn"][0], atol=1e-5)
    assert not np.allclose(result.probabilities["dense"], bundled["dense"][0], atol=1e-2)

    # The Train tab lists it; "Restore bundled models" forgets it for the start after.
    again = TrainingTab(win.live, remembered=win.remembered)
    qtbot.addWidget(again)
    again.model_choice.setCurrentIndex(again.model_choice.findData("remembered:dense"))
    assert again.current_entry().label == "Dense network from last time (live at start)"
    np.testing.assert_allclose(again.current_entry().model(PROBE), mine(PROBE), atol=1e-6)
    with qtbot.waitSignal(win.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        assert again.restore_bundled()
    assert win.remembered.wait()
    assert RememberedModels(data_folder / "models").slots() == ()
    assert again.shutdown()
    win.close()


def test_an_unreadable_remembered_model_leaves_the_bundled_one_and_says_so_in_a_line(
    qtbot, data_folder
):
    from digitlab.app import storage

    store = RememberedModels(storage.user_models_dir())
    store.path("cnn").write_bytes(b"PK\x03\x04 not a model")
    win = _new_window(qtbot)
    swaps = []
    win.live.model_set.connect(lambda name, error: swaps.append(name))
    win.show()
    qtbot.waitUntil(
        lambda: "remembered from last time is unreadable" in win.status_label.text(),
        timeout=WINDOW_TIMEOUT_MS,
    )
    line = win.status_label.text()
    assert "\n" not in line and "live-cnn.keras" in line and "bundled CNN stays live" in line
    result = _answer(qtbot, win)
    bundled = shared_core().probabilities(result.preprocessed.image[None, :, :, None])
    for name in ("cnn", "dense"):
        np.testing.assert_allclose(result.probabilities[name], bundled[name][0], atol=1e-5)
    assert swaps == []
    win.close()
