"""The Train tab on your own image classes: the data panel, training, evaluation with class
names, save/load with class names, and "Use this model" / "Restore bundled models"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digitlab.app.training.custom_data_panel import CustomDataPanel
from digitlab.app.training.tab import TrainingTab
from digitlab.model.binaries.synthetic import FAMILIES, build_image_dataset, write_families

TINY = {
    "architecture": "cnn",
    "epochs": 2,
    "batch_size": 16,
    "augment": False,
    "learning_rate": 2e-3,
    "seed": 0,
}


class LiveStub:
    """Stands in for the main window's LiveModels, recording what the tab asks."""

    def __init__(self):
        self.calls = []
        self.paced: list[bool] = []  # pace_answers calls: True while a run trains

    def set_model(self, name, model, source=""):
        self.calls.append(("set_model", name, model))

    def pace_answers(self, paced):
        self.paced.append(bool(paced))

    def show_models(self, models, class_names=None, sources=None):
        self.calls.append(("show_models", models, class_names))

    def restore_digit_models(self):
        self.calls.append(("restore_digit_models",))


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("panel")
    write_families(root / "bin", per_family=10, seed=2)
    build_image_dataset(root / "bin", root / "images")
    return root / "images"


@pytest.fixture
def panel(qtbot):
    view = CustomDataPanel()
    qtbot.addWidget(view)
    yield view
    assert view.shutdown()


@pytest.fixture
def tab(qtbot):
    view = TrainingTab(LiveStub())
    qtbot.addWidget(view)
    view.apply_settings(TINY)
    yield view
    assert view.shutdown()


def _load(qtbot, panel_or_tab, path):
    panel = getattr(panel_or_tab, "data_panel", panel_or_tab)
    with qtbot.waitSignal(panel.loaded, timeout=60_000):
        panel.load(path)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=10_000)
    return panel.dataset


def test_the_panel_starts_on_mnist_with_nothing_else_shown(panel):
    assert not panel.is_custom() and panel.ready()
    assert panel.custom_box.isHidden()


def test_loading_a_folder_shows_each_class_with_its_counts_and_a_sample(qtbot, panel, images):
    data = _load(qtbot, panel, images)
    assert panel.is_custom() and panel.ready() and data.class_names == FAMILIES
    texts = [panel.classes.item(i).text() for i in range(panel.classes.count())]
    assert texts == [f"{n if len(n) <= 11 else n[:10] + '…'}\n8 / 2" for n in FAMILIES]
    assert not panel.classes.item(0).icon().isNull()
    assert "4 classes" in panel.summary.text() and "32 training, 8 test" in panel.summary.text()


def test_a_new_size_or_test_share_reads_the_folder_again(qtbot, panel, images):
    _load(qtbot, panel, images)
    with qtbot.waitSignal(panel.loaded, timeout=60_000):
        panel.size.setValue(32)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=10_000)
    assert panel.dataset.image_size == 32
    with qtbot.waitSignal(panel.loaded, timeout=60_000):
        panel.test_share.setValue(50)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=10_000)
    assert len(panel.dataset.x_test) == 20


def test_a_bad_folder_shows_why_and_training_cannot_start(qtbot, tab, tmp_path):
    (tmp_path / "only_class").mkdir()
    (tmp_path / "only_class" / "a.png").write_bytes(b"nope")
    with qtbot.waitSignal(tab.data_panel.failed, timeout=30_000) as blocker:
        tab.data_panel.load(tmp_path)
    qtbot.waitUntil(lambda: not tab.data_panel.busy(), timeout=10_000)
    assert "only one class" in blocker.args[0]
    assert "only one class" in tab.data_panel.summary.text()
    assert not tab.train_button.isEnabled()
    assert tab.start_training() is None
    assert "Training data" in tab.last_message[0] and tab.last_message[1] == "error"


def test_your_own_data_turns_the_digit_only_options_off(qtbot, tab, images):
    _load(qtbot, tab, images)
    assert not tab.augment.isEnabled() and not tab.train_size.isEnabled()
    assert tab.preview.isHidden() and tab.train_size.isHidden() and tab.augment.isHidden()
    assert tab.train_button.isEnabled() and tab.batch_size.value() == 16
    tab.data_panel.source.setCurrentIndex(0)
    assert tab.augment.isEnabled() and not tab.preview.isHidden() and not tab.train_size.isHidden()


def _train(qtbot, tab):
    with qtbot.waitSignal(tab.run_finished, timeout=120_000) as blocker:
        assert tab.start_training(validate=False) is not None
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=30_000)
    return blocker.args[0]


@pytest.mark.slow
def test_a_run_on_your_classes_is_evaluated_with_their_names_and_used_live_alone(
    qtbot, tab, images
):
    _load(qtbot, tab, images)
    outcome = _train(qtbot, tab)
    assert outcome.completed and outcome.model.output_shape == (None, 4)
    assert outcome.class_names == FAMILIES
    entry = tab.current_entry()
    assert entry.slot == "custom" and entry.class_names == FAMILIES and "4 classes" in entry.label
    view = tab.evaluation
    assert view.table.rowCount() == 4
    assert [view.table.horizontalHeaderItem(i).text() for i in range(4)] == list(FAMILIES)
    assert "of 8 test pictures" in view.summary.text()
    assert "true class" in view.axis_label.text()
    assert tab.use_current()
    ((kind, models, names),) = tab.live_models.calls
    assert kind == "show_models" and list(models) == ["custom"] and names == {"custom": FAMILIES}
    assert models["custom"] is not outcome.model
    assert tab.restore_bundled()
    assert tab.live_models.calls[-1] == ("restore_digit_models",)


@pytest.mark.slow
def test_a_model_of_your_classes_is_saved_and_loaded_with_its_names(qtbot, tab, images, tmp_path):
    data = _load(qtbot, tab, images)
    outcome = _train(qtbot, tab)
    assert tab.save_current(tmp_path / "fam.keras")
    assert tab.load_from(tmp_path / "fam.keras")
    entry = tab.current_entry()
    assert entry.slot == "custom" and entry.class_names == FAMILIES
    probe = data.x_test[:4].astype(np.float32)[..., None] / 255
    np.testing.assert_allclose(entry.model(probe), outcome.model(probe), atol=1e-5)
    with qtbot.waitSignal(tab.evaluation_shown, timeout=60_000):
        tab.evaluate_current()  # judged on the loaded dataset, whose classes match
    assert tab.evaluation.table.rowCount() == 4


@pytest.mark.slow
def test_a_model_of_another_picture_size_is_not_used_live(qtbot, tab, images):
    tab.data_panel.size.setValue(32)
    _load(qtbot, tab, images)
    _train(qtbot, tab)
    assert not tab.use_current()
    assert "32×32" in tab.last_message[0] and tab.last_message[1] == "error"
    assert tab.live_models.calls == []


def test_images_from_binaries_renders_family_folders_and_reads_them(qtbot, panel, tmp_path):
    write_families(tmp_path / "bin", per_family=3, seed=5)
    (tmp_path / "bin" / "packed" / "empty.bin").write_bytes(b"")
    with qtbot.waitSignal(panel.rendered, timeout=60_000) as rendered:
        panel.render_folder(tmp_path / "bin", tmp_path / "pictures")
    results = rendered.args[0]
    assert (
        sum(r.error is None for r in results) == 12
        and sum(r.error is not None for r in results) == 1
    )
    qtbot.waitUntil(lambda: panel.dataset is not None and not panel.busy(), timeout=60_000)
    assert panel.dataset.class_names == FAMILIES
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == sorted(FAMILIES)
