"""The strip under the map: the drawing itself (the Draw tab's canvas, lent while the tab is
on screen) and the MNIST digit under the pointer."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from digitlab.app.explore.canvas_slot import CanvasSlot
from digitlab.app.explore.digit_views import DigitImage
from digitlab.app.widgets.styles import BAD_STYLE, HINT_STYLE


class DrawingStrip(QWidget):
    """:attr:`slot` (the lent canvas), :attr:`clear` and :attr:`undo` buttons,
    :attr:`hover_image` and :attr:`hover_label` (the digit under the pointer)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.test_digits: np.ndarray | None = None
        self.slot = CanvasSlot()
        self.clear = QPushButton("Clear")
        self.undo = QPushButton("Undo")
        self.clear.clicked.connect(lambda: self.slot.canvas and self.slot.canvas.clear())
        self.undo.clicked.connect(lambda: self.slot.canvas and self.slot.canvas.undo())
        self.clear.setToolTip("Clear the drawing (the same drawing as on the Draw tab)")
        self.undo.setToolTip("Undo the last stroke")
        draw_hint = QLabel("Draw here: the star follows your pen.")
        draw_hint.setWordWrap(True)
        draw_hint.setStyleSheet(HINT_STYLE)
        draw_hint.setFixedWidth(100)  # the Explore tab fits a 1024-px window
        buttons = QVBoxLayout()
        buttons.addWidget(draw_hint)
        for button in (self.undo, self.clear):
            button.setFixedWidth(100)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.hover_image = DigitImage(112)
        self.hover_image.setVisible(False)  # until a digit is hovered
        self.hover_label = QLabel("Hover a point on the map to see that digit here.")
        self.hover_label.setWordWrap(True)
        hover_text = QVBoxLayout()
        hover_text.addWidget(self.hover_label)
        hover_text.addStretch(1)
        hover = QVBoxLayout()
        hover.addWidget(self.hover_image)
        hover.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slot)
        row.addLayout(buttons)
        row.addLayout(hover)
        row.addLayout(hover_text, 1)

    def set_digits(self, test: np.ndarray) -> None:
        """uint8 ``(n, 28, 28)`` MNIST test digits (the map's points)."""
        self.test_digits = test

    def show_hovered(self, index: int, label: int | None, read_as: int | None) -> None:
        """Test digit ``index`` (-1: none), its label and what the model read."""
        if index < 0 or self.test_digits is None:
            return
        self.hover_image.show_image(self.test_digits[index] / np.float32(255.0))
        self.hover_image.setVisible(True)
        text = f"MNIST test digit #{index}: a {label}"
        if read_as is not None and read_as != label:
            text += f", misread as {read_as}"
            self.hover_label.setStyleSheet(BAD_STYLE)
        else:
            self.hover_label.setStyleSheet("")
        self.hover_label.setText(text)
