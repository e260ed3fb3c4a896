""" "Wrong? It was: 0 1 … 9": one click files the drawing under the right digit.

The row sits under the Draw tab's canvas. A click stores the canvas's strokes (and the 28x28
input they make) in the personal dataset (:class:`digitlab.app.handwriting.samples.PersonalSamples`)
with that label and says so; the "My handwriting" tab lists what was saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.widgets.layout import FixedRows
from digitlab.app.widgets.styles import BAD_STYLE, GOOD_STYLE, HINT_STYLE
from digitlab.model.data.personal_data import NOT_A_DIGIT, PersonalDataError
from digitlab.model.nets.wording import plural

HINT = "Click the digit you meant: the drawing is saved to My handwriting."
NOT_DIGITS = (
    "A model of your own classes is live: corrections are for the digit models "
    "(Restore bundled models in the Train tab)."
)


class CorrectionRow(QWidget):
    """Ten digit buttons under the canvas and a line saying what a click did.

    Parameters
    ----------
    canvas : the Draw tab's :class:`~app.canvas.DrawingCanvas` (its strokes and size are read).
    samples : where the drawing goes.
    """

    # A drawing was saved: its label.
    saved = Signal(int)

    def __init__(self, canvas, samples: PersonalSamples, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = canvas
        self.samples = samples
        title = QLabel("<b>Wrong?</b> It was:")
        title.setToolTip(HINT)
        self.buttons: list[QToolButton] = []
        # The title and "not a digit" above the ten digits: in one row they need more than
        # the Draw tab's column has in a 1024-px window.
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.addWidget(title)
        heading.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        for digit in range(10):
            button = QToolButton()
            button.setText(str(digit))
            button.setToolTip(f"It was a {digit}: save this drawing as a {digit} in My handwriting")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(22)
            button.clicked.connect(lambda _checked=False, d=digit: self.save_as(d))
            self.buttons.append(button)
            row.addWidget(button, 1)
        self.not_digit_button = QToolButton()
        self.not_digit_button.setText("not a digit")
        self.not_digit_button.setToolTip(
            "It was not a digit at all: save it to My handwriting as a negative sample, so "
            "fine-tuning teaches the models to say so"
        )
        self.not_digit_button.clicked.connect(lambda _checked=False: self.save_as(NOT_A_DIGIT))
        self.buttons.append(self.not_digit_button)
        heading.addWidget(self.not_digit_button)
        self.message = QLabel(HINT)
        self.message.setStyleSheet(HINT_STYLE)
        self.message.setWordWrap(True)
        # Two lines, always: a message of another length must not re-lay out the column, which
        # would resize the paper above and so change (rescale) the drawing just saved.
        self.message.setFixedHeight(2 * self.message.fontMetrics().lineSpacing() + 2)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(2)
        layout.addLayout(heading)
        layout.addLayout(row)
        layout.addWidget(self.message)
        # The buttons become available with the first stroke, and a tool button that changes
        # asks for a new layout: held in a fixed band, that request stops here instead of
        # re-laying out (and repainting) the whole window at the pen's first lift.
        band = FixedRows(inner, inner.sizeHint().height())
        band.setMinimumWidth(inner.minimumSizeHint().width())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(band)
        canvas.strokes_changed.connect(self._on_strokes_changed)
        canvas.history_changed.connect(self._update_enabled)
        self._digits = True  # the live models read digits (not a model of your own classes)
        for button in self.buttons:
            button.setEnabled(False)
        self._update_enabled()

    def set_digit_models(self, digits: bool) -> None:
        """Offer corrections only while the live models read digits: the samples are digits,
        and a model of your own classes is not scored on them."""
        self._digits = digits
        self._update_enabled()
        self._say(self._hint(), HINT_STYLE)

    def _hint(self) -> str:
        return HINT if self._digits else NOT_DIGITS

    def _update_enabled(self) -> None:
        # Called on every pen move: a cheap look at the gestures, not the clipped strokes.
        drawn = self._digits and any(not s.erase for s in self.canvas.strokes())
        if drawn != self.buttons[0].isEnabled():
            for button in self.buttons:
                button.setEnabled(drawn)

    def _on_strokes_changed(self, _revision: int) -> None:
        self._update_enabled()
        self._say(self._hint(), HINT_STYLE)

    def _say(self, text: str, style: str) -> None:
        if text == self.message.text():
            return
        self.message.setText(text)
        self.message.setStyleSheet(style)

    def save_as(self, digit: int) -> bool:
        """Store the current drawing labelled ``digit`` (0..9, or ``NOT_A_DIGIT``); True when
        it was saved."""
        strokes = self.canvas.model_strokes()
        size = self.canvas.canvas_size()
        if self.canvas.is_empty():
            self._say("Draw a digit first.", BAD_STYLE)
            return False
        before = self.samples.find(strokes, size)
        what_it_is = "not a digit" if digit == NOT_A_DIGIT else f"a {digit}"
        if before is not None and before.label == digit:
            self._say(f"Already in My handwriting as {what_it_is}.", GOOD_STYLE)
            return True
        try:
            self.samples.add(digit, strokes, size)
        except (PersonalDataError, OSError) as exc:
            self._say(f"Not saved: {exc}", BAD_STYLE)
            return False
        total = len(self.samples)
        if digit == NOT_A_DIGIT:
            of_kind = f"{self.samples.not_digits()} of them not digits"
        else:
            of_kind = f"{self.samples.counts()[digit]} of them {digit}s"
        what = f"Relabelled as {what_it_is}" if before is not None else f"Saved as {what_it_is}"
        self._say(f"{what} · {plural(total, 'sample')} in My handwriting ({of_kind}).", GOOD_STYLE)
        self.saved.emit(digit)
        return True
