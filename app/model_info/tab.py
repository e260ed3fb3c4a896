"""The "Model" tab: each model's real layers and parameters, and CNN versus dense at a glance.

Built from the loaded models' layers (:class:`digitlab.app.live.live_models.ModelInfo`) and the
bundled ``metrics.json``; nothing here is typed in by hand except the seed's claims, shown as
claims.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.widgets.styles import HINT_STYLE, MODEL_COLOURS
from digitlab.model import __version__
from digitlab.model.data.bundled import METRICS_PATH, PEN_DEV_PATH
from digitlab.model.explain.at_scale import read_pen_dev
from digitlab.model.nets.describe import ModelInfo
from digitlab.model.nets.wording import model_title

SEED_CLAIMS = {"cnn": 0.992, "dense": 0.978}
"""Test accuracy the seed document claims for each architecture."""

MNIST_ATTRIBUTION = (
    "The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and "
    "Christopher J.C. Burges, available under the Creative Commons Attribution-Share Alike "
    "3.0 license (CC BY-SA 3.0)."
)
ABOUT_HTML = (
    f"<h3>Digit Lab {__version__}</h3>"
    "<p>Draw a digit and watch a convolutional network and a dense network read it, "
    "layer by layer.</p>"
    f"<p>{MNIST_ATTRIBUTION}</p>"
    "<p>Built with TensorFlow/Keras, Qt (PySide6) and pyqtgraph.</p>"
)


def load_metrics(path=METRICS_PATH) -> dict:
    """The bundled models' metrics (empty when the file is missing or unreadable)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _item(text: str, align=Qt.AlignmentFlag.AlignLeft, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def _fit_height(table: QTableWidget) -> None:
    table.resizeRowsToContents()
    h = table.horizontalHeader().height() + 2 * table.frameWidth()
    h += sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setMinimumHeight(h)
    table.setMaximumHeight(h)


def _percent(value, digits: int = 2) -> str:
    try:
        return f"{float(value):.{digits}%}"
    except (TypeError, ValueError):
        return "—"


def load_pen_accuracy(path=PEN_DEV_PATH) -> dict[str, tuple[float, int]]:
    """Model name -> (accuracy 0..1, digits) on the pen-drawn dev set, from ``pen_dev.json``
    (written by ``benchmarks/pen_digits.py --write-counts``); empty when missing or bad."""
    return {name: (1 - m.rate, m.total) for name, m in read_pen_dev(path).items()}


