"""The Draw tab's answers: both models' probability bars, their readings in words, and
whether they agree (the words come from :mod:`digitlab.model.nets.wording`)."""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QTextDocument
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from digitlab.app.draw.probability_plot import PLOT_HEIGHT, ProbabilityPlot
from digitlab.app.widgets.styles import (
    AGREE_PALE,
    AGREE_TEXT,
    DISAGREE_PALE,
    DISAGREE_TEXT,
    HINT,
    MUTED,
    PANEL,
    SINGLE_PALE,
    SINGLE_TEXT,
    UNKNOWN_PALE,
    UNKNOWN_TEXT,
    model_colour,
)
from digitlab.model.nets.describe import reads_digits
from digitlab.model.nets.live_answer import LiveResult
from digitlab.model.nets.live_source import short_source
from digitlab.model.nets.wording import (
    class_label,
    model_title,
    reading_parts,
    verdict,
)
from digitlab.model.preprocess.frame import empty_input

VERDICT_COLOURS = {
    "single": (SINGLE_TEXT, SINGLE_PALE),
    "agree": (AGREE_TEXT, AGREE_PALE),
    "disagree": (DISAGREE_TEXT, DISAGREE_PALE),
    "unknown": (UNKNOWN_TEXT, UNKNOWN_PALE),
}
"""The banner's (text, background) colours for each tone of :func:`verdict`."""
IDLE_BANNER = (HINT, PANEL)
"""The banner's (text, background) colours while there is no answer to show."""

STACKED_PLOT_HEIGHT = 80
"""Least height of one model's bars when stacked (:meth:`ProbabilityPanel.set_stacked`)."""


class TextStrip(QWidget):
    """A one-line rich-text strip whose text changes while the pen moves.

    A QLabel asks its window to re-lay itself out on every new text, which here repaints
    every widget in the window (about 5 ms a stroke); this strip only repaints itself.
    """

    def __init__(
        self,
        height: int,
        centred: bool = False,
        font_scale: float = 1.0,
        bold: bool = False,
        parent=None,
    ):
        super().__init__(parent)
        self._doc = QTextDocument()
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * font_scale)
        font.setBold(bold)
        self._doc.setDefaultFont(font)
        self._doc.setDocumentMargin(2)
        self._html = ""
        self._tail = ""  # plain text drawn right after the document, e.g. " (97%)"
        self._tail_colour: QColor | None = None
        self._centred = centred
        self._background: QColor | None = None
        self._colour: QColor | None = None  # None: the palette's text colour (the theme's)
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def text(self) -> str:
        """The text without markup (for tests and accessibility)."""
        return self._doc.toPlainText() + self._tail

    def set_html(
        self,
        html: str,
        colour: str | None = None,
        background: str | None = None,
        tail: str = "",
        tail_colour: str | None = None,
    ):
        """Show ``html`` in ``colour`` (default: the palette's) on ``background`` (default:
        none), followed by the plain ``tail`` in ``tail_colour`` (default: as the text). A new
        tail alone costs no new layout of the html (the number of a reading, at most moves)."""
        recolour = colour is not None and QColor(colour) != self._colour
        if recolour:
            self._colour = QColor(colour)
        fill = QColor(background) if background else None
        tail_ink = QColor(tail_colour) if tail_colour else None
        same_tail = tail == self._tail and tail_ink == self._tail_colour
        if html == self._html and not recolour and fill == self._background and same_tail:
            return  # the same words (many pen moves): nothing to repaint
        self._background, self._tail, self._tail_colour = fill, tail, tail_ink
        if html != self._html or recolour:  # e.g. the same verdict in the other theme
            self._html = html
            self._render()
        else:
            self.setToolTip(self.text())
        self.update()

    def _render(self) -> None:
        colour = self._colour if self._colour is not None else self.palette().windowText().color()
        self._doc.setDefaultStyleSheet(f"body {{ color: {colour.name()}; }}")
        self._doc.setHtml(f"<body>{self._html}</body>")
        self.setToolTip(self.text())

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the theme changed
            self._render()
        super().changeEvent(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())  # opaque: parents need not paint
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._background is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._background)
            painter.drawRoundedRect(QRectF(self.rect()), 6, 6)
        size = self._doc.size()  # laid out unwrapped (text width -1) once per new text
        font = self._doc.defaultFont()
        tail = QFontMetricsF(font).horizontalAdvance(self._tail) if self._tail else 0.0
        # A text wider than the strip is drawn smaller, whole (a narrow window never cuts it).
        scale = min(1.0, self.width() / max(1.0, size.width() + tail))
        x = (self.width() - (size.width() + tail) * scale) / 2 if self._centred else 0.0
        y = (self.height() - size.height() * scale) / 2
        painter.translate(max(0.0, x), y)
        painter.scale(scale, scale)
        self._doc.drawContents(painter, QRectF(0, 0, size.width(), size.height()))
        if self._tail:
            block = self._doc.lastBlock()
            layout = block.layout()
            line = layout.lineAt(layout.lineCount() - 1)
            baseline = layout.position().y() + line.y() + line.ascent()
            end = layout.position().x() + line.x() + line.naturalTextWidth()
            painter.setFont(font)
            painter.setPen(self._tail_colour or self._colour or self.palette().windowText().color())
            painter.drawText(QPointF(end, baseline), self._tail)
        painter.end()


