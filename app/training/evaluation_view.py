"""Shows an :class:`~digitlab.model.nets.evaluation_report.EvaluationReport`: accuracy, a
clickable confusion matrix and a gallery of test digits (the misclassified ones, or one
clicked cell's)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.widgets.styles import HINT_STYLE, NEAR_BLACK, PAPER
from digitlab.model.nets.wording import plural

GALLERY_LIMIT = 300
_AXIS = "#555"  # the matrix's axis note
_EMPTY = "#999"  # the dot of an empty cell
ICON_PX = 56


def digit_pixmap(image: np.ndarray, px: int = ICON_PX) -> QPixmap:
    """A uint8 ``(28, 28)`` digit (white on black) as a ``px``-square pixmap, pixels kept sharp."""
    data = np.ascontiguousarray(image, np.uint8)
    qimage = QImage(
        data.data, data.shape[1], data.shape[0], data.strides[0], QImage.Format.Format_Grayscale8
    ).copy()
    return QPixmap.fromImage(qimage).scaled(
        px, px, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


def icon_grid(icon_px: int, cell_width: int, cell_height: int) -> QListWidget:
    """A list shown as a grid of ``icon_px``-square pictures, one per ``cell_width`` x
    ``cell_height`` px cell, re-flowed when resized; items cannot be dragged about."""
    grid = QListWidget()
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setIconSize(QSize(icon_px, icon_px))
    grid.setGridSize(QSize(cell_width, cell_height))
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setMovement(QListView.Movement.Static)
    return grid


def cell_colour(count: int, row_total: int, diagonal: bool) -> QColor:
    """Green shades on the diagonal, red off it, stronger for a larger share of the row."""
    share = count / row_total if row_total else 0.0
    if diagonal:
        strength = share
        return QColor.fromRgbF(1 - 0.55 * strength, 1 - 0.2 * strength, 1 - 0.55 * strength)
    strength = min(1.0, share * 12) if count else 0.0
    return QColor.fromRgbF(1.0, 1 - 0.55 * strength, 1 - 0.55 * strength)


class EvaluationView(QWidget):
    """Accuracy, confusion matrix (click a cell for its digits) and a digit gallery."""

    # A confusion cell was chosen: true label, predicted label.
    cell_chosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.report = None
        self.summary = QLabel("Not evaluated yet. Train a model or press Evaluate.")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.summary.setFont(font)

        self.table = QTableWidget(10, 10)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHorizontalHeaderLabels([str(i) for i in range(10)])
        self.table.setVerticalHeaderLabels([str(i) for i in range(10)])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip(
            "Rows: true digit. Columns: predicted digit. Click a cell to see its digits."
        )
        self.table.setCornerButtonEnabled(False)  # "select all" means nothing here
        self.table.setMinimumSize(400, 210)  # room for 4-digit counts, 10 rows of text
        self.table.cellClicked.connect(self._on_cell_clicked)
        self.table.currentCellChanged.connect(lambda r, c, *_: self._on_cell_clicked(r, c))
        for r in range(10):
            for c in range(10):
                item = QTableWidgetItem("")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)

        self.axis_label = axis_label = QLabel("rows: true digit · columns: predicted digit")
        axis_label.setStyleSheet(f"color: {_AXIS}")

        self.gallery_title = QLabel("")
        self.gallery_title.setWordWrap(True)  # a long title must not widen the window
        self.show_wrong = QPushButton("All mistakes")
        self.show_wrong.setToolTip("Show every misclassified test digit, most confident first")
        self.show_wrong.clicked.connect(self.show_misclassified)
        self.show_wrong.setEnabled(False)
        self.gallery = icon_grid(ICON_PX, ICON_PX + 44, ICON_PX + 34)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.gallery.setMinimumWidth(200)

        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(axis_label)
        right = QVBoxLayout()
        head = QHBoxLayout()
        head.addWidget(self.gallery_title, 1)
        head.addWidget(self.show_wrong)
        right.addLayout(head)
        right.addWidget(self.gallery, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 5)
        columns.addLayout(right, 6)
        # The summary spans both columns: one line where a column would wrap it to three.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(columns, 1)
        self.clear()

    def _set_classes(self, names: list[str]) -> None:
        """A ``len(names)`` square table headed with the class names (digits: 0..9)."""
        k = len(names)
        digits = names == [str(i) for i in range(k)]
        if self.table.rowCount() != k:
            self.table.setRowCount(k)
            self.table.setColumnCount(k)
            for r in range(k):
                for c in range(k):
                    if self.table.item(r, c) is None:
                        item = QTableWidgetItem("")
                        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                        self.table.setItem(r, c, item)
        self.table.setHorizontalHeaderLabels(names)
        self.table.setVerticalHeaderLabels(names)
        what = "digit" if digits else "class"
        self.axis_label.setText(f"rows: true {what} · columns: predicted {what}")
        self.table.setToolTip(
            f"Rows: true {what}. Columns: predicted {what}. Click a cell to see its pictures."
        )

    def clear(self, message: str = "Not evaluated yet. Train a model or press Evaluate.") -> None:
        self.report = None
        self.summary.setText(message)
        # An empty matrix has no cell to choose: no current cell (Qt draws one at (0, 0) on
        # focus), no selection, and no focus until a report is shown.
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self.table.blockSignals(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        if self.table.hasFocus():
            self.table.clearFocus()
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                item.setText("")
                item.setBackground(QColor(PAPER))
        self.gallery.clear()
        # Say what the empty pane is for (it is otherwise a blank box beside the matrix).
        self.gallery_title.setText("Mistakes appear here after Evaluate.")
        self.gallery_title.setStyleSheet(HINT_STYLE)
        self.show_wrong.setEnabled(False)

    def set_busy(self, message: str) -> None:
        self.summary.setText(message)

    def set_report(self, report, title: str = "") -> None:
        """Show ``report`` (an EvaluationReport)."""
        self.report = report
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        names = list(getattr(report, "labels_text", [str(i) for i in range(len(report.confusion))]))
        self._set_classes(names)
        wrong = int((report.predictions != report.labels).sum())
        name = f"{title}: " if title else ""
        self.summary.setText(
            f"<b>{name}{report.accuracy * 100:.2f}%</b> of {len(report.labels):,} "
            f"{getattr(report, 'data_label', 'MNIST test digits')} right ({wrong:,} wrong)"
        )
        confusion = np.asarray(report.confusion)
        totals = confusion.sum(1)
        for r in range(confusion.shape[0]):
            for c in range(confusion.shape[1]):
                item = self.table.item(r, c)
                count = int(confusion[r, c])
                item.setText(str(count) if count else "·")
                item.setBackground(cell_colour(count, int(totals[r]), r == c))
                item.setForeground(QColor(NEAR_BLACK if count else _EMPTY))
                item.setToolTip(f"true {names[r]}, predicted {names[c]}: {count}")
        self.show_misclassified()

    def show_misclassified(self) -> None:
        if self.report is None:
            return
        indices = self.report.misclassified
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.blockSignals(False)
        what = "picture" if getattr(self.report, "class_names", ()) else "digit"
        self._fill(
            indices,
            f"Misclassified: {plural(len(indices), what)}"
            + (
                f" (first {GALLERY_LIMIT} shown, most confident first)"
                if len(indices) > GALLERY_LIMIT
                else ", most confident first"
            ),
        )
        self.show_wrong.setEnabled(False)

    def _on_cell_clicked(self, row: int, column: int) -> None:
        if self.report is None or row < 0 or column < 0:
            return
        self.show_cell(row, column)

    def show_cell(self, true: int, pred: int) -> None:
        """Fill the gallery with the test digits labelled ``true`` and answered ``pred``."""
        if self.report is None:
            return
        indices = self.report.cell(true, pred)
        names = self._names()
        what = "read correctly" if true == pred else f"read as {names[pred]}"
        more = f" (first {GALLERY_LIMIT} shown)" if len(indices) > GALLERY_LIMIT else ""
        n = len(indices)
        self._fill(
            indices, f"True {names[true]}, {what}: {n:,} picture{'' if n == 1 else 's'}{more}"
        )
        self.show_wrong.setEnabled(True)
        self.cell_chosen.emit(true, pred)

    def _names(self) -> list[str]:
        report = self.report
        return list(getattr(report, "labels_text", [str(i) for i in range(len(report.confusion))]))

    def _fill(self, indices: np.ndarray, title: str) -> None:
        report = self.report
        names = self._names()
        self.gallery_title.setText(title)
        self.gallery_title.setStyleSheet("")
        self.gallery.setUpdatesEnabled(False)
        self.gallery.clear()
        for i in indices[:GALLERY_LIMIT]:
            true, pred = int(report.labels[i]), int(report.predictions[i])
            conf = float(report.confidence[i])
            short = [n if len(n) <= 8 else n[:7] + "…" for n in (names[true], names[pred])]
            item = QListWidgetItem(
                QIcon(digit_pixmap(report.images[i])), f"{short[0]} → {short[1]}\n{conf * 100:.0f}%"
            )
            item.setToolTip(
                f"test image #{int(i)}: true {names[true]}, predicted {names[pred]} "
                f"with {conf * 100:.1f}% confidence"
            )
            item.setData(Qt.ItemDataRole.UserRole, int(i))
            self.gallery.addItem(item)
        self.gallery.setUpdatesEnabled(True)

    def gallery_indices(self) -> list[int]:
        return [
            self.gallery.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.gallery.count())
        ]
