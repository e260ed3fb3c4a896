"""``digitlab screenshots DIR``: a PNG of each tab of the real window, a digit drawn, offscreen,
at each size in the light and the dark theme."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from digitlab.app.application import application
from digitlab.app.selftest.support import MODELS_TIMEOUT_S, Context, draw_digit, open_window

SCREEN_SIZES = ((1280, 800), (1024, 700), (1920, 1080))
"""The window sizes shot: the first unsuffixed, the others as ``*-WxH.png``."""
THEMES = ("light", "dark")
"""The themes shot: the first unsuffixed, the dark one as ``*-dark.png``."""


def screenshots(folder: str) -> int:
    """Save a PNG of each tab, with a digit drawn, at 1280x800 (and 1024x700 and full HD as
    ``*-1024x700``, ``*-1920x1080``), light and dark (``*-dark``); print the paths; the exit
    code (1 when the models do not load)."""
    app = QApplication.instance()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    window = open_window()
    ctx = Context(window, time.perf_counter())
    if not ctx.wait_until(lambda: window.live.ready, MODELS_TIMEOUT_S):
        print("screenshots: the models did not load", file=sys.stderr)
        window.close()
        return 1
    saved = []
    for theme in THEMES:
        window.theme.choose(theme)
        saved += _shoot_sizes(app, window, ctx, out, "" if theme == THEMES[0] else f"-{theme}")
    window.theme.choose("system")
    window.close()
    app.processEvents()
    for path in saved:
        print(path)
    return 0


def _shoot_sizes(app, window, ctx: Context, out: Path, theme_suffix: str) -> list[str]:
    saved = []
    for size in SCREEN_SIZES:
        window.resize(*size)
        window.tabs.setCurrentIndex(0)
        app.processEvents()
        canvas = window.draw_tab.canvas
        canvas.clear()
        draw_digit(canvas, 7)
        QApplication.sendEvent(canvas, QEvent(QEvent.Type.Leave))  # no brush outline in shots
        ctx.wait_for_answer()
        ctx.wait_until(lambda c=canvas: window.draw_tab.painted_revision() >= c.revision, 10)
        suffix = "" if size == SCREEN_SIZES[0] else f"-{size[0]}x{size[1]}"
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            for _ in range(5):
                app.processEvents()
            ready = getattr(window.tabs.widget(index), "screenshot_ready", None)
            if callable(ready):  # a tab that is not whole at once (Draw's maps, Explain)
                ctx.wait_until(ready, MODELS_TIMEOUT_S)
                for _ in range(5):
                    app.processEvents()
            title = window.tabs.tabText(index).replace("&", "").lower().replace(" ", "-")
            path = out / f"{title}{suffix}{theme_suffix}.png"
            window.grab().save(str(path))
            saved.append(str(path))
        window.tabs.setCurrentIndex(0)
    return saved


def run_screenshots(folder: str) -> int:
    """``digitlab screenshots DIR``: the QApplication offscreen, then :func:`screenshots`."""
    application(offscreen=True)
    return screenshots(folder)
