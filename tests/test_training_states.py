"""The Train tab shows each state for what it is: a cancelled run, an empty confusion matrix,
the data source's batch size, the model numbers, and tooltips on its controls."""

from __future__ import annotations

import pytest
from gui_support import TINY_RUN as TINY
from gui_support import open_training_tab


@pytest.fixture
def tab(qtbot):
    yield from open_training_tab(qtbot)


def test_after_loading_a_model_no_confusion_cell_is_highlighted(qtbot, tab):
    from digitlab.model.data.bundled import bundled_model_path

    tab.model_choice.setCurrentIndex(tab.model_choice.findData("bundled:dense"))
    with qtbot.waitSignal(tab.evaluation_shown, timeout=60_000):
        tab.evaluate_current()
    table = tab.evaluation.table
    table.setFocus()
    table.setCurrentCell(2, 3)  # the user looked at a cell of that evaluation
    assert table.selectedItems()

    assert tab.load_from(bundled_model_path("cnn"))
    assert tab.evaluation.report is None
    assert table.currentRow() == -1 and table.currentColumn() == -1
    assert table.selectedItems() == []
    table.setFocus()  # Qt would make (0, 0) the current cell of a focused table
    assert table.currentRow() == -1 and not table.hasFocus()
    table.setCurrentCell(0, 0)  # a click on the empty matrix selects nothing
    assert table.selectedItems() == []


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    from digitlab.model.binaries.synthetic import build_image_dataset, write_families

    root = tmp_path_factory.mktemp("states")
    write_families(root / "bin", per_family=10, seed=2)
    build_image_dataset(root / "bin", root / "images")
    return root / "images"


def test_switching_back_to_mnist_brings_back_mnists_batch_size(qtbot, tab, images):
    from digitlab.app.training.run_setup import DEFAULTS

    tab.batch_size.setValue(DEFAULTS["batch_size"])
    with qtbot.waitSignal(tab.data_panel.loaded, timeout=60_000):
        tab.data_panel.load(images)  # 32 pictures: the batch size drops to 32 for them
    qtbot.waitUntil(lambda: not tab.data_panel.busy(), timeout=10_000)
    assert tab.data_panel.is_custom() and tab.batch_size.value() == 32
    assert tab.setup.settings_to_keep()["batch_size"] == DEFAULTS["batch_size"]

    tab.data_panel.source.setCurrentIndex(tab.data_panel.source.findData("mnist"))
    assert not tab.data_panel.is_custom()
    assert tab.batch_size.value() == DEFAULTS["batch_size"]

    tab.batch_size.setValue(256)  # the user's own MNIST choice
    tab.data_panel.source.setCurrentIndex(tab.data_panel.source.findData("custom"))
    assert tab.batch_size.value() == 32  # the pictures' batch size, as they left it
    tab.data_panel.source.setCurrentIndex(tab.data_panel.source.findData("mnist"))
    assert tab.batch_size.value() == 256


def _outcome(architecture="dense", stopped=False, epochs_run=1):
    from digitlab.app.training.worker import TrainingOutcome
    from digitlab.model.nets.training import Recipe

    return TrainingOutcome(
        architecture, Recipe(epochs=2, train_size=256), None, stopped=stopped, epochs_run=epochs_run
    )


def test_trained_models_are_numbered_one_after_another_whatever_comes_between(tab):
    from digitlab.app.training.model_list import ModelEntry
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.live_source import short_source

    first = tab.models.add_trained(_outcome())
    assert tab.load_from(bundled_model_path("dense"))
    tab.add_model(
        ModelEntry("Dense network tuned on my handwriting #1 (30 samples)", "dense"), "tuned"
    )
    second = tab.models.add_trained(_outcome("cnn"))
    assert "#1 " in first.label and "#2 " in second.label
    labels = [tab.model_choice.itemText(i) for i in range(tab.model_choice.count())]
    assert not any("#3" in label or "#4" in label for label in labels), labels
    # The Draw tab's header names them the same way.
    assert short_source(first.label) == "trained #1"
    assert short_source(second.label) == "trained #2"


def _cancel_in_epoch(qtbot, tab, epoch: int):
    """Run 2 epochs of 8 batches; cancel as soon as a batch of ``epoch`` is shown."""
    tab.apply_settings({**TINY, "train_size": 256, "batch_size": 32, "epochs": 2})
    worker = tab.start_training(validate=True, throttle_s=0.0)
    worker.progress.connect(lambda info: info["epoch"] == epoch and tab.cancel_training())
    with qtbot.waitSignal(tab.run_finished, timeout=120_000) as blocker:
        pass
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=30_000)
    return blocker.args[0]


@pytest.mark.slow
def test_a_run_cancelled_in_its_first_epoch_shows_no_finished_epoch(qtbot, tab):
    outcome = _cancel_in_epoch(qtbot, tab, 1)
    assert outcome.stopped and outcome.epochs_run == 0 and 0 < outcome.batches_run < 8
    curves = tab.curves
    assert curves.epoch_count == 0  # no epoch marker (training or validation) at epoch 1
    for _, train, val, _ in curves.items.values():
        assert all(x is None or not len(x) for x in (train.getData()[0], val.getData()[0]))
    assert 0 < curves.stopped_at < 1
    assert all(line.isVisible() for line in curves.stop_lines)
    assert curves.stop_lines[0].label.toPlainText() == "cancelled"
    got = f"{outcome.batches_run} batch{'' if outcome.batches_run == 1 else 'es'}"
    assert tab.progress.format() == f"cancelled after {got}"
    assert tab.progress.value() < tab.progress.maximum()
    text, level = tab.last_message
    assert text.startswith(f"Training cancelled after {got} (") and level == "info"
    assert "No epoch finished, so no model was kept" in text
    assert tab.model_choice.count() == 2  # only the bundled models


@pytest.mark.slow
def test_a_run_cancelled_in_its_second_epoch_keeps_the_first_and_says_so(qtbot, tab):
    outcome = _cancel_in_epoch(qtbot, tab, 2)
    assert outcome.stopped and outcome.epochs_run == 1 and 8 < outcome.batches_run < 16
    assert tab.curves.epoch_count == 1  # epoch 1's marker, none for the unfinished epoch 2
    assert 1 < tab.curves.stopped_at < 2
    extra = outcome.batches_run - 8
    got = f"1 epoch and {extra} batch{'' if extra == 1 else 'es'}"
    assert tab.progress.format() == f"cancelled after {got}"
    entry = tab.current_entry()
    assert "(1 ep," in entry.label and entry.label.endswith("(cancelled)")
    text = tab.last_message[0]
    assert f"cancelled after {got}" in text and f"“{entry.label}” (its 1 finished epoch)" in text


def test_a_new_run_clears_the_cancelled_mark(tab):
    tab.curves.mark_stopped("cancelled")
    tab.curves.reset(8, 2)
    assert tab.curves.stopped_at is None
    assert not any(line.isVisible() for line in tab.curves.stop_lines)


def test_every_control_of_the_train_tab_says_what_it_does(tab):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    controls = [
        w
        for kind in (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
        for w in tab.findChildren(kind)
        # Not the inner parts of spin boxes and combos, nor Qt's own (the table's corner).
        if not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))
        and not w.objectName().startswith("qt_")
    ]
    assert len(controls) > 15
    silent = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}" for w in controls]
    silent = [name for name, w in zip(silent, controls, strict=True) if not w.toolTip().strip()]
    assert silent == []
    assert "after the current batch" in tab.pause_button.toolTip()
    assert not tab.evaluation.table.isCornerButtonEnabled()
