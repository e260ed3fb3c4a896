"""The window's status bar: a line of news, which models are live, a busy bar until ready."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from digitlab.model.nets.live_source import short_source
from digitlab.model.nets.wording import model_title


class StatusLine:
    """Fills ``bar``: :attr:`label` (news, stretched), :attr:`live_label` (the live models,
    on every tab: the Draw tab's headers say it too) and :attr:`busy` (hidden once the models
    answer)."""

    def __init__(self, bar: QStatusBar):
        self.label = QLabel("Loading the models… drawing works already.")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.live_label = QLabel()
        self.live_label.setTextFormat(Qt.TextFormat.RichText)
        bar.addWidget(self.label, 1)
        bar.addPermanentWidget(self.live_label)
        bar.addPermanentWidget(self.busy)

    def show_sources(self, sources: dict[str, str]) -> None:
        """Name the live models: ``{model name: what it holds, in words}``."""
        self.live_label.setText(
            "Live: "
            + " · ".join(
                f"<b>{model_title(n)}</b> {escape(short_source(label))}"
                for n, label in sources.items()
            )
        )
        self.live_label.setToolTip(
            "The models answering now:\n"
            + "\n".join(f"{model_title(n)}: {label}" for n, label in sources.items())
        )
