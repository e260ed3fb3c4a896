"""The "Fool it" page: pick a digit; for each model, the small change that makes it read that
digit, the changed input, the difference map with its size, and whether the other model is
fooled by the same change."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.explore.digit_views import DigitImage
from digitlab.app.widgets.styles import HINT_STYLE
from digitlab.model.explore.adversarial import FoolResult
from digitlab.model.nets.wording import model_title, plural

MODELS = ("cnn", "dense")


class FoolPage(QWidget):
    """:attr:`target` (0..9), :attr:`button`, :attr:`original`, and per attacked model
    :attr:`changed`, :attr:`difference`, :attr:`verdicts` (QLabel)."""

    # "Fool it" was asked: the target digit.
    asked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.target = QComboBox()
        self.target.addItems([str(d) for d in range(10)])
        self.target.setCurrentIndex(3)
        self.button = QPushButton("Fool it")
        self.button.clicked.connect(lambda: self.asked.emit(self.target.currentIndex()))
        self.target.setToolTip("The digit the models should be fooled into reading")
        self.button.setToolTip("Find the smallest change to your drawing that makes them read it")
        self.status = QLabel("Draw a digit, pick the digit the models should read, click Fool it.")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(HINT_STYLE)
        row = QHBoxLayout()
        row.addWidget(QLabel("Make them read"))
        row.addWidget(self.target)
        row.addWidget(self.button)
        row.addStretch(1)

        self.original = DigitImage(96)
        self.changed = {m: DigitImage(96) for m in MODELS}
        self.difference = {m: DigitImage(96, difference=True) for m in MODELS}
        self.verdicts = {m: QLabel() for m in MODELS}
        grid = QGridLayout()
        grid.addWidget(QLabel("Your input"), 0, 0)
        grid.addWidget(QLabel("Changed input"), 0, 1)
        grid.addWidget(QLabel("Change: red added, blue taken\n(to its largest change)"), 0, 2)
        grid.addWidget(self.original, 1, 0)
        for i, m in enumerate(MODELS):
            grid.addWidget(self.changed[m], 1 + 2 * i, 1)
            grid.addWidget(self.difference[m], 1 + 2 * i, 2)
            self.verdicts[m].setWordWrap(True)
            grid.addWidget(self.verdicts[m], 2 + 2 * i, 0, 1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addLayout(grid)
        layout.addStretch(1)

    def show_waiting(self, text: str) -> None:
        self.status.setText(text)

    def show_result(self, result: FoolResult, original) -> None:
        """Show each model's attack on ``original`` float32 ``(28, 28)``."""
        self.original.show_image(original)
        t = result.target
        self.status.setText(f"Changes that make each model read {t}:")
        for m in MODELS:
            attack = result.attacks.get(m)
            if attack is None:
                self.changed[m].show_image(None)
                self.difference[m].show_image(None)
                self.verdicts[m].setText("")
                continue
            self.changed[m].show_image(attack.image)
            self.difference[m].show_image(attack.delta)
            others = [o for o in attack.probabilities if o != m]
            p = attack.probabilities[m][t]
            found = "found" if attack.fooled[m] else f"not found in {plural(attack.steps, 'step')}"
            words = [
                f"<b>Fooling the {model_title(m)}</b>: {found}; it reads {t} at {p:.0%}. "
                f"Change: L2 {attack.l2:.2f}, largest pixel change {attack.linf:.2f} "
                f"({plural(attack.steps, 'step')})."
            ]
            for o in others:
                fooled = "fooled too" if attack.fooled[o] else "not fooled"
                top = int(attack.probabilities[o].argmax())
                words.append(
                    f"The {model_title(o)} is {fooled} by the same change (it reads {top})."
                )
            self.verdicts[m].setText(" ".join(words))
