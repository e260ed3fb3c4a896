"""The Explain tab's two table pages: the receptive fields read from the models' layers
(:class:`FieldsTable`) and what the measured error rates mean at scale
(:class:`AtScalePanel`).

The rows are text made without Qt, by :func:`digitlab.model.explain.receptive_field.field_table`
and :mod:`digitlab.model.explain.at_scale`; the tables only show them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.explain.view_parts import hint
from digitlab.model.explain import at_scale
from digitlab.model.explain.receptive_field import field_table
from digitlab.model.nets.wording import model_title

_NUMBERS = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _read_only(table: QTableWidget) -> None:
    table.verticalHeader().setVisible(False)
    # Rows as tall as their wrapped text: a narrow window wraps, never cuts, a cell.
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)


def _sentence_title(name: str) -> str:
    """How a sentence names a model: "CNN", and "dense network" for the other."""
    return model_title(name) if name == "cnn" else "dense network"


class AtScalePanel(QWidget):
    """Expected misreadings per day for a number of events, from the measured error rates."""

    def __init__(self, parent=None):
        super().__init__(parent)
        from digitlab.model.data.bundled import METRICS_PATH

        self.sets = at_scale.measured_from_metrics(METRICS_PATH)
        self.events = QDoubleSpinBox()
        self.events.setDecimals(0)
        self.events.setRange(1, 1e12)
        self.events.setGroupSeparatorShown(True)
        self.events.setValue(at_scale.DEFAULT_EVENTS)
        self.events.setSuffix(" digits a day")
        self.events.setMinimumWidth(200)
        self.events.setToolTip("How many digits a day the model would read: the table scales")
        self.events.valueChanged.connect(self._update)
        top = QHBoxLayout()
        read = QLabel("If the app &read")
        read.setBuddy(self.events)
        top.addWidget(read)
        top.addWidget(self.events)
        top.addStretch(1)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["measured on", "model", "errors measured", "misreadings a day", "95% interval"]
        )
        _read_only(self.table)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Every row shown; the page scrolls as a whole when the window is short.
        self.table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.RichText)
        note = hint(
            "Error rates measured for the bundled models (resources/models); the "
            "interval is the Wilson 95% interval of each rate, and Newcombe's for the "
            "difference."
        )
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.sentence)
        layout.addWidget(note)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._update()

    def set_events(self, events: int) -> None:
        """Show the sums for ``events`` digits a day."""
        self.events.setValue(events)

    def _update(self) -> None:
        events = int(self.events.value())
        rows = at_scale.table_rows(self.sets, events, model_title)
        sentences = at_scale.set_sentences(self.sets, events, _sentence_title)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(_NUMBERS)
                self.table.setItem(r, c, item)
        self.sentence.setText(
            "<p>" + "</p><p>".join(sentences) + "</p>"
            if sentences
            else "No measured error rates were found."
        )


class FieldsTable(QTableWidget):
    """The feature hierarchy of both models, computed from their layers."""

    def __init__(self, parent=None):
        super().__init__(0, 5, parent)
        self.setHorizontalHeaderLabels(
            ["model", "layer", "what it detects", "receptive field", "step between units"]
        )
        _read_only(self)
        # The layer and what it detects wrap in their share of the width (no "…").
        self.setWordWrap(True)
        header = self.horizontalHeader()
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        for c, mode in enumerate((fit, stretch, stretch, fit, fit)):
            header.setSectionResizeMode(c, mode)
        self._fields: dict[str, tuple] = {}

    def set_fields(self, name: str, fields) -> None:
        """Show ``name``'s :class:`~digitlab.model.explain.receptive_field.FieldRow` s (the
        other models' rows stay)."""
        self._fields[name] = tuple(fields)
        rows = [(model_title(n), *row) for n, f in self._fields.items() for row in field_table(f)]
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(r, c, item)

    def cell_text(self, model: str, layer: str, column: int) -> str:
        """The text in ``column`` of ``model``'s ``layer`` row (tests)."""
        for r in range(self.rowCount()):
            if (
                self.item(r, 0).text() == model_title(model)
                and self.item(r, 1).text().split(" ")[0] == layer
            ):
                return self.item(r, column).text()
        raise KeyError((model, layer))
