"""The activation maps' scales and labels: each colour bar runs over its layer's fixed scale,
a model swap relabels them, and the output rows name their classes."""

from __future__ import annotations

import dataclasses

import pytest
from gui_support import open_window


@pytest.fixture
def window(qtbot):
    for win in open_window(qtbot):
        # The maps are laid out just after the first answer is painted.
        qtbot.waitUntil(lambda w=win: bool(w.draw_tab.activations.cells), timeout=60_000)
        yield win


def test_each_colour_bar_runs_from_zero_to_its_layers_level(qtbot, window):
    view = window.draw_tab.activations
    assert len(view.cells) == 8
    for cell in view.cells.values():
        low, high = cell.bar.levels()
        assert low == 0.0 and high == pytest.approx(cell.layer.level)


def test_a_swapped_model_relabels_its_colour_bars(qtbot, window):
    view = window.draw_tab.activations
    info = window.live.infos["cnn"]
    doubled = tuple(dataclasses.replace(layer, level=layer.level * 2) for layer in info.layers)
    swapped = dataclasses.replace(info, layers=doubled)
    view.update_model(swapped)
    for layer in swapped.shown:
        assert view.cells[("cnn", layer.name)].bar.levels()[1] == pytest.approx(layer.level)


def test_each_output_row_labels_its_units_with_their_classes(qtbot, window):
    view = window.draw_tab.activations
    for model in ("cnn", "dense"):
        assert view.cells[(model, "output")].image.labels == tuple(str(k) for k in range(10))
    assert view.cells[("cnn", "conv1")].image.labels == ()
