"""The stored colour scales of the bundled models: right file, right values, safe fallback."""

from __future__ import annotations

import json

import pytest
from gui_support import shared_core

from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.nets.colour_levels import (
    LEVELS_PATH,
    bundled_levels,
    file_sha256,
    stored_levels,
)
from digitlab.model.nets.describe import calibration_batch, describe_model


def test_every_bundled_model_file_has_stored_levels():
    levels = bundled_levels(("cnn", "dense"))
    assert levels is not None
    assert set(levels["cnn"]) >= {"conv1", "pool1", "conv2", "pool2", "dense", "output"}
    assert all(v > 0 for table in levels.values() for v in table.values())


@pytest.mark.slow
def test_the_stored_levels_are_what_calibration_on_mnist_gives():
    core = shared_core()
    calibration = calibration_batch()
    for name in ("cnn", "dense"):
        info = describe_model(core, name, calibration)
        stored = stored_levels(bundled_model_path(name))
        assert {v.name: v.level for v in info.layers} == pytest.approx(stored, rel=1e-5)


def test_describing_a_model_with_stored_levels_skips_the_calibration_run():
    core = shared_core()
    stored = stored_levels(bundled_model_path("cnn"))

    class Counting:
        runs = 0

        def __getattr__(self, name):
            return getattr(core, name)

        def run(self, *args, **kwargs):
            Counting.runs += 1
            return core.run(*args, **kwargs)

    info = describe_model(Counting(), "cnn", None, levels=stored)
    assert Counting.runs == 0
    assert info.layers[0].level == pytest.approx(stored["conv1"])


def test_a_changed_model_file_gets_no_stored_levels(tmp_path):
    changed = tmp_path / "cnn.keras"
    changed.write_bytes(bundled_model_path("cnn").read_bytes() + b"x")
    assert stored_levels(changed) is None
    assert file_sha256(bundled_model_path("cnn")) in json.loads(LEVELS_PATH.read_text())


def test_an_unreadable_levels_file_means_calibrating_not_failing(tmp_path):
    bad = tmp_path / "levels.json"
    bad.write_text("{not json")
    assert stored_levels(bundled_model_path("cnn"), bad) is None
    bad.write_text(
        json.dumps({file_sha256(bundled_model_path("cnn")): {"levels": {"conv1": -1.0}}})
    )
    assert stored_levels(bundled_model_path("cnn"), bad) is None
