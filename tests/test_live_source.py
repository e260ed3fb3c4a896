"""Which model is live, named wherever it is used: the short words for each model list label
(no Qt), the Draw tab's headers and the status bar after a swap, and the model list's mark."""

from __future__ import annotations

import pytest
from gui_support import open_window

from digitlab.model.nets.live_source import bundled_label, remembered_label, short_source

TIMEOUT_MS = 60_000


@pytest.mark.parametrize(
    ("label", "short"),
    [
        (bundled_label("cnn"), "bundled"),
        ("Trained CNN #3 (2 ep, 60k, lr 0.001)", "trained #3"),
        ("Trained Dense network #4 (1 ep, 5k, lr 0.01) (cancelled)", "trained #4, cancelled"),
        ("Custom CNN #6 (3 classes: circle, cross, dot; 2 ep)", "trained #6"),
        ("CNN tuned on my handwriting #1 (12 samples)", "tuned #1"),
        (remembered_label("dense"), "from last time"),
        ("Loaded my-model.keras (3 classes)", "my-model.keras"),
        ("New CNN", "New CNN"),
    ],
)
def test_every_model_list_label_has_a_few_words_for_the_views(label, short):
    assert short_source(label) == short


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


@pytest.mark.slow
def test_a_model_put_live_is_named_on_the_draw_tab_and_in_the_status_bar(qtbot, window):
    from digitlab.app.selftest.support import draw_digit
    from digitlab.model.data.bundled import bundled_model_path

    header = window.draw_tab.probabilities.headers["cnn"]
    assert "(bundled)" in header.text()
    assert "CNN bundled" in window.live_label.text().replace("<b>", "").replace("</b>", "")
    label = "Trained CNN #3 (2 ep, 60k, lr 0.001)"
    try:
        with qtbot.waitSignal(window.live.model_set, timeout=TIMEOUT_MS):
            window.live.set_model("cnn", bundled_model_path("cnn"), source=label)
        draw_digit(window.draw_tab.canvas, 7)
        qtbot.waitUntil(lambda: "(trained #3)" in header.text(), timeout=TIMEOUT_MS)
        assert "trained #3" in window.live_label.text()
        assert label in window.live_label.toolTip()
        assert window.live.sources["dense"] == bundled_label("dense")
        # A model that cannot be read changes nothing: the trained one is still named.
        with qtbot.waitSignal(window.live.model_set, timeout=TIMEOUT_MS) as refused:
            window.live.set_model("cnn", "/nonexistent/x.keras", source="Loaded x.keras")
        assert refused.args[1]
        assert window.live.sources["cnn"] == label and "(trained #3)" in header.text()
    finally:  # the core is shared by the session: the bundled model back
        with qtbot.waitSignal(window.live.model_set, timeout=TIMEOUT_MS):
            window.live.set_model("cnn", bundled_model_path("cnn"))
    assert "(bundled)" in header.text()


@pytest.mark.slow
def test_the_model_list_marks_the_live_entries_and_the_use_button_says_live_now(qtbot):
    from PySide6.QtCore import QObject, Signal

    from digitlab.app.training.model_list import LIVE_MARK, ModelEntry, ModelList
    from digitlab.model.data.bundled import bundled_model_path

    class Live(QObject):  # the swap is done at once
        sources_changed = Signal(object)

        def __init__(self):
            super().__init__()
            self.sources = {"cnn": bundled_label("cnn"), "dense": bundled_label("dense")}

        def set_model(self, name, model, source=""):
            self.sources = {**self.sources, name: source}
            self.sources_changed.emit(self.sources)

    live = Live()
    models = ModelList(live)
    qtbot.addWidget(models)
    texts = [models.model_choice.itemText(i) for i in range(models.model_choice.count())]
    assert texts == [bundled_label("cnn") + LIVE_MARK, bundled_label("dense") + LIVE_MARK]
    models.add(ModelEntry("Loaded other.keras", "cnn", path=bundled_model_path("cnn")), "file")
    assert models.use_button.isEnabled() and models.use_button.text() == "Use this model"
    assert models.use_current()
    texts = [models.model_choice.itemText(i) for i in range(models.model_choice.count())]
    assert texts == [
        bundled_label("cnn"),
        bundled_label("dense") + LIVE_MARK,
        "Loaded other.keras" + LIVE_MARK,
    ]
    assert not models.use_button.isEnabled() and models.use_button.text() == "Live now"