class ProbabilityPanel(QWidget):
    """Both models' bars side by side, their readings in words, and whether they agree.

    Clicking a bar emits :attr:`class_clicked` with its class (the Explain tab explains it).
    """

    # A bar was clicked: its class.
    class_clicked = Signal(int)
    # The bars were rebuilt (another set of models): new widgets, so a new tab order.
    columns_rebuilt = Signal()

    def __init__(self, names=("cnn", "dense"), parent=None):
        super().__init__(parent)
        self.banner = TextStrip(38, centred=True, font_scale=1.25, bold=True)
        self.headers: dict[str, TextStrip] = {}
        self.plots: dict[str, ProbabilityPlot] = {}
        self.labels: dict[str, tuple[str, ...]] = {}
        self.sources: dict[str, str] = {}  # name -> which model it is (set_sources)
        # name -> the header after the name: (html, plain tail such as " (97%)", tail colour)
        self._header_parts: dict[str, tuple[str, str, str | None]] = {}
        self._row = QHBoxLayout()
        self._row.setSpacing(12)
        self._columns: list[QWidget] = []
        self._stacked = False
        self._build_columns(dict.fromkeys(names, ()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(self._row, 1)
        self.show_loading()

    def _build_columns(self, labels: dict[str, tuple[str, ...]]) -> None:
        for column in self._columns:
            column.setParent(None)
            column.deleteLater()
        self._columns, self.headers, self.plots = [], {}, {}
        for name, names in labels.items():
            column = QWidget()
            inner = QVBoxLayout(column)
            inner.setContentsMargins(0, 0, 0, 0)
            header = TextStrip(30)
            plot = ProbabilityPlot(name, len(names) or 10)
            if self._stacked:
                plot.setMinimumHeight(STACKED_PLOT_HEIGHT)
            if names:
                plot.set_classes(len(names), names)
            self.headers[name] = header
            self.plots[name] = plot
            plot.bar_clicked.connect(self.class_clicked)
            inner.addWidget(header)
            inner.addWidget(plot, 1)
            self._row.addWidget(column, 1)
            self._columns.append(column)
        self.labels = {
            name: names or tuple(str(i) for i in range(10)) for name, names in labels.items()
        }
        self.columns_rebuilt.emit()

    def set_stacked(self, stacked: bool) -> None:
        """One model's bars under the other's (True: for a wide, low space such as the
        Number mode's) or side by side (False, the default)."""
        self._row.setDirection(
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )
        self._stacked = stacked
        for plot in self.plots.values():
            plot.setMinimumHeight(STACKED_PLOT_HEIGHT if stacked else PLOT_HEIGHT)

    def set_models(self, infos) -> None:
        """Show one column of bars per model in ``infos`` (name -> ModelInfo), labelled with
        its classes; nothing is rebuilt when the names and classes are the same."""
        labels = {name: tuple(info.labels) for name, info in infos.items()}
        if labels == self.labels:
            return
        self._build_columns(labels)
        self.show_loading() if not infos else self.update_result(
            LiveResult(-1, empty_input()), ready=True
        )

    def _set_banner(self, text: str, colour: str, background: str) -> None:
        self.banner.set_html(text, colour, background)

    def set_sources(self, sources: dict[str, str]) -> None:
        """Name the model live under each name (the model list's labels, e.g. "Trained CNN #3
        (…)") in its header, in short ("trained #3")."""
        self.sources = dict(sources)
        for name, parts in list(self._header_parts.items()):
            if name in self.headers:
                self._header(name, *parts)

    def _header(self, name: str, text: str, tail: str = "", tail_colour: str | None = None):
        colour = model_colour(name)
        self._header_parts[name] = (text, tail, tail_colour)
        source = self.sources.get(name)
        which = (
            f" <span style='color:{MUTED}'>({escape(short_source(source))})</span>"
            if source
            else ""
        )
        self.headers[name].set_html(
            f"<span style='color:{colour}; font-weight:600'>{model_title(name)}</span>"
            f"{which}&nbsp;&nbsp;{text}",
            tail=tail,
            tail_colour=tail_colour,
        )

    def show_loading(self) -> None:
        """Empty bars and a banner saying the models are on their way."""
        self._set_banner("Loading the models… you can start drawing", *IDLE_BANNER)
        for name, plot in self.plots.items():
            self._header(name, f"<span style='color:{MUTED}'>loading…</span>")
            plot.show_probabilities(None, plot.shown_revision)

    def update_result(self, result: LiveResult, ready: bool = True) -> None:
        """Show each model's answer in ``result`` (``ready``: the models are loaded)."""
        if result.empty:
            if ready and len(self.plots) == 1:
                name = next(iter(self.plots))
                self._set_banner(
                    f"Draw on the paper: {model_title(name)} sorts it into "
                    f"{len(self.labels[name])} classes",
                    *IDLE_BANNER,
                )
            elif ready:
                self._set_banner("Draw a digit on the paper", *IDLE_BANNER)
            for name, plot in self.plots.items():
                self._header(name, f"<span style='color:{MUTED}'>waiting for a drawing</span>")
                plot.show_probabilities(None, result.revision)
            return
        tops = {n: int(np.argmax(p)) for n, p in result.probabilities.items() if n in self.plots}
        for name, plot in self.plots.items():
            probs = result.probabilities.get(name)
            if probs is None or len(probs) != plot.classes:
                continue  # an answer from before the model set changed
            others = [t for n, t in tops.items() if n != name]
            known = result.known.get(name, True)
            plot.show_probabilities(
                probs, result.revision, others[0] if others else None, known=known
            )
            top = tops[name]
            label = class_label(self.labels.get(name, ()), top)
            big = f"<b style='font-size:15pt'>{escape(label)}</b>"
            words, number = reading_parts(big, float(probs[top]), known, reads_digits(self.plots))
            style = "" if known else f" style='color:{MUTED}'"
            self._header(name, f"<span{style}>{words}</span>", number, None if known else MUTED)
        said = verdict(tops, self.labels, result.known)
        if said is not None:
            text, tone = said
            self._set_banner(text, *VERDICT_COLOURS[tone])

    @property
    def painted_revision(self) -> int:
        return min(p.painted_revision for p in self.plots.values())
