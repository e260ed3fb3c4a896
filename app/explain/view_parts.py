"""Small pieces the Explain tab's views share: a fixed image box, a grey caption, a hint (in
the hint colour of :mod:`digitlab.app.widgets.styles`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from digitlab.app.widgets.plotting import pg
from digitlab.app.widgets.styles import HINT_STYLE


def image_box() -> pg.ViewBox:
    """A view box for a picture: square pixels, row 0 on top, no panning, zooming or menu."""
    vb = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
    vb.setDefaultPadding(0.0)
    return vb


def caption(text: str = "") -> QLabel:
    """A centred, wrapping caption in the hint colour."""
    label = hint(text)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    return label


def hint(text: str) -> QLabel:
    """A left-aligned, wrapping note in the hint colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label
