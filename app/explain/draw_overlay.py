"""The Draw tab's "Where it looked" overlay: a heat map over the 28x28 input the models read.

Built with the window (the Draw tab shows its switch from the start), so it uses no
pyqtgraph: the heat map is an :class:`digitlab.app.draw.pixel_view.Overlay` of the input view.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QSlider, QWidget

from digitlab.model.explain.colour_maps import heat_rgba_to_peak
from digitlab.model.explain.readings import shown_map


def clear_overlay() -> np.ndarray:
    """uint8 ``(28, 28, 4)`` RGBA: an overlay showing nothing."""
    return np.zeros((28, 28, 4), np.uint8)


class DrawOverlay(QWidget):
    """The Draw tab's saliency overlay: a heat map over "what the models see", a switch, a
    choice of map and an opacity slider, added to an existing
    :class:`digitlab.app.draw.input_view.InputView` (its picture and its column of rows).

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
        self.overlay.setImage(clear_overlay())
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