class ModelTab(QWidget):
    """Per-model layer tables with totals, a comparison table and the MNIST attribution."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.metrics = load_metrics()
        self.pen = load_pen_accuracy()
        self.summaries: dict[str, QTableWidget] = {}
        self.totals: dict[str, QLabel] = {}
        self.changed: set[str] = set()
        self.infos: dict[str, ModelInfo] = {}
        tables = QHBoxLayout()
        tables.setSpacing(16)
        for name in ("cnn", "dense"):
            box = QGroupBox(f"{model_title(name)}: layers")
            box.setStyleSheet(f"QGroupBox {{ font-weight: 600; color: {MODEL_COLOURS[name]}; }}")
            table = _table(["Layer", "Type", "Output shape", "Parameters"])
            total = QLabel("Loading the model…")
            inner = QVBoxLayout(box)
            inner.addWidget(table)
            inner.addWidget(total)
            inner.addStretch(1)
            tables.addWidget(box, 1)
            self.summaries[name] = table
            self.totals[name] = total
        compare_box = QGroupBox(f"{model_title('cnn')} versus {model_title('dense')}")
        self.compare = _table(["", model_title("cnn"), model_title("dense")])
        self.compare_note = QLabel()
        self.compare_note.setWordWrap(True)
        self.compare_note.setStyleSheet(HINT_STYLE)
        inner = QVBoxLayout(compare_box)
        inner.addWidget(self.compare)
        inner.addWidget(self.compare_note)
        about_box = QGroupBox("About")
        about = QLabel(ABOUT_HTML)
        about.setWordWrap(True)
        about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(about_box).addWidget(about)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(tables)
        layout.addWidget(compare_box)
        layout.addWidget(about_box)
        layout.addStretch(1)
        # Scrolls in a short window rather than making the whole window taller.
        scroll = QScrollArea()
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._fill_comparison()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # Narrower, the row labels wrap to more lines: fit the tables' heights again (once the
        # page inside has its new width), or the note below is drawn over the last rows.
        QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        for table in (*self.summaries.values(), self.compare):
            _fit_height(table)

    def set_models(self, infos: dict[str, ModelInfo]) -> None:
        self.infos.update(infos)
        for info in infos.values():
            self._fill_summary(info)
        self._fill_comparison()

    def update_model(self, info: ModelInfo) -> None:
        """A model was replaced live (e.g. trained in the Train tab)."""
        self.changed.add(info.name)
        self.set_models({info.name: info})

    def _fill_summary(self, info: ModelInfo) -> None:
        table = self.summaries.get(info.name)
        if table is None:
            return
        table.setRowCount(0)
        right = Qt.AlignmentFlag.AlignRight
        for layer in info.layers:
            r = table.rowCount()
            table.insertRow(r)
            table.setItem(r, 0, _item(layer.name))
            table.setItem(r, 1, _item(layer.kind))
            table.setItem(r, 2, _item("×".join(str(s) for s in layer.shape)))
            table.setItem(r, 3, _item(f"{layer.params:,}", right))
        r = table.rowCount()
        table.insertRow(r)
        table.setItem(r, 0, _item("Total", bold=True))
        table.setItem(r, 1, _item(""))
        table.setItem(r, 2, _item(""))
        table.setItem(r, 3, _item(f"{info.total_params:,}", right, bold=True))
        _fit_height(table)
        source = (
            "live model (replaced in this session)"
            if info.name in self.changed
            else "bundled model"
        )
        self.totals[info.name].setText(
            f"{info.total_params:,} trainable parameters in {len(info.layers)} layers, "
            f"counted from the {source}."
        )

    def _pen_total(self) -> int:
        return max((total for _, total in self.pen.values()), default=0)

    def _fill_comparison(self) -> None:
        names = ("cnn", "dense")
        rows = [
            ("Layers", [str(len(self.infos[n].layers)) if n in self.infos else "…" for n in names]),
            (
                "Parameters",
                [f"{self.infos[n].total_params:,}" if n in self.infos else "…" for n in names],
            ),
            (
                "MNIST test accuracy (bundled model, metrics.json)",
                [_percent(self.metrics.get(n, {}).get("test_accuracy")) for n in names],
            ),
            (
                "Test accuracy the seed document claims",
                [_percent(SEED_CLAIMS[n], 1) for n in names],
            ),
            *(
                [
                    (
                        f"Pen-drawn digits, not MNIST ({self._pen_total():,} from tablets, never "
                        "trained on)",
                        [_percent(self.pen.get(n, (None,))[0]) for n in names],
                    )
                ]
                if self.pen
                else []
            ),
            (
                "Epochs trained (bundled model)",
                [str(self.metrics.get(n, {}).get("epochs", "—")) for n in names],
            ),
            (
                "Test images",
                [f"{self.metrics.get(n, {}).get('test_images', 0):,}" or "—" for n in names],
            ),
        ]
        self.compare.setRowCount(0)
        for label, values in rows:
            r = self.compare.rowCount()
            self.compare.insertRow(r)
            self.compare.setItem(r, 0, _item(label, bold=True))
            for c, value in enumerate(values, 1):
                self.compare.setItem(r, c, _item(value, Qt.AlignmentFlag.AlignRight))
        self.compare.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        _fit_height(self.compare)
        below = [
            n
            for n in names
            if isinstance(self.metrics.get(n, {}).get("test_accuracy"), (int, float))
            and self.metrics[n]["test_accuracy"] < SEED_CLAIMS[n]
        ]
        if not self.metrics:
            note = "metrics.json is missing: the bundled models' accuracy is unknown."
        elif below:
            note = (
                "The bundled "
                + " and ".join(model_title(n) for n in below)
                + " measure below the seed's claim on the 10,000 MNIST test images: "
                "the measured figure is the one to trust. Train better models in the "
                "Train tab or with `digitlab train`."
            )
        else:
            note = "Accuracy measured on the 10,000 MNIST test images."
        self.compare_note.setText(note)
