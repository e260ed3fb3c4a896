"""The Draw tab shows a model of your own classes live: its class names on the bars, one
column of bars, and the digit models come back when asked."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import WINDOW_TIMEOUT_MS, open_window, wait_for_maps

NAMES = ("cat", "dog", "a_rather_long_class_name")


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def _custom_model():
    import keras

    from digitlab.model.nets.architectures import build

    keras.utils.set_random_seed(0)
    return build("cnn", num_classes=len(NAMES))


def _draw_and_wait(qtbot, win):
    from digitlab.app.selftest.support import draw_digit

    canvas = win.draw_tab.canvas
    draw_digit(canvas, 7)
    # The answer for the whole drawing, not one for the stroke half drawn.
    qtbot.waitUntil(
        lambda: win.live.latest is not None and win.live.latest.revision == canvas.revision,
        timeout=WINDOW_TIMEOUT_MS,
    )
    return win.live.latest


@pytest.mark.slow
def test_a_custom_model_puts_its_class_names_on_the_only_bars(qtbot, window):
    with qtbot.waitSignal(window.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        window.live.show_models({"custom": _custom_model()}, {"custom": NAMES})
    panel = window.draw_tab.probabilities
    assert list(panel.plots) == ["custom"]
    assert panel.plots["custom"].tick_labels == ("cat", "dog", "a_rather_…")
    result = _draw_and_wait(qtbot, window)
    probs = result.probabilities["custom"]
    assert probs.shape == (3,)
    top = NAMES[int(np.argmax(probs))]
    assert top in panel.headers["custom"].text()
    if result.known["custom"]:
        assert f"reads {top}" in panel.banner.text()
    else:
        # An untrained model's answer is close to flat: it says so, in its own classes' words.
        assert "none of its classes?" in panel.headers["custom"].text()
        assert "any of its classes" in panel.banner.text()
    assert "3 classes" in window.status_label.text()
    wait_for_maps(qtbot, window)
    assert ("custom", "output") in window.draw_tab.activations.cells
    # Corrections are digits: not offered while a model of other classes is live.
    assert not any(b.isEnabled() for b in window.correction.buttons)
    assert "own classes" in window.correction.message.text()


@pytest.mark.slow
def test_restoring_brings_back_both_digit_models_and_their_digits(qtbot, window):
    with qtbot.waitSignal(window.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        window.live.show_models({"custom": _custom_model()}, {"custom": NAMES})
    with qtbot.waitSignal(window.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        window.live.restore_digit_models()
    panel = window.draw_tab.probabilities
    assert list(panel.plots) == ["cnn", "dense"]
    result = _draw_and_wait(qtbot, window)
    assert all(b.isEnabled() for b in window.correction.buttons)
    assert set(result.probabilities) == {"cnn", "dense"}
    assert "7" in panel.banner.text()


def test_a_model_that_fails_to_load_leaves_the_digit_models_live(qtbot, window, tmp_path):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"not a model")
    with qtbot.waitSignal(window.live.model_set, timeout=WINDOW_TIMEOUT_MS) as blocker:
        window.live.show_models({"custom": bad})
    assert blocker.args[1]  # the error message
    assert list(window.draw_tab.probabilities.plots) == ["cnn", "dense"]
    result = _draw_and_wait(qtbot, window)
    assert set(result.probabilities) == {"cnn", "dense"}


@pytest.mark.slow
def test_the_explain_tab_says_it_explains_the_digit_models_while_your_own_is_live(qtbot, window):
    with qtbot.waitSignal(window.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        window.live.show_models({"custom": _custom_model()}, {"custom": NAMES})
    result = _draw_and_wait(qtbot, window)
    tab = window.explain_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(
        lambda: tab.latest is not None and tab.latest.revision == result.revision,
        timeout=WINDOW_TIMEOUT_MS,
    )
    assert "Your own model is live" in tab.reading.text()
    assert "reads" in tab.reading.text()  # the digit models' explanation is still shown
    with qtbot.waitSignal(window.live.models_ready, timeout=WINDOW_TIMEOUT_MS):
        window.live.restore_digit_models()
    window.tabs.setCurrentWidget(window.draw_tab)
    result = _draw_and_wait(qtbot, window)
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(
        lambda: tab.latest is not None and tab.latest.revision == result.revision,
        timeout=WINDOW_TIMEOUT_MS,
    )
    assert "Your own model is live" not in tab.reading.text()
