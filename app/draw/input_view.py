"""The Draw tab's view of the model input: the 28x28 image the models read, its notes, and the
outline of the receptive field of the unit hovered in the activation maps."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from digitlab.app.draw.pixel_view import PixelView
from digitlab.app.widgets.layout import FixedRows
from digitlab.app.widgets.styles import WARNING_STYLE
from digitlab.model.nets.live_answer import LiveResult


class InputView(QWidget):
    """The 28x28 image the models read, its notes, and the hovered unit's receptive field."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = PixelView(np.zeros((28, 28), np.uint8))
        self.view.setMinimumSize(140, 140)
        self.view.setMaximumHeight(300)
        self.view.sizeHint = lambda: QSize(200, 200)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a Tab stop, read by its name
        self.view.setAccessibleName("What the models see, 28 by 28")
        self.view.setAccessibleDescription(
            "Your drawing as the models read it: cropped, redrawn with an MNIST-like pen, "
            "scaled to a 20-pixel box and centred in a 28 by 28 image."
        )
        title = QLabel("<b>What the models see</b> · 28×28, as in MNIST")
        title.setToolTip(
            "Your strokes, cropped, redrawn with an MNIST-like pen, scaled so the\n"
            "longer side is 20 px and centred by mass in a 28×28 field."
        )
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(WARNING_STYLE)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.view, 1)
        # Room for two lines whether or not there is a note: a note that appears mid-stroke
        # must not shrink the paper above while the pen is on it, nor re-lay out the window.
        layout.addWidget(FixedRows(self.notes, 2 * self.notes.fontMetrics().lineSpacing() + 2))

    def update_result(self, result: LiveResult) -> None:
        """Show the result's input (float32 ``(28, 28)`` in 0..1) and its notes."""
        image = (result.preprocessed.image * 255.0 + 0.5).astype(np.uint8)
        self.view.setImage(image, result.revision)
        notes = result.preprocessed.notes
        text = "⚠ " + "; ".join(notes) if notes else ""
        if self.notes.text() != text:
            self.notes.setText(text)
            self.notes.setToolTip(text)  # the whole text, should three notes need a third line

    def show_field(self, rect: tuple[int, int, int, int] | None) -> None:
        """Outline ``(top, left, height, width)`` in input pixels, or hide the outline."""
        self.view.set_outline(rect)
