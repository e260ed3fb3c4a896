"""Self-test check ``layout``: every tab whole at 1024x700, 1280x800 and 1920x1080.

The window is resized to each size and :func:`~digitlab.app.selftest.layout_audit.problems`
reads every shown tab's widgets: no label or button whose text is cut, no widget sticking
out of its parent. The Explore tab is not shown (showing it starts mapping 10,000 digits in
the background); its least size is checked against the room instead. A few seconds in all.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from digitlab.app.selftest.layout_audit import problems
from digitlab.app.selftest.support import Check, Context

SIZES = ((1024, 700), (1280, 800), (1920, 1080))
"""Window sizes in px: a small laptop, the default window, a full-HD screen."""
NOT_SHOWN = frozenset({"Explore"})
"""Tabs checked by their least size only (see the module docstring)."""


def _settle() -> None:
    for _ in range(3):  # layouts settle over a few passes (a label wraps, a column widens)
        QApplication.processEvents()


def audit_window(window) -> dict[str, list[str]]:
    """``{"Train at 1024x700": [problem, ...]}`` for each tab and size with problems (empty
    when every tab is whole). Leaves the window at its size and tab as before."""
    found: dict[str, list[str]] = {}
    tabs = window.tabs
    if hasattr(window, "build_late_tabs"):  # the tabs themselves, not their placeholders
        window.build_late_tabs()
    before_size, before_tab = window.size(), tabs.currentIndex()
    try:
        for width, height in SIZES:
            for _ in range(2):  # the first resize may meet a least size not yet updated
                window.resize(width, height)
                _settle()
            where = f"{width}x{height}"
            if window.size().toTuple() != (width, height):
                found[f"window at {where}"] = [f"is {window.width()}x{window.height()}"]
                continue
            room = tabs.currentWidget().size()
            for index in range(tabs.count()):
                title, tab = tabs.tabText(index), tabs.widget(index)
                if title in NOT_SHOWN:
                    least = tab.minimumSizeHint()
                    if least.boundedTo(room) != least:
                        found[f"{title} at {where}"] = [
                            f"needs {least.toTuple()}, has {room.toTuple()}"
                        ]
                    continue
                tabs.setCurrentIndex(index)
                _settle()
                if lines := problems(tab):
                    found[f"{title} at {where}"] = lines
    finally:
        tabs.setCurrentIndex(before_tab)
        window.resize(before_size)
        _settle()
    return found


def _layout(ctx: Context) -> tuple[bool, str]:
    """No elided label and no cut widget on any tab at any of :data:`SIZES`."""
    found = audit_window(ctx.window)
    if not found:
        sizes = ", ".join(f"{w}x{h}" for w, h in SIZES)
        shown = ctx.window.tabs.count() - len(NOT_SHOWN)
        return True, f"{shown} tabs whole at {sizes} (Explore: its least size fits)"
    first = next(iter(found))
    return False, f"{len(found)} tab/size cut, first {first}: {found[first][0]}"


CHECKS: dict[str, Check] = {"layout": _layout}
