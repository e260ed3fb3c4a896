"""Every point of a stroke is kept: Qt's merging of queued mouse moves is off while a stroke
is drawn, and a burst of moves or pen events that arrive together all reach the drawing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QMouseEvent, QPointingDevice, QTabletEvent

from digitlab.app.draw.canvas import DrawingCanvas

MERGE = Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents


@pytest.fixture
def canvas(qtbot):
    widget = DrawingCanvas()
    widget.resize(300, 300)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    QCoreApplication.setAttribute(MERGE, True)  # Qt's default
    yield widget
    QCoreApplication.setAttribute(MERGE, True)


def _spiral(n: int) -> list[tuple[float, float]]:
    """``n`` distinct points on a spiral inside a 300 px square (a fast, curly stroke)."""
    return [
        (150 + (20 + i * 0.25) * math.cos(i * 0.3), 150 + (20 + i * 0.25) * math.sin(i * 0.3))
        for i in range(n)
    ]


def _mouse(kind: QEvent.Type, pos, buttons) -> QMouseEvent:
    p = QPointF(*pos)
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    return QMouseEvent(kind, p, p, button, buttons, Qt.KeyboardModifier.NoModifier)


def test_moves_are_not_merged_while_a_stroke_is_drawn_and_merging_returns_after(qtbot, canvas):
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert not QCoreApplication.testAttribute(MERGE)
    qtbot.mouseMove(canvas, QPoint(120, 130))
    assert not QCoreApplication.testAttribute(MERGE)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(140, 160))
    assert QCoreApplication.testAttribute(MERGE)
    canvas.undo()  # undo and clear while no stroke is drawn leave it alone
    assert QCoreApplication.testAttribute(MERGE)


def test_a_burst_of_queued_mouse_moves_keeps_every_point_in_order(qtbot, canvas):
    points = _spiral(600)
    left = Qt.MouseButton.LeftButton
    events = [_mouse(QEvent.Type.MouseButtonPress, points[0], left)]
    events += [_mouse(QEvent.Type.MouseMove, p, left) for p in points[1:]]
    events.append(_mouse(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton))
    for event in events:  # all queued before the canvas sees the first one
        QCoreApplication.postEvent(canvas, event)
    QCoreApplication.processEvents()
    strokes = canvas.history.strokes
    assert len(strokes) == 1
    np.testing.assert_allclose(strokes[0].points, points)


def test_a_burst_of_pen_events_keeps_every_point(qtbot, canvas):
    points = _spiral(300)
    pen = QPointingDevice(
        "test pen",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )

    def tablet(kind, pos):
        p = QPointF(*pos)
        return QTabletEvent(
            kind, pen, p, p, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0,
            Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
        )  # fmt: skip

    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * (len(points) - 1)
    for kind, p in zip(kinds, points, strict=True):
        QCoreApplication.sendEvent(canvas, tablet(kind, p))
    QCoreApplication.sendEvent(canvas, tablet(QEvent.Type.TabletRelease, points[-1]))
    np.testing.assert_allclose(canvas.history.strokes[0].points, points)
    assert QCoreApplication.testAttribute(MERGE)
