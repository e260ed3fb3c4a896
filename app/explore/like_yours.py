"""The "Like yours" page: the hovered map digit, and the training digits nearest the drawing."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from digitlab.app.explore.digit_views import DigitImage, DigitRow
from digitlab.app.widgets.styles import BAD_STYLE, HINT_STYLE
from digitlab.model.explore.neighbours import NEIGHBOURS


class LikeYoursPage(QWidget):
    """:attr:`hover_image` and :attr:`hover_label` (the digit under the pointer),
    :attr:`neighbours` (a :class:`DigitRow`) and :attr:`neighbours_label`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.test_digits: np.ndarray | None = None
        self.train_digits: np.ndarray | None = None
        self.train_labels: np.ndarray | None = None

        hover_box = QGroupBox("The digit under the pointer")
        self.hover_image = DigitImage(96)
        self.hover_label = QLabel("Hover a point on the map to see that digit.")
        self.hover_label.setWordWrap(True)
        row = QHBoxLayout(hover_box)
        row.addWidget(self.hover_image)
        row.addWidget(self.hover_label, 1)

        near_box = QGroupBox("Digits the network thinks are like yours")
        self.neighbours = DigitRow(NEIGHBOURS, 60)
        self.neighbours_label = QLabel("Draw a digit on the Draw tab.")
        self.neighbours_label.setWordWrap(True)
        self.neighbours_label.setStyleSheet(HINT_STYLE)
        col = QVBoxLayout(near_box)
        col.addWidget(self.neighbours)
        col.addWidget(self.neighbours_label)

        layout = QVBoxLayout(self)
        layout.addWidget(hover_box)
        layout.addWidget(near_box)
        layout.addStretch(1)

    def set_digits(self, test: np.ndarray, train: np.ndarray, train_labels: np.ndarray) -> None:
        """uint8 ``(10000, 28, 28)`` test and ``(60000, 28, 28)`` training digits, labels."""
        self.test_digits, self.train_digits, self.train_labels = test, train, train_labels

    def show_hovered(self, index: int, label: int | None, read_as: int | None) -> None:
        """Test digit ``index`` (-1: none), its label and what the model read."""
        if index < 0 or self.test_digits is None:
            return
        self.hover_image.show_image(self.test_digits[index] / np.float32(255.0))
        text = f"MNIST test digit #{index}: a {label}"
        if read_as is not None and read_as != label:
            text += f", misread as {read_as}"
            self.hover_label.setStyleSheet(BAD_STYLE)
        else:
            self.hover_label.setStyleSheet("")
        self.hover_label.setText(text)

    def show_neighbours(self, indices: np.ndarray | None, layer_title: str, note: str = "") -> None:
        """Training digits ``indices`` nearest first (None: clear, with ``note``)."""
        if indices is None or self.train_digits is None:
            self.neighbours.show_digits(None)
            self.neighbours_label.setText(note)
            return
        self.neighbours.show_digits(self.train_digits[indices])
        labels = ", ".join(str(int(self.train_labels[i])) for i in indices)
        self.neighbours_label.setText(
            f"The {len(indices)} training digits nearest your drawing in {layer_title} "
            f"(nearest first; labels {labels})."
        )
