"""Tabs built after the window is on screen: a placeholder keeps each one's place and title.

The window must answer the first drawing within a second of launch, and importing and
building the Explain and Explore tabs took about a quarter of that second. So those tabs start
as empty placeholders and are built when first shown (Ctrl+2, a click on the tab) or, once the
first answer is on screen, one at a time while the pen rests (:meth:`LateTabs.build_next`).
The Train tab waits for TensorFlow the same way, with a line saying so.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from digitlab.app.widgets.styles import HINT_STYLE


@dataclass
class _Late:
    title: str
    build: Callable[[], QWidget]
    placeholder: QWidget
    when_shown: bool
    tab: QWidget | None = None
    tried: bool = False


class LateTabs(QObject):
    """Placeholders in ``tabs`` replaced by the real tab when it is built.

    ``built(title, tab)`` is emitted once per tab, after it took its place. A build that
    raises leaves the placeholder, saying so, and is not tried again.
    """

    built = Signal(str, QWidget)

    def __init__(self, tabs: QTabWidget, parent: QObject | None = None):
        super().__init__(parent)
        self.tabs = tabs
        self._late: dict[str, _Late] = {}
        self._replacing = False
        tabs.currentChanged.connect(self._on_current_changed)

    def add(
        self,
        title: str,
        build: Callable[[], QWidget],
        waiting_text: str = "",
        when_shown: bool = True,
    ) -> int:
        """A placeholder tab for ``build()``'s tab; its index. ``when_shown``: built when the
        user goes to it and by :meth:`build_next`; otherwise only by :meth:`build` (the Train
        tab, once TensorFlow has loaded). ``waiting_text`` is shown until then."""
        placeholder = QLabel(waiting_text)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setStyleSheet(HINT_STYLE)
        self._late[title] = _Late(title, build, placeholder, when_shown)
        return self.tabs.addTab(placeholder, title)

    def get(self, title: str) -> QWidget | None:
        """The built tab, or None (not built yet, or its build failed)."""
        late = self._late.get(title)
        return None if late is None else late.tab

    def build(self, title: str) -> QWidget | None:
        """Build ``title``'s tab now if it is not yet built; the tab (None if that failed)."""
        late = self._late[title]
        if late.tried:
            return late.tab
        late.tried = True
        placeholder = late.placeholder
        try:
            tab = late.build()
        except Exception:
            traceback.print_exc()
            placeholder.setText(f"The {title} tab could not be built (see the terminal for why).")
            return None
        self._swap(placeholder, tab, title)
        placeholder.deleteLater()
        late.tab = tab
        self.built.emit(title, tab)
        return tab

    def put(self, title: str, tab: QWidget) -> QWidget | None:
        """Put ``tab`` in ``title``'s place, built or not (tests swap in a tab made their own
        way); the built tab it replaces (for the caller to shut down), or None."""
        late = self._late[title]
        old, shown = late.tab, late.tab if late.tab is not None else late.placeholder
        late.tried, late.tab = True, tab
        self._swap(shown, tab, title)
        if old is None:
            shown.deleteLater()
        return old

    def _swap(self, old: QWidget, new: QWidget, title: str) -> None:
        index, current = self.tabs.indexOf(old), self.tabs.currentIndex()
        self._replacing = True
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, new, title)
            self.tabs.setCurrentIndex(current)
        finally:
            self._replacing = False

    def build_next(self) -> bool:
        """Build the first tab (in tab order) that is built when shown and is not yet; False
        when none is left."""
        waiting = [late for late in self._late.values() if late.when_shown and not late.tried]
        if not waiting:
            return False
        self.build(min(waiting, key=lambda late: self.tabs.indexOf(late.placeholder)).title)
        return True

    def _on_current_changed(self, index: int) -> None:
        if self._replacing:
            return
        widget = self.tabs.widget(index)
        for late in self._late.values():
            if late.when_shown and not late.tried and late.placeholder is widget:
                self.build(late.title)
                return
