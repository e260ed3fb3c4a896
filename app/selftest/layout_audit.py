"""What a user would call cut or cramped, found by reading the window's widgets: a control
whose text needs more room than it has, or a widget that sticks out of its parent.

Scrolled content is never counted (a scroll area shows it whole by scrolling), nor the
insides of item views, plots and splitters. ``digitlab selftest`` and the tests run it at
each window size on every tab.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QSplitterHandle,
    QTabBar,
    QWidget,
)

SLACK = 2
"""px a widget may miss by (rounding, frames)."""


def _scrolled(widget: QWidget, top: QWidget) -> bool:
    """``widget`` lies inside a scroll area's viewport (it is shown whole by scrolling)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _text_cut(widget: QWidget) -> bool:
    if isinstance(widget, QLabel):
        if widget.wordWrap() or not widget.text() or not widget.pixmap().isNull():
            return False
        return widget.sizeHint().width() > widget.width() + SLACK
    if isinstance(widget, QAbstractButton) and widget.text():
        return widget.minimumSizeHint().width() > widget.width() + SLACK
    return False


def _sticks_out(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    if parent is None:
        return False
    inside = parent.rect().adjusted(-SLACK, -SLACK, SLACK, SLACK)
    return not inside.contains(widget.geometry())


def problems(top: QWidget) -> list[str]:
    """One line per cut text or widget sticking out, among the visible widgets under ``top``
    (``"QLabel 'Opacity': text needs 60 px, has 40"``)."""
    found = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or _scrolled(widget, top):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractItemView | QAbstractSpinBox | QComboBox | QTabBar):
            continue  # their own insides: editors, arrows, scroll buttons
        if isinstance(widget, QSplitterHandle):
            continue
        name = type(widget).__name__
        text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
        what = f"{name} {text[:40]!r}" if text else f"{name} {widget.objectName()!r}"
        if _text_cut(widget):
            need = (
                widget.sizeHint().width()
                if isinstance(widget, QLabel)
                else widget.minimumSizeHint().width()
            )
            found.append(f"{what}: text needs {need} px, has {widget.width()}")
        elif _sticks_out(widget):
            g, r = widget.geometry(), parent.rect()
            found.append(
                f"{what}: at {g.x()},{g.y()} {g.width()}x{g.height()} in a "
                f"{r.width()}x{r.height()} {type(parent).__name__}"
            )
    return found
