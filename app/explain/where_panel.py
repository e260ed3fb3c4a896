"""Where it looked: the three saliency maps over the input (occlusion for both models,
Grad-CAM on the CNN's conv2), the class they explain, the overlay's switch and opacity, and
a line saying what each model read.

The captions and the line are made by :mod:`digitlab.model.explain.readings`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
)

from digitlab.app.explain.saliency_views import SaliencyView
from digitlab.app.widgets.styles import BAD
from digitlab.model.explain.readings import (
    EMPTY_READING,
    PENDING_READING,
    gradcam_caption,
    occlusion_caption,
    reading_line,
    shown_map,
)
from digitlab.model.nets.wording import model_title


class WherePanel(QGroupBox):
    """The saliency maps of the newest explanation and the controls that shape them."""

    # The class to explain was changed by the user or set_target (read target_class()).
    target_changed = Signal()

    MAPS = (
        ("cnn-occlusion", "CNN · occlusion"),
        ("cnn-gradcam", "CNN · Grad-CAM on conv2 (11×11)"),
        ("dense-occlusion", "Dense network · occlusion"),
    )

    def __init__(self, parent=None):
        super().__init__("Where it looked · red: the parts that made the answer", parent)
        self.target = QComboBox()
        self.target.addItem("each model's answer")
        for digit in range(10):
            self.target.addItem(f"class {digit}")
        self.target.setToolTip(
            "The class whose evidence is shown. Clicking a bar on the Draw tab picks it too."
        )
        self.target.currentIndexChanged.connect(lambda _: self.target_changed.emit())
        self.overlay_toggle = QCheckBox("Show the map")
        self.overlay_toggle.setChecked(True)
        self.overlay_toggle.setToolTip("Lay the map over the 28x28 input")
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(75)
        self.opacity.setMaximumWidth(160)
        self.opacity.setToolTip("Opacity of the saliency map over the drawing")
        self.overlay_toggle.toggled.connect(self._update_overlay)
        self.opacity.valueChanged.connect(self._update_overlay)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Explain"))
        controls.addWidget(self.target)
        controls.addSpacing(12)
        controls.addWidget(self.overlay_toggle)
        controls.addWidget(QLabel("Opacity"))
        controls.addWidget(self.opacity)
        controls.addStretch(1)
        self.maps = {key: SaliencyView(title) for key, title in self.MAPS}
        maps_row = QHBoxLayout()
        for view in self.maps.values():
            maps_row.addWidget(view, 1)
        self.reading = QLabel(EMPTY_READING)
        self.reading.setWordWrap(True)
        self.reading.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(maps_row, 1)
        layout.addWidget(self.reading)
        self._update_overlay()

    def set_target(self, digit: int | None) -> None:
        """Explain ``digit`` (None: each model's own answer)."""
        self.target.setCurrentIndex(0 if digit is None else int(digit) + 1)

    def target_class(self) -> int | None:
        """The class explained, or None for each model's own answer."""
        index = self.target.currentIndex()
        return None if index <= 0 else index - 1

    def show_explanation(self, ex, note: str = "") -> None:
        """Show ``ex`` (an :class:`digitlab.app.explain.worker.Explanation`); ``note`` (rich
        text) follows the reading line."""
        image = ex.preprocessed.image
        for name in ("cnn", "dense"):
            if name in ex.occlusion:
                key = f"{name}-occlusion"
                self.maps[key].show_map(
                    image,
                    shown_map(key, ex.occlusion, ex.gradcam),
                    occlusion_caption(ex.targets[name], ex.occlusion[name]),
                )
        cam = ex.gradcam.get("cnn")
        if cam is not None:
            self.maps["cnn-gradcam"].show_map(
                image, cam.input_map, gradcam_caption(ex.targets["cnn"], cam.peak)
            )
        titles = {name: model_title(name) for name in ex.probabilities}
        self.reading.setText(
            reading_line(ex.probabilities, ex.targets, titles, self.target_class()) + note
        )

    def show_empty(self, note: str = "") -> None:
        """Nothing is drawn: blank maps and the invitation to draw (then ``note``)."""
        for view in self.maps.values():
            view.show_map(np.zeros((28, 28), np.float32), None, "")
        self.reading.setText(EMPTY_READING + note)

    def show_pending(self) -> None:
        """A drawing is being explained and nothing is shown yet: say so, not "draw"."""
        self.reading.setText(PENDING_READING)

    def show_failure(self, message: str) -> None:
        """The explanation failed: its first line, in red, where the reading goes."""
        first = (message.splitlines() or [""])[0]
        self.reading.setText(f"<span style='color:{BAD}'>{first}</span>")

    def _update_overlay(self) -> None:
        for view in self.maps.values():
            view.set_overlay(self.overlay_toggle.isChecked(), self.opacity.value() / 100.0)
