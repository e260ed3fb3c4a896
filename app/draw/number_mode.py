"""Wiring of the Draw tab's Number mode to the live models: every change of the number
canvas is read as a whole number in the inference thread (the latest drawing wins), and a
click on a digit asks for that digit in detail."""

from __future__ import annotations

from PySide6.QtCore import QObject


class NumberModeControl(QObject):
    """Connects a :class:`~digitlab.app.draw.tab.DrawTab`'s Number mode to a
    :class:`~digitlab.app.live.live_models.LiveModels`.

    The chosen digit (shown in detail) is the one clicked; until one is, or once the drawing
    is cleared, it is the last digit, the one being written.
    """

    def __init__(self, tab, live, parent: QObject | None = None):
        super().__init__(parent or tab)
        self.tab = tab
        self.live = live
        self.selected: int | None = None
        canvas = tab.number_canvas
        canvas.strokes_changed.connect(self._on_strokes_changed)
        tab.number_view.digit_clicked.connect(self._on_digit_clicked)
        tab.mode_changed.connect(self._on_mode_changed)
        live.number_result.connect(tab.update_number)
        live.models_ready.connect(lambda _infos: self.refresh())
        live.model_changed.connect(lambda _info: self.refresh())

    def refresh(self) -> None:
        """Ask for the number canvas's drawing again (new models, a digit chosen, shown)."""
        if not self.tab.number_mode or not self.live.ready:
            return
        canvas = self.tab.number_canvas
        self.live.request_number(
            canvas.revision, canvas.model_strokes(), canvas.canvas_size(), self.selected
        )

    def _on_strokes_changed(self, _revision: int) -> None:
        if self.tab.number_canvas.is_empty():
            self.selected = None
        self.refresh()

    def _on_digit_clicked(self, index: int) -> None:
        self.selected = index
        self.refresh()

    def _on_mode_changed(self, on: bool) -> None:
        if on:
            self.refresh()
            return
        # Back to one digit: the panels show the digit canvas's answer again.
        canvas = self.tab.canvas
        canvas.strokes_changed.emit(canvas.revision)
