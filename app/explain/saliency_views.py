"""Where the models looked, drawn: one saliency map over the 28x28 input
(:class:`SaliencyView`) and the switchable overlay on the Draw tab's model input
(:class:`DrawOverlay`).

Views render only: the maps come from the explanation thread, their colours from
:mod:`digitlab.model.explain.colour_maps` and the choice of map from
:func:`digitlab.model.explain.readings.shown_map`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.explain.view_parts import caption, image_box
from digitlab.model.explain.colour_maps import grey, heat_rgba_to_peak
from digitlab.model.explain.readings import shown_map


def _clear() -> np.ndarray:
    """uint8 ``(28, 28, 4)`` RGBA: an overlay showing nothing."""
    return np.zeros((28, 28, 4), np.uint8)


class SaliencyView(QWidget):
    """One saliency map over the 28x28 input: a grey image and a heat overlay above it.

    The overlay's colour runs from clear (0) to opaque red-yellow at the map's own maximum
    (the caption gives that maximum, so maps are read with their scale).
    """

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumSize(120, 120)
        self.view.sizeHint = lambda: QSize(220, 220)
        self.view.ci.setContentsMargins(1, 1, 1, 1)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.vb = image_box()
        self.view.addItem(self.vb)
        self.image = pg.ImageItem(np.zeros((28, 28), np.uint8), levels=(0, 255))
        self.overlay = pg.ImageItem(_clear(), levels=None)
        self.vb.addItem(self.image)
        self.vb.addItem(self.overlay)
        self.vb.setRange(QRectF(0, 0, 28, 28), padding=0)
        self.caption = caption("")
        # Three lines: a narrow window wraps the Grad-CAM caption to three, and the splitter
        # above gives only the minimum (not the wrapped height), so less would overlap the map.
        self.caption.setMinimumHeight(3 * self.caption.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self.values = np.zeros((28, 28), np.float32)

    def show_map(self, image: np.ndarray, values: np.ndarray | None, text: str) -> None:
        """``image`` float ``(28, 28)`` 0..1; ``values`` float ``(28, 28)`` (None: no map);
        ``text`` the caption."""
        self.image.setImage(grey(image), autoLevels=False, levels=(0, 255))
        if values is None:
            self.values = np.zeros((28, 28), np.float32)
            self.overlay.setImage(_clear(), autoLevels=False, levels=None)
        else:
            self.values = np.asarray(values, np.float32)
            self.overlay.setImage(heat_rgba_to_peak(self.values), autoLevels=False, levels=None)
        self.caption.setText(text)

    def set_overlay(self, visible: bool, opacity: float) -> None:
        """Show or hide the map, at ``opacity`` in 0..1."""
        self.overlay.setVisible(visible)
        self.overlay.setOpacity(opacity)


class DrawOverlay(QWidget):
    """The Draw tab's saliency overlay: a heat map over "what the models see", a switch, a
    choice of map and an opacity slider, added to an existing
    :class:`digitlab.app.draw.input_view.InputView` (its view box and its column of rows).

    Off by default: while it is off, drawing asks for no explanation at all.
    """

    # The switch or the choice of map changed.
    changed = Signal()

    MAPS = (
        ("cnn-occlusion", "CNN · occlusion"),
        ("cnn-gradcam", "CNN · Grad-CAM"),
        ("dense-occlusion", "Dense · occlusion"),
    )
    ROW = 2
    """Where the controls go in the input view's column: under its picture."""

    def __init__(self, input_view, parent=None):
        super().__init__(parent)
        self.toggle = QCheckBox("Where it looked")
        self.toggle.setToolTip(
            "Overlay the parts of the input that made the answer (computed in "
            "the background, up to 8 times a second; the Explain tab has more)"
        )
        self.choice = QComboBox()
        for key, title in self.MAPS:
            self.choice.addItem(title, key)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(70)
        self.opacity.setToolTip("Opacity of the overlay")
        self.opacity.setAccessibleName("Overlay opacity")
        self.choice.setAccessibleName("Which map to lay over the input")
        self.choice.setToolTip("Which model's map, and which method, to lay over the input")
        opacity_label = QLabel("Opacity")
        opacity_label.setBuddy(self.opacity)
        # Two rows: in one, the slider was squeezed to a few pixels in a narrow column.
        rows = QGridLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setVerticalSpacing(2)
        rows.addWidget(self.toggle, 0, 0)
        rows.addWidget(self.choice, 0, 1)
        rows.addWidget(opacity_label, 1, 0)
        rows.addWidget(self.opacity, 1, 1)
        rows.setColumnStretch(1, 1)
        self.overlay = input_view.view.add_overlay()
        self.overlay.setImage(_clear())
        input_view.layout().insertWidget(self.ROW, self)
        self.values = np.zeros((28, 28), np.float32)
        self.toggle.toggled.connect(self._on_changed)
        self.choice.currentIndexChanged.connect(self._on_changed)
        self.opacity.valueChanged.connect(lambda v: self.overlay.setOpacity(v / 100.0))
        self.overlay.setOpacity(0.7)

    @property
    def enabled(self) -> bool:
        """The user switched the overlay on."""
        return self.toggle.isChecked()

    def _on_changed(self, *_) -> None:
        if not self.enabled:
            self.overlay.setVisible(False)
        self.changed.emit()

    def show_explanation(self, ex) -> None:
        """Show the chosen map of ``ex`` (an :class:`digitlab.app.explain.worker.Explanation`,
        or None)."""
        if ex is None or not self.enabled:
            self.overlay.setVisible(False)
            return
        values = shown_map(self.choice.currentData(), ex.occlusion, ex.gradcam)
        if values is None:
            self.overlay.setVisible(False)
            return
        self.values = np.asarray(values, np.float32)
        self.overlay.setImage(heat_rgba_to_peak(self.values))
        self.overlay.setVisible(True)
