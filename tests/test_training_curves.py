"""The learning curves keep their scales still while a run grows, and widen them in steps."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.app.training.curves import TrainingCurves, nice_ceiling


@pytest.mark.parametrize(
    ("value", "top"),
    [(0.3, 0.5), (1.0, 1.0), (1.2, 2.0), (2.31, 5.0), (7.0, 10.0), (12.0, 20.0), (0.0, 1.0)],
)
def test_nice_ceiling_rounds_up_to_one_two_or_five(value, top):
    assert nice_ceiling(value) == pytest.approx(top)


def _points(first_step: int, count: int, loss: float) -> np.ndarray:
    steps = np.arange(first_step, first_step + count, dtype=np.float64)
    return np.stack([steps, np.full(count, loss), np.full(count, 0.5)], 1)


def test_the_axes_stay_put_while_batches_arrive_and_widen_when_outgrown(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.reset(batches_per_epoch=100, epochs=12)
    curves.add_batches(_points(1, 10, 2.3), 100)
    x_range, y_range = curves.loss_plot.viewRange()
    curves.add_batches(_points(11, 50, 1.0), 100)
    assert curves.loss_plot.viewRange() == [x_range, y_range]  # nothing moved
    assert x_range[1] == pytest.approx(1.0, abs=0.05) and 2.3 < y_range[1] < 5.5
    curves.add_batches(_points(61, 90, 0.5), 100)  # into epoch 2
    assert curves.loss_plot.viewRange()[0][1] == pytest.approx(2.0, abs=0.1)
    assert curves.acc_plot.viewRange()[1] == pytest.approx([0, 1], abs=0.05)


def test_the_x_axis_never_goes_past_the_runs_last_epoch(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.reset(batches_per_epoch=10, epochs=3)
    curves.add_batches(_points(1, 25, 1.0), 10)  # 2.5 epochs: the next step would be 5
    assert curves.loss_plot.viewRange()[0][1] == pytest.approx(3.0, abs=0.1)
