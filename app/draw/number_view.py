"""The Draw tab's Number mode: the wide canvas, the number as each model reads it in large
type, and one card per digit found (its 28x28 input and both models' top classes). Clicking
a card asks for that digit in detail (bars and activation maps, shown by the Draw tab's own
panels, which this view hosts in :attr:`NumberView.detail` while the mode is on)."""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.draw.number_canvas import ASPECT, NumberCanvas
from digitlab.app.draw.probability_panel import TextStrip
from digitlab.app.widgets.layout import AspectHolder
from digitlab.app.widgets.styles import HINT, HINT_STYLE, MARK, PANEL, TEXT, model_colour
from digitlab.model.segment.live_number import NumberResult, short_title, top_classes

MAX_CARDS = 16
"""Digits shown as cards (a longer number still reads whole in the headline)."""
CARD_IMAGE = 56
"""Side of a card's input picture, px (the 28x28 input, each pixel twice)."""
EMPTY_WORDS = "Write a number: each digit is found, boxed and read by both models"
CARD_TEXT_WIDTH = 126
"""Width of a card's lines, px: fixed, so a new reading repaints the line, not the layout."""


class DigitCard(QFrame):
    """One digit of the number: its 28x28 input and each model's top classes; a click chooses
    it for the detail view."""

    # The card was clicked: its index.
    clicked = Signal(int)

    def __init__(self, index: int, parent=None):
        super().__init__(parent)
        self.index = index
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click (or Tab to it and press Space) to see this digit's bars and maps")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Space or Enter chooses it
        self.setAccessibleName(f"Digit {index + 1}")
        self.picture = QLabel()
        self.picture.setFixedSize(CARD_IMAGE, CARD_IMAGE)
        # Text strips, not labels: a label's new text lays the whole window out again
        # (see TextStrip), and these change with nearly every move.
        self.lines = [TextStrip(CARD_IMAGE // 2 - 8, font_scale=0.9) for _ in range(2)]
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addStretch(1)
        for line in self.lines:
            line.setFixedWidth(CARD_TEXT_WIDTH)
            column.addWidget(line)
        column.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 6, 4)
        layout.addWidget(self.picture)
        layout.addLayout(column)
        self._chosen: bool | None = None

    def show_digit(self, image: np.ndarray, lines: list[tuple[str, str]], chosen: bool) -> None:
        """``image``: float32 ``(28, 28)`` in 0..1; ``lines``: (model name, its top classes)."""
        pixels = np.ascontiguousarray((image * 255.0 + 0.5).astype(np.uint8))
        qimage = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8)
        self.picture.setPixmap(QPixmap.fromImage(qimage.copy()).scaled(CARD_IMAGE, CARD_IMAGE))
        for k, strip in enumerate(self.lines):
            if k < len(lines):
                m, words = lines[k]
                strip.set_html(
                    f'<span style="color:{model_colour(m)}"><b>{escape(short_title(m))}</b>'
                    f"</span> {escape(words)}"
                )
            else:
                strip.set_html("")
        self.setAccessibleDescription(self.text())
        if chosen != self._chosen:
            self._chosen = chosen
            edge = MARK if chosen else PANEL
            self.setStyleSheet(
                f"DigitCard {{ border: 2px solid {edge}; border-radius: 4px; }}"
                f"DigitCard:focus {{ border: 2px dashed {MARK}; }}"  # where Tab stands
            )

    def text(self) -> str:
        """The card's lines as plain text (for tests and accessibility)."""
        return "\n".join(strip.text() for strip in self.lines)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.clicked.emit(self.index)
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.index)
        super().mouseReleaseEvent(event)


class NumberView(QWidget):
    """The Number mode's page (see the module docstring)."""

    # A digit card was clicked: its index (left to right).
    digit_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = NumberCanvas()
        self.holder = AspectHolder(self.canvas, ASPECT)
        line = self.fontMetrics().lineSpacing()
        self.headline = TextStrip(2 * line + 10, centred=True, font_scale=2.0)
        self.headline.set_html(EMPTY_WORDS, HINT)
        self.cards = [DigitCard(k) for k in range(MAX_CARDS)]
        cards_row = QHBoxLayout()
        cards_row.setContentsMargins(0, 0, 0, 0)
        cards_row.addStretch(1)
        for card in self.cards:
            card.clicked.connect(self.digit_clicked)
            card.setVisible(False)
            cards_row.addWidget(card)
        cards_row.addStretch(1)
        cards = QWidget()
        cards.setLayout(cards_row)
        # A long number scrolls sideways rather than widening the window.
        self.cards_box = QScrollArea()
        self.cards_box.setWidget(cards)
        self.cards_box.setWidgetResizable(True)
        self.cards_box.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab stops at the cards
        self.cards_box.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.cards_box.horizontalScrollBar().sizeHint().height()
        self.cards_box.setFixedHeight(CARD_IMAGE + 16 + bar)
        self.detail_title = QLabel("")
        self.detail_title.setStyleSheet(HINT_STYLE)

        top = QWidget()
        column = QVBoxLayout(top)
        self.top_column = column  # the Draw tab puts its tool bar at the top in this mode
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.holder, 1)
        column.addWidget(self.headline)
        column.addWidget(self.cards_box)
        column.addWidget(self.detail_title)
        self.detail = QWidget()
        self.detail_layout = QVBoxLayout(self.detail)
        self.detail_layout.setContentsMargins(0, 0, 0, 0)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(top)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 5)
        self.split.setStretchFactor(1, 4)
        self.split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self.shown: NumberResult | None = None
        self._sized = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        h = self.split.height()
        if h > 0 and not self._sized:
            self._sized = True  # the canvas and the digits get the larger share at first
            self.split.setSizes([int(h * 0.56), h - int(h * 0.56)])

    def update_number(self, result: NumberResult) -> None:
        """Show a reading: boxes on the canvas, the headline, one card per digit."""
        self.shown = result
        reading = result.reading
        digits = reading.digits
        self.canvas.show_digits(
            [d.box for d in digits],
            [reading.text(reading.models[0])[k] for k in range(len(digits))]
            if reading.models
            else [],
            result.selected,
            result.canvas,
        )
        if reading.empty:
            headline, colour, detail = EMPTY_WORDS, HINT, ""
        else:
            colour = TEXT
            headline = " · ".join(
                f'<span style="color:{model_colour(m)}">{escape(short_title(m))} reads '
                f"<b>{escape(reading.text(m))}</b></span>"
                for m in reading.models
            )
            detail = (
                f"Below: digit {result.selected + 1} of {len(digits)} in detail, as if drawn "
                "alone (click a digit above to choose another)"
                if result.selected is not None
                else ""
            )
        self.headline.set_html(headline, colour)
        # A label's text is set only when it changes: that lays the whole window out again.
        if detail != self.detail_title.text():
            self.detail_title.setText(detail)
        for k, card in enumerate(self.cards):
            if k < len(digits):
                digit = digits[k]
                card.show_digit(
                    digit.preprocessed.image,
                    [
                        (m, top_classes(digit.probabilities[m], digit.known[m]))
                        for m in reading.models
                    ],
                    k == result.selected,
                )
            card.setVisible(k < len(digits))

    @property
    def painted_revision(self) -> int:
        """The canvas revision of the reading shown (-1 before any)."""
        return -1 if self.shown is None else self.shown.revision
