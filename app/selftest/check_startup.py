"""Self-test checks of what a packaged build must get right: the Train tab appears after the
first answer, the bundled models start from their stored colour scales, the window has its
icon, and errors are logged when there is no console (``sys.stdout``/``sys.stderr`` None).

``digitlab selftest`` runs them (:data:`CHECKS`) from a checkout and from the frozen
executable alike.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from digitlab.app.selftest.support import Check, Context

TRAIN_TAB_TIMEOUT_S = 60.0


def _train_tab_built(ctx: Context) -> tuple[bool, str]:
    """The Train tab replaces its placeholder once the first answer is shown."""
    window = ctx.window
    if not window.offers_training:
        return True, "no training tab in this build"
    ok = ctx.wait_until(lambda: window.training_tab is not None, TRAIN_TAB_TIMEOUT_S)
    return ok, "Train tab built" if ok else "the Train tab was never built"


def _stored_colour_levels(ctx: Context) -> tuple[bool, str]:
    """The bundled models' colour scales come from levels.json (no calibration at start)."""
    from digitlab.model.nets.colour_levels import bundled_levels

    infos = ctx.window.live.infos
    stored = bundled_levels(tuple(infos))
    if stored is None:
        return False, "levels.json has no entry for a bundled model file"
    same = all(
        abs(view.level - stored[name][view.name]) < 1e-6
        for name, info in infos.items()
        for view in info.layers
    )
    return same, "from levels.json" if same else "the shown levels differ from levels.json"


def _window_icon(ctx: Context) -> tuple[bool, str]:
    """The application and the window carry the Digit Lab icon."""
    icon = QApplication.instance().windowIcon()
    sizes = icon.availableSizes()
    ok = not icon.isNull() and bool(sizes)
    return ok, f"icon sizes {[s.width() for s in sizes]}" if ok else "no window icon"


def _log_without_console(ctx: Context) -> tuple[bool, str]:
    """With no console streams (a windowed build), an error is still written to the log."""
    from digitlab.app.error_handling import ErrorReporter

    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "digitlab.log"
        reporter = ErrorReporter(log_file=log, show_dialog=False)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = None
        try:
            try:
                raise RuntimeError("selftest: a deliberate error")
            except RuntimeError:
                reporter.handle(*sys.exc_info())
        finally:
            sys.stdout, sys.stderr = saved
        text = log.read_text(encoding="utf-8") if log.exists() else ""
    ok = "a deliberate error" in text
    return ok, "logged with sys.stderr None" if ok else "nothing logged"


CHECKS: dict[str, Check] = {
    "train_tab_built": _train_tab_built,
    "stored_colour_levels": _stored_colour_levels,
    "window_icon": _window_icon,
    "log_without_console": _log_without_console,
}
