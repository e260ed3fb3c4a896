"""The Draw tab's answers: both models' probability bars, their readings in words, and
whether they agree (the words come from :mod:`digitlab.model.nets.wording`)."""

from __future__ import annotations

import functools
from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QTextDocument
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from digitlab.app.draw.graphics import Bars, TrackedView, cache_static
from digitlab.app.widgets.styles import (
    AGREE_PALE,
    AGREE_TEXT,
    ATTENTION,
    DISAGREE_PALE,
    DISAGREE_TEXT,
    HINT,
    MODEL_COLOURS,
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
    bars_description,
    class_label,
    model_title,
    reading_words,
    verdict,
)
from digitlab.model.preprocess.frame import empty_input

TICK_CHARS = 10
"""Longer class names are shortened on the bars' axis (the header shows them whole)."""
BAR_IDLE = "#c5cad3"
UNKNOWN_OPACITY = 0.4
"""How strongly a model's bars show while it does not know the drawing ("not a digit?")."""
DISAGREE = ATTENTION
VERDICT_COLOURS = {
    "single": (SINGLE_TEXT, SINGLE_PALE),
    "agree": (AGREE_TEXT, AGREE_PALE),
    "disagree": (DISAGREE_TEXT, DISAGREE_PALE),
    "unknown": (UNKNOWN_TEXT, UNKNOWN_PALE),
}
"""The banner's (text, background) colours for each tone of :func:`verdict`."""
IDLE_BANNER = (HINT, PANEL)
"""The banner's (text, background) colours while there is no answer to show."""

_NO_PEN = pg.mkPen(None)
_DISAGREE_PEN = pg.mkPen(DISAGREE, width=2.5)


@functools.lru_cache(maxsize=16)
def _brush(colour: str) -> QBrush:
    """One brush per colour, made once: a new one per bar at every update would be a call into
    Qt each, and each may wait for the interpreter lock."""
    return QBrush(QColor(colour))


PLOT_HEIGHT = 140
"""Least height of one model's bars, px (side by side)."""
STACKED_PLOT_HEIGHT = 80
"""Least height of one model's bars when stacked (:meth:`ProbabilityPanel.set_stacked`)."""


class ProbabilityPlot(TrackedView):
    """One model's probability for each class, as bars (items created once)."""

    def __init__(self, name: str, classes: int = 10, parent=None):
        super().__init__(parent)
        self.name = name
        self.known = True  # False: the model does not know the drawing (bars dimmed)
        self._colours: tuple | None = None  # what the bars' brushes and pens show now
        self.setMinimumHeight(PLOT_HEIGHT)
        self.setAccessibleName(f"{model_title(name)} probability bars")
        self.setAccessibleDescription(bars_description(name, None))
        self.plot = self.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1.05, padding=0)
        self.plot.getAxis("left").setTicks([[(0, "0%"), (0.5, "50%"), (1.0, "100%")]])
        self.plot.showGrid(y=True, alpha=0.25)
        self.bars = Bars(classes, width=0.72)
        self.plot.addItem(self.bars)
        self.set_classes(classes)
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.plot.getAxis("bottom").setStyle(tickFont=font)
        cache_static(self.plot.getAxis("bottom"), self.plot.getAxis("left"))

    def set_classes(self, classes: int, names: tuple[str, ...] = ()) -> None:
        """``classes`` bars labelled with ``names`` (default the digits 0, 1, ...)."""
        self.classes = classes
        self.names = tuple(names)
        labels = [
            (n if len(n) <= TICK_CHARS else n[: TICK_CHARS - 1] + "…")
            for n in (names or [str(i) for i in range(classes)])
        ]
        self.plot.setXRange(-0.6, classes - 0.4, padding=0)
        self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
        self._show_idle()

    def _show_idle(self) -> None:
        """Every bar empty, in the idle colour, unoutlined."""
        self._colours = None
        n = self.classes
        self.bars.set_bars(np.zeros(n), [_brush(BAR_IDLE)] * n, [_NO_PEN] * n)

    def show_probabilities(
        self,
        probs: np.ndarray | None,
        revision: int,
        other_top: int | None = None,
        known: bool = True,
    ) -> None:
        """Bars for ``probs`` (float ``(classes,)`` in 0..1; None: all empty), the top one in
        the model's colour, ``other_top`` (the other model's answer) outlined if it differs;
        dimmed while the model does not know the drawing (``known`` False)."""
        self.known = known or probs is None
        self.setAccessibleDescription(
            bars_description(self.name, None if probs is None else list(probs), self.names, known)
        )
        self.bars.setOpacity(1.0 if self.known else UNKNOWN_OPACITY)
        if probs is None:
            self._show_idle()
            self.shown_revision = revision
            return
        top = int(np.argmax(probs))
        other = other_top if other_top != top else None
        colour = MODEL_COLOURS.get(self.name, MODEL_COLOURS["cnn"])
        heights = np.asarray(probs, np.float64)
        if self._colours == (top, other, colour):
            self.bars.set_bars(heights)  # the same bar is coloured: heights only
        else:
            brushes = [_brush(BAR_IDLE)] * self.classes
            brushes[top] = _brush(colour)
            pens = [_NO_PEN] * self.classes
            if other is not None:
                pens[other] = _DISAGREE_PEN  # where the other model's answer stands
            self.bars.set_bars(heights, brushes, pens)
            self._colours = (top, other, colour)
        self.shown_revision = revision


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
        self._centred = centred
        self._background: QColor | None = None
        self._colour: QColor | None = None  # None: the palette's text colour (the theme's)
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def text(self) -> str:
        """The text without markup (for tests and accessibility)."""
        return self._doc.toPlainText()

    def set_html(self, html: str, colour: str | None = None, background: str | None = None):
        recolour = colour is not None and QColor(colour) != self._colour
        if recolour:
            self._colour = QColor(colour)
        self._background = QColor(background) if background else None
        if html != self._html or recolour:  # e.g. the same verdict in the other theme
            self._html = html
            self._render()
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
        # A text wider than the strip is drawn smaller, whole (a narrow window never cuts it).
        scale = min(1.0, self.width() / max(1.0, size.width()))
        x = (self.width() - size.width() * scale) / 2 if self._centred else 0.0
        y = (self.height() - size.height() * scale) / 2
        painter.translate(max(0.0, x), y)
        painter.scale(scale, scale)
        self._doc.drawContents(painter, QRectF(0, 0, size.width(), size.height()))
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
        self._header_texts: dict[str, str] = {}  # name -> the header's text after the name
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
            plot.scene().sigMouseClicked.connect(
                lambda event, p=plot: self._on_clicked(p, event.scenePos())
            )
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

    def _on_clicked(self, plot: ProbabilityPlot, scene_pos) -> None:
        x = plot.plot.vb.mapSceneToView(scene_pos).x()
        digit = int(round(x))
        if 0 <= digit < plot.classes and abs(x - digit) <= 0.5:
            self.class_clicked.emit(digit)

    def set_sources(self, sources: dict[str, str]) -> None:
        """Name the model live under each name (the model list's labels, e.g. "Trained CNN #3
        (…)") in its header, in short ("trained #3")."""
        self.sources = dict(sources)
        for name, text in list(self._header_texts.items()):
            if name in self.headers:
                self._header(name, text)

    def _header(self, name: str, text: str) -> None:
        colour = model_colour(name)
        self._header_texts[name] = text
        source = self.sources.get(name)
        which = (
            f" <span style='color:{MUTED}'>({escape(short_source(source))})</span>"
            if source
            else ""
        )
        self.headers[name].set_html(
            f"<span style='color:{colour}; font-weight:600'>{model_title(name)}</span>"
            f"{which}&nbsp;&nbsp;{text}"
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
            words = reading_words(big, float(probs[top]), known, reads_digits(self.plots))
            style = "" if known else f" style='color:{MUTED}'"
            self._header(name, f"<span{style}>{words}</span>")
        said = verdict(tops, self.labels, result.known)
        if said is not None:
            text, tone = said
            self._set_banner(text, *VERDICT_COLOURS[tone])

    @property
    def painted_revision(self) -> int:
        return min(p.painted_revision for p in self.plots.values())
