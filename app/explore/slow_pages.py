"""Wiring of the Explore tab's slower pages to its thread: "Fool it", "Break it" and "What a
unit wants" (each asks on a click or a change, newest wins, and shows what comes back)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from digitlab.app.explore.jobs import DreamRequest
from digitlab.app.explore.worker import FoolRequest

BREAK_PAGE, DREAM_PAGE = 3, 4
"""The pages' indices in the tab."""


class SlowPages(QObject):
    """Connects ``tab``'s fool, breaking and dreams pages to ``tab.explorer``; emits the tab's
    ``fool_shown``, ``accuracy_shown`` and ``dream_shown``. :attr:`latest_fool`: the last
    FoolResult shown."""

    def __init__(self, tab):
        super().__init__(tab)
        self.tab = tab
        self.latest_fool = None
        self._fool_image: np.ndarray | None = None
        w = tab.explorer.worker
        w.fooled.connect(self._on_fooled)
        w.accuracy_ready.connect(self._on_accuracy)
        w.dreamed.connect(self._on_dreamed)
        tab.breaking.changed.connect(self._on_breakage)
        tab.dreams.asked.connect(self._on_dream_asked)
        tab.pages.currentChanged.connect(self._on_page)
        tab.fool.asked.connect(self.ask_fool)

    def _on_page(self, index: int) -> None:
        tab = self.tab
        if index == BREAK_PAGE and not tab.breaking.accuracy.text():
            self._on_breakage(tab.breaking.breakage())
        elif index == DREAM_PAGE and tab.dreams.latest is None:
            tab.dreams.ask()

    def _on_breakage(self, breakage) -> None:
        self.tab.explorer.start()
        self.tab.explorer.worker.measure(breakage)
        self.tab.resubmit()

    def _on_accuracy(self, result) -> None:
        self.tab.breaking.show_accuracy(result)
        self.tab.accuracy_shown.emit()

    def _on_dream_asked(self, model: str, layer: str, unit: int) -> None:
        self.tab.explorer.start()
        self.tab.explorer.worker.request_dream(DreamRequest(model, layer, unit))

    def _on_dreamed(self, result) -> None:
        self.tab.dreams.show_result(result)
        self.tab.dream_shown.emit()

    def ask_fool(self, target: int) -> None:
        """Fool both models into reading ``target`` on the current drawing."""
        tab = self.tab
        result = tab.live_result
        if result is None or result.empty:
            tab.fool.show_waiting("Draw a digit first.")
            return
        tab.explorer.start()
        self._fool_image = result.preprocessed.image
        tab.fool.show_waiting(
            f"Looking for a small change that reads as {target} "
            "(the first time, TensorFlow loads: a few seconds)…"
        )
        tab.explorer.worker.fool(FoolRequest(result.revision, self._fool_image, int(target)))

    def _on_fooled(self, result) -> None:
        self.latest_fool = result
        self.tab.fool.show_result(result, self._fool_image)
        self.tab.fool_shown.emit(result.target)
