"""The "Like yours" page: the training digits nearest the drawing in the mapped layer."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from digitlab.app.explore.digit_views import DigitRow
from digitlab.app.widgets.styles import HINT_STYLE
from digitlab.model.explore.neighbours import NEIGHBOURS


class LikeYoursPage(QWidget):
    """:attr:`neighbours` (a :class:`DigitRow`) and :attr:`neighbours_label`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.train_digits: np.ndarray | None = None
        self.train_labels: np.ndarray | None = None

        near_box = QGroupBox("Digits the network thinks are like yours")
        self.neighbours = DigitRow(NEIGHBOURS, 60)
        self.neighbours_label = QLabel("Draw a digit under the map.")
        self.neighbours_label.setWordWrap(True)
        self.neighbours_label.setStyleSheet(HINT_STYLE)
        col = QVBoxLayout(near_box)
        col.addWidget(self.neighbours)
        col.addWidget(self.neighbours_label)

        layout = QVBoxLayout(self)
        layout.addWidget(near_box)
        layout.addStretch(1)

    def set_digits(self, train: np.ndarray, train_labels: np.ndarray) -> None:
        """uint8 ``(60000, 28, 28)`` training digits and their labels."""
        self.train_digits, self.train_labels = train, train_labels

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
