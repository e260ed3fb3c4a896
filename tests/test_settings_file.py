"""A saved run set-up that does not validate falls back to the defaults field by field, says
so once, and never takes the Train tab away."""

from __future__ import annotations

import pytest

from digitlab.app import storage
from digitlab.app.training.run_setup import DEFAULTS, clean_settings
from digitlab.app.training.tab import TrainingTab


def test_each_bad_field_falls_back_and_the_good_ones_are_kept():
    settings, refused = clean_settings(
        {"epochs": float("inf"), "seed": -1, "batch_size": 32, "augment": "yes", "other": 1}
    )
    assert settings == {**DEFAULTS, "batch_size": 32}
    assert refused == ["epochs", "seed", "augment"]
    assert clean_settings([1, 2]) == (DEFAULTS, [])


@pytest.mark.parametrize(
    "text, refused",
    [
        ('{"epochs": 1e400, "seed": 5}', "epochs"),
        ("[" * 100_000 + "]" * 100_000, None),
        ('{"learning_rate": NaN}', "learning_rate"),
    ],
    ids=["infinite-epochs", "deep-nesting", "nan-rate"],
)
def test_a_bad_settings_file_still_opens_the_train_tab(qtbot, text, refused):
    (storage.app_data_dir() / storage.SETTINGS_FILE).write_text(text, "utf-8")
    tab = TrainingTab(None)
    qtbot.addWidget(tab)
    assert tab.epochs.value() == DEFAULTS["epochs"]
    if refused:
        message, _ = tab.last_message
        assert refused in message and message.count("\n") == 0
    assert tab.shutdown()


def test_a_deeply_nested_view_settings_file_falls_back_to_the_system_theme(qtbot):
    from digitlab.app.widgets import theme

    (storage.app_data_dir() / theme.SETTINGS_FILE).write_text("[" * 100_000, "utf-8")
    assert theme.load_choice() == "system"
