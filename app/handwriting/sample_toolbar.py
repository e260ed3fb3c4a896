"""The bar above the "My handwriting" grid: which samples to show, relabel and delete the
selected ones, import and export the file. It only asks; the tab does the work."""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from digitlab.app.widgets import file_dialogs
from digitlab.model.data.personal_data import NOT_A_DIGIT

ALL, MISREAD = -10, -20
"""Filter choices besides a label (a digit, or ``NOT_A_DIGIT``): every sample, samples some
live model misreads."""


class SampleToolbar(QWidget):
    """The filter, Relabel as…, Delete, Import… and Export…; the file dialogs are its own."""

    # Another filter was chosen (read ``filter.currentData()``: ALL, MISREAD or a digit).
    filter_changed = Signal()
    # Relabel the selected samples: the digit 0..9, or NOT_A_DIGIT.
    relabel_requested = Signal(int)
    # Delete the selected samples.
    delete_requested = Signal()
    # A .jsonl file to import was chosen: its path.
    import_chosen = Signal(str)
    # A file to export to was chosen: its path.
    export_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.filter = QComboBox()
        self.filter.addItem("All digits", ALL)
        self.filter.addItem("Misread by a model", MISREAD)
        for digit in range(10):
            self.filter.addItem(f"Only {digit}s", digit)
        self.filter.addItem("Only not digits", NOT_A_DIGIT)
        self.filter.currentIndexChanged.connect(lambda _i: self.filter_changed.emit())
        self.filter.setToolTip(
            "Which samples the grid shows: all of them, those a live model reads wrong, "
            "or those of one label"
        )

        self.relabel_button = QToolButton()
        self.relabel_button.setText("Relabel as…")
        self.relabel_button.setToolTip(
            "Give the selected samples another digit, or mark them not digits"
        )
        self.relabel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.relabel_button)
        for digit in range(10):
            action = menu.addAction(str(digit))
            action.triggered.connect(lambda _checked=False, d=digit: self.relabel_requested.emit(d))
        menu.addSeparator()
        not_digit = menu.addAction("not a digit")
        not_digit.triggered.connect(lambda _checked=False: self.relabel_requested.emit(NOT_A_DIGIT))
        self.relabel_button.setMenu(menu)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Remove the selected samples (Delete key)")
        self.delete_button.clicked.connect(self.delete_requested)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip(
            "Add the samples of a .jsonl file (drawings you already have are skipped)"
        )
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Write all samples to a .jsonl file (one JSON object per line)"
        )
        self.export_button.clicked.connect(self._on_export_clicked)

        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.filter)
        bar.addSpacing(12)
        bar.addWidget(self.relabel_button)
        bar.addWidget(self.delete_button)
        bar.addStretch(1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_button)

    def set_state(self, selected: bool, any_samples: bool) -> None:
        """Relabel and Delete need a selection; Export needs samples."""
        self.relabel_button.setEnabled(selected)
        self.delete_button.setEnabled(selected)
        self.export_button.setEnabled(any_samples)

    def _on_import_clicked(self) -> None:
        path = file_dialogs.open_file_name(
            self,
            "Import handwriting samples",
            file_dialogs.SAMPLES,
            "JSON lines (*.jsonl);;All files (*)",
        )
        if path:
            self.import_chosen.emit(path)

    def _on_export_clicked(self) -> None:
        path = file_dialogs.save_file_name(
            self,
            "Export handwriting samples",
            file_dialogs.SAMPLES,
            f"my-handwriting-{time.strftime('%Y%m%d')}.jsonl",
            "JSON lines (*.jsonl)",
        )
        if path:
            self.export_chosen.emit(path)
