"""The "Draw" tab: the canvas and its tools on the left, the models' live answers on the right."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.draw.activation_view import ActivationView
from digitlab.app.draw.canvas import MAX_BRUSH, MIN_BRUSH, DrawingCanvas
from digitlab.app.draw.input_view import InputView
from digitlab.app.draw.probability_panel import ProbabilityPanel
from digitlab.app.widgets.layout import stretch_splitter
from digitlab.app.widgets.styles import HINT_STYLE
from digitlab.model.nets.live_answer import LiveResult

BRUSH_TOOLTIP = (
    "Brush size on the paper. The models read the same either way: your strokes are redrawn\n"
    "with an MNIST-like pen after the digit is scaled to a 20-px box, so only the shape counts."
)


class _SquareHolder(QWidget):
    """Keeps its one child square and centred, however the space around it is shaped."""

    def __init__(self, child: QWidget, parent=None):
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(child.minimumSize())

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def resizeEvent(self, event) -> None:
        side = min(self.width(), self.height())
        self.child.setGeometry(
            QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        )
        super().resizeEvent(event)


class DrawTab(QWidget):
    """Canvas, tools, the model input, the probability bars and the activation maps."""

    # Another tab started (True) or stopped (False) covering this one: see is_covered.
    covered_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = DrawingCanvas()
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
        self.eraser_action.toggled.connect(self.canvas.set_erasing)
        self.undo_action = QAction("Undo", self, shortcut="Ctrl+Z")
        self.undo_action.setToolTip("Take back the last stroke (Ctrl+Z)")
        self.redo_action = QAction("Redo", self)
        self.redo_action.setShortcuts(["Ctrl+Shift+Z", "Ctrl+Y"])
        self.redo_action.setToolTip("Put the stroke back (Ctrl+Shift+Z)")
        self.clear_action = QAction("Clear", self)
        self.clear_action.setShortcuts(["Delete", "Esc"])
        self.clear_action.setToolTip("Start again (Delete or Esc; Ctrl+Z brings it back)")
        for action in (
            self.undo_action,
            self.redo_action,
            self.clear_action,
            self.pen_action,
            self.eraser_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.undo_action.triggered.connect(self.canvas.undo)
        self.redo_action.triggered.connect(self.canvas.redo)
        self.clear_action.triggered.connect(self.canvas.clear)
        self.canvas.history_changed.connect(self._update_history)

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
        self.brush_slider.setMinimumWidth(48)
        self.brush_slider.valueChanged.connect(self.canvas.set_brush_width)
        tools.addWidget(self.brush_slider, 1)
        tools.addSpacing(4)
        for action in (self.undo_action, self.redo_action, self.clear_action):
            tools.addWidget(self._button(action))

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(tools)
        self.canvas_holder = _SquareHolder(self.canvas)
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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(split)
        self._split = split
        self._right = right
        self._ready = False
        self._deferred: LiveResult | None = None  # the newest result while hidden
        self._sized = False  # the columns get their first widths on the first show
        self.brush_slider.setValue(17)
        self._update_history()

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def showEvent(self, event) -> None:
        super().showEvent(event)
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

    def _update_history(self) -> None:
        self.undo_action.setEnabled(self.canvas.history.can_undo)
        self.redo_action.setEnabled(self.canvas.history.can_redo)
        self.clear_action.setEnabled(bool(self.canvas.history.strokes))

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
        self.probabilities.update_result(result, ready=self._ready)
        self.activations.update_result(result)

    def _show_deferred(self) -> None:
        result, self._deferred = self._deferred, None
        # A result for another set of models (swapped meanwhile) is not shown: a new answer
        # for the new set is on its way.
        if result is not None and set(result.probabilities) <= set(self.probabilities.plots):
            self.update_result(result)

    def painted_revision(self) -> int:
        """The oldest canvas revision among everything that shows an answer."""
        return min(
            self.probabilities.painted_revision,
            self.activations.painted_revision,
            self.input_view.view.painted_revision,
        )
