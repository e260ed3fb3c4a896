"""The "Draw" tab: the canvas and its tools on the left, the models' live answers on the right;
in Number mode (``N``), a wide canvas for a whole number, read digit by digit
(:mod:`digitlab.app.draw.number_view`), with the same bars and maps for the chosen digit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.draw.activation_view import ActivationView
from digitlab.app.draw.canvas import MAX_BRUSH, MIN_BRUSH, DrawingCanvas
from digitlab.app.draw.input_view import InputView
from digitlab.app.draw.number_view import NumberView
from digitlab.app.draw.probability_panel import ProbabilityPanel
from digitlab.app.widgets.layout import AspectHolder, stretch_splitter
from digitlab.app.widgets.styles import HINT_STYLE
from digitlab.model.nets.live_answer import EMPTY_INPUT, LiveResult
from digitlab.model.segment.live_number import NumberResult

BRUSH_TOOLTIP = (
    "Brush size on the paper. The models read the same either way: your strokes are redrawn\n"
    "with an MNIST-like pen after the digit is scaled to a 20-px box, so only the shape counts.\n"
    "[ and ] shrink and grow it."
)
BRUSH_STEP = 3
"""How much [ and ] shrink or grow the brush, logical px."""


class DrawTab(QWidget):
    """Canvas, tools, the model input, the probability bars and the activation maps."""

    # Another tab started (True) or stopped (False) covering this one: see is_covered.
    covered_changed = Signal(bool)
    # The Number mode was switched on (True) or off (False).
    mode_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = DrawingCanvas()
        self.number_view = NumberView()
        self.number_canvas = self.number_view.canvas
        self.number_mode = False
        self._number_mode_control = None  # see attach_live
        self.input_view = InputView()
        self.probabilities = ProbabilityPanel()
        self.activations = ActivationView()

        # ---- tools
        self.pen_action = QAction("Pen", self, checkable=True, checked=True)
        self.pen_action.setToolTip("Draw ink (left mouse button, pen or finger)")
        self.eraser_action = QAction("Eraser", self, checkable=True)
        self.eraser_action.setToolTip("Erase ink (the right mouse button erases too)")
        self.eraser_action.setShortcut("E")
        self.pen_action.setShortcut("P")
        group = QActionGroup(self)
        group.addAction(self.pen_action)
        group.addAction(self.eraser_action)
        for canvas in (self.canvas, self.number_canvas):
            self.eraser_action.toggled.connect(canvas.set_erasing)
        self.undo_action = QAction("Undo", self, shortcut="Ctrl+Z")
        self.undo_action.setToolTip("Take back the last stroke (Ctrl+Z)")
        self.redo_action = QAction("Redo", self)
        self.redo_action.setShortcuts(["Ctrl+Shift+Z", "Ctrl+Y"])
        self.redo_action.setToolTip("Put the stroke back (Ctrl+Shift+Z)")
        self.clear_action = QAction("Clear", self)
        self.clear_action.setShortcuts(["Delete", "Esc"])
        self.clear_action.setToolTip("Start again (Delete or Esc; Ctrl+Z brings it back)")
        self.digit_action = QAction("One digit", self, checkable=True, checked=True)
        self.digit_action.setToolTip("Draw one digit on a square canvas (N switches modes)")
        self.number_action = QAction("Whole number", self, checkable=True)
        self.number_action.setToolTip(
            "Write a whole number on a wide canvas and watch both models read it digit by\n"
            "digit (N switches modes)"
        )
        modes = QActionGroup(self)
        modes.addAction(self.digit_action)
        modes.addAction(self.number_action)
        self.number_action.toggled.connect(self.set_number_mode)
        self.switch_mode_action = QAction("Switch one digit / whole number", self, shortcut="N")
        self.switch_mode_action.triggered.connect(
            lambda: self.set_number_mode(not self.number_mode)
        )
        self.smaller_brush_action = QAction("Smaller brush", self, shortcut="[")
        self.larger_brush_action = QAction("Larger brush", self, shortcut="]")
        self.smaller_brush_action.triggered.connect(lambda: self._step_brush(-BRUSH_STEP))
        self.larger_brush_action.triggered.connect(lambda: self._step_brush(BRUSH_STEP))
        for action in (
            self.undo_action,
            self.redo_action,
            self.clear_action,
            self.pen_action,
            self.eraser_action,
            self.switch_mode_action,
            self.smaller_brush_action,
            self.larger_brush_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.undo_action.triggered.connect(lambda: self.active_canvas.undo())
        self.redo_action.triggered.connect(lambda: self.active_canvas.redo())
        self.clear_action.triggered.connect(lambda: self.active_canvas.clear())
        for canvas in (self.canvas, self.number_canvas):
            canvas.history_changed.connect(self._update_history)

        tools = QHBoxLayout()
        tools.setSpacing(3)
        for action in (self.pen_action, self.eraser_action):
            tools.addWidget(self._button(action))
        tools.addSpacing(4)
        size_label = QLabel("Size")
        size_label.setToolTip(BRUSH_TOOLTIP)
        tools.addWidget(size_label)
        self.brush_slider = QSlider(Qt.Orientation.Horizontal)
        self.brush_slider.setRange(int(MIN_BRUSH), int(MAX_BRUSH))
        self.brush_slider.setToolTip(BRUSH_TOOLTIP)
        self.brush_slider.setAccessibleName("Brush size")
        self.brush_slider.setMinimumWidth(48)
        # Capped: on the Number mode's full-width tool bar it would stretch across the window.
        self.brush_slider.setMaximumWidth(220)
        for canvas in (self.canvas, self.number_canvas):
            self.brush_slider.valueChanged.connect(canvas.set_brush_width)
        tools.addWidget(self.brush_slider, 1)
        tools.addSpacing(4)
        for action in (self.undo_action, self.redo_action, self.clear_action):
            tools.addWidget(self._button(action))
        tools.addStretch(0)  # takes what the capped slider leaves (Number mode's wide row)
        self.tools_bar = QWidget()  # moves to the Number mode's page while that is on
        tools.setContentsMargins(0, 0, 0, 0)
        self.tools_bar.setLayout(tools)

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.tools_bar)
        self.canvas_holder = AspectHolder(self.canvas, 1.0)  # square, centred
        left.addWidget(self.canvas_holder, 1)
        left.addWidget(self.input_view, 0)
        self.canvas_column = left  # features add rows under the canvas (insertWidget(2, ...))
        left_widget = QWidget()
        left_widget.setLayout(left)
        # No fixed minimum: the column is never narrower than its rows need (the tools).

        maps_box = QGroupBox("Inside the networks · activation of every unit, live")
        self.hover_label = QLabel(
            "Hover a map to read one unit; the part of the input it sees is outlined on the "
            "28×28 image. Colour scales are fixed per layer, so maps compare between drawings."
        )
        self.hover_label.setWordWrap(True)
        self.hover_label.setMinimumHeight(36)
        self.hover_label.setStyleSheet(HINT_STYLE)
        maps_layout = QVBoxLayout(maps_box)
        maps_layout.addWidget(self.activations, 1)
        maps_layout.addWidget(self.hover_label)
        self.activations.hovered.connect(self._on_hovered)

        right = stretch_splitter(Qt.Orientation.Vertical, (self.probabilities, 2), (maps_box, 3))
        split = stretch_splitter(Qt.Orientation.Horizontal, (left_widget, 3), (right, 7))
        self.pages = QStackedWidget()
        self.pages.addWidget(split)
        self.pages.addWidget(self.number_view)
        mode_row = QHBoxLayout()
        mode_row.setContentsMargins(0, 0, 0, 0)
        mode_row.addWidget(QLabel("Write:"))
        for action in (self.digit_action, self.number_action):
            mode_row.addWidget(self._button(action))
        mode_hint = QLabel("N switches")
        mode_hint.setStyleSheet(HINT_STYLE)
        mode_row.addWidget(mode_hint)
        mode_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(mode_row)
        layout.addWidget(self.pages)
        self._left = left
        self._split = split
        self._right = right
        self._ready = False
        self._deferred: LiveResult | None = None  # the newest result while hidden
        self._deferred_number: NumberResult | None = None
        self._sizes: list[int] | None = None  # the columns' widths before Number mode
        self._sized = False  # the columns get their first widths on the first show
        self._mode_buttons = [mode_row.itemAt(i).widget() for i in (1, 2)]
        self.probabilities.columns_rebuilt.connect(self.update_tab_order)
        self.brush_slider.setValue(17)
        self._update_history()

    def _step_brush(self, step: int) -> None:
        self.brush_slider.setValue(self.brush_slider.value() + step)  # clamped to its range

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # Fixed: an action's change (Undo enabled by a stroke) re-sets the button's text and
        # icon, and a button that may resize would re-lay out and repaint the whole window.
        button.setFixedSize(button.sizeHint())
        return button

    def tab_order(self) -> list[QWidget]:
        """The widgets Tab visits, in order, as the tab reads top to bottom, left to right:
        the mode buttons, the tools, the paper, the rows under it (features add some, e.g.
        the correction row and the overlay's options), the Number mode's page, the bars and
        the maps. Hidden or disabled ones are skipped by Qt when Tab is pressed."""
        sections: list[QWidget] = [*self._mode_buttons, self.tools_bar, self.canvas]
        rows = [self._left.itemAt(i).widget() for i in range(self._left.count())]
        sections += [w for w in rows if w is not None and w not in (self.tools_bar,)]
        sections += [self.number_view, self.probabilities, self.activations]
        window = self.window()  # not a combo box's popup list, say
        order: list[QWidget] = []  # each once: the paper's holder is one of the rows
        for section in sections:
            for widget in [section, *section.findChildren(QWidget)]:
                reachable = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                own = widget.window() is window and widget.focusProxy() is None
                if reachable and own and not _is_viewport(widget) and widget not in order:
                    order.append(widget)
        return order

    def update_tab_order(self) -> None:
        """Chain :meth:`tab_order` (called on show and when the bars are rebuilt)."""
        order = self.tab_order()
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.update_tab_order()
        self.covered_changed.emit(self.is_covered())
        self._show_deferred()
        # Give the left column the canvas's natural width on first show.
        total = self._split.width()
        if total > 0 and not self._sized:
            self._sized = True
            need = self._split.widget(0).minimumSizeHint().width()
            left = max(need, 320, min(int(total * 0.30), 560))
            self._split.setSizes([left, total - left])
            h = self._right.height()
            self._right.setSizes([int(h * 0.36), h - int(h * 0.36)])

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.covered_changed.emit(self.is_covered())

    def is_covered(self) -> bool:
        """True while the window is shown but this tab is not (another tab covers it)."""
        return self.window().isVisible() and not self.isVisible()

    @property
    def active_canvas(self) -> DrawingCanvas:
        """The canvas the tools act on: the number canvas in Number mode."""
        return self.number_canvas if self.number_mode else self.canvas

    def attach_live(self, live) -> None:
        """Let the Number mode ask ``live`` (:class:`digitlab.app.live.live_models.LiveModels`)
        to read the number canvas (the window calls it once)."""
        from digitlab.app.draw.number_mode import NumberModeControl

        self._number_mode_control = NumberModeControl(self, live)

    def set_number_mode(self, on: bool) -> None:
        """Switch between one digit (False) and a whole number (True). The tool bar and the
        bars-and-maps panels move to the page shown; each canvas keeps its drawing."""
        on = bool(on)
        if on == self.number_mode:
            return
        self.number_mode = on
        (self.number_action if on else self.digit_action).setChecked(True)
        if on:
            self._sizes = self._split.sizes()
            self.number_view.top_column.insertWidget(0, self.tools_bar)
            self._right.setOrientation(Qt.Orientation.Horizontal)
            self.number_view.detail_layout.addWidget(self._right)
            # Bars and maps side by side, the two models' bars one over the other: the maps'
            # four columns need about 680 px (all of them whole at 1024 px), the bars the rest.
            self.probabilities.set_stacked(True)
            w = max(1, self.width())
            bars = min(int(w * 0.45), max(w - 680, int(w * 0.3)))
            self._right.setSizes([bars, w - bars])
            self.pages.setCurrentWidget(self.number_view)
            self.number_canvas.setFocus()
        else:
            self._left.insertWidget(0, self.tools_bar)
            self._right.setOrientation(Qt.Orientation.Vertical)
            self.probabilities.set_stacked(False)
            self._split.insertWidget(1, self._right)
            h = self._right.height()
            self._right.setSizes([int(h * 0.36), h - int(h * 0.36)])
            if self._sizes:
                self._split.setSizes(self._sizes)
            self.pages.setCurrentIndex(0)
            self.canvas.setFocus()
        self._update_history()
        self.update_tab_order()  # the tools and the panels moved to the other page
        self.mode_changed.emit(on)

    def _update_history(self) -> None:
        canvas = self.active_canvas
        self.undo_action.setEnabled(canvas.history.can_undo)
        self.redo_action.setEnabled(canvas.history.can_redo)
        self.clear_action.setEnabled(bool(canvas.history.strokes))

    def _on_hovered(self, text: str, rect) -> None:
        self.input_view.show_field(rect)
        if text:
            self.hover_label.setText(text)

    def set_ready(self, ready: bool) -> None:
        self._ready = ready

    def update_result(self, result: LiveResult) -> None:
        """Show ``result``; while another tab covers this one (the window is shown, this tab
        is not) only the newest result is kept, and it is shown when the tab comes back:
        nothing is drawn that nobody can see (e.g. while training in the Train tab)."""
        if self.is_covered():
            self._deferred = result
            return
        self._deferred = None
        self.input_view.update_result(result)
        if self.number_mode:
            return  # the panels show the chosen digit of the number (update_number)
        self._show_panels(result)

    def _show_panels(self, result: LiveResult) -> None:
        self.probabilities.update_result(result, ready=self._ready)
        self.activations.update_result(result)

    def update_number(self, result: NumberResult) -> None:
        """Show a reading of the number canvas, and its chosen digit in the panels (kept for
        later while another tab covers this one, as :meth:`update_result`)."""
        if self.is_covered():
            self._deferred_number = result
            return
        self._deferred_number = None
        self.number_view.update_number(result)
        if self.number_mode:
            self._show_panels(result.detail or LiveResult(result.revision, EMPTY_INPUT))

    def _show_deferred(self) -> None:
        number, self._deferred_number = self._deferred_number, None
        if number is not None:
            self.update_number(number)
        result, self._deferred = self._deferred, None
        # A result for another set of models (swapped meanwhile) is not shown: a new answer
        # for the new set is on its way.
        if result is not None and set(result.probabilities) <= set(self.probabilities.plots):
            self.update_result(result)

    def screenshot_ready(self) -> bool:
        """The activation maps show every model the bars show: a model set's maps are laid out
        just after its first answer is painted, so until then they say "Loading"."""
        models = set(self.probabilities.plots)
        return bool(models) and {name for name, _layer in self.activations.cells} == models

    def painted_revision(self) -> int:
        """The oldest canvas revision among everything that shows an answer."""
        return min(
            self.probabilities.painted_revision,
            self.activations.painted_revision,
            self.input_view.view.painted_revision,
        )


def _is_viewport(widget: QWidget) -> bool:
    """True for a scroll area's or graphics view's viewport (Tab stops at the view itself)."""
    parent = widget.parentWidget()
    return isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget
