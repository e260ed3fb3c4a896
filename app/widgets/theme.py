"""Light and dark: the theme the window shows, chosen by the user or following the system.

The choice ("system", "light" or "dark") is kept in ``view_settings.json`` in the per-user
data folder; "system" reads :meth:`QStyleHints.colorScheme` (and follows its changes), and
an unknown scheme (a bare X server) counts as light.

Every colour the app writes is named in :mod:`digitlab.app.widgets.styles`, with a dark value
beside the light one (``THEME_DARK``). Views take those names when they build text, style
sheets and plot items, so switching is one swap of values, everywhere at once:

* the Qt palette (Fusion's light palette, or ``THEME_DARK_PALETTE``), and
  :meth:`QStyleHints.setColorScheme` for platforms that theme their own decorations;
* the named colours in every loaded ``digitlab.app`` module's globals (strings, and the
  tuples, lists and dicts of them: a banner's colours, a style sheet), so whatever a view
  builds next is in the new theme;
* what is on screen already: each widget's style sheet and rich text, and the pyqtgraph
  backgrounds, axes, labels and table cells, whose colours are swapped value for value
  (pyqtgraph is imported only once a tab that plots with it is built).

The swap maps one theme's values to the other's, so applying it twice changes nothing:
:func:`refresh` applies the current theme again to modules and widgets made since (the Train
tab is built after TensorFlow has loaded). The drawing paper stays white in both themes: it
is the paper the models read (ink on paper), and the 28x28 input beside it looks the same.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QToolButton

from digitlab.app import storage
from digitlab.app.widgets import styles
from digitlab.model.nets.model_files import write_json_atomic

SETTINGS_FILE = "view_settings.json"
CHOICES = ("system", "light", "dark")
"""What the user can choose: follow the system's colour scheme, or always light or dark."""

_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_APP_PACKAGE = "digitlab.app"


def _normal(colour: str) -> str:
    digits = colour[1:].lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def swap_table(dark: bool) -> dict[str, str]:
    """``#rrggbb`` of the other theme -> the value in the theme ``dark`` (True) or light."""
    light = {
        **styles.THEME_LIGHT,
        **{f"model:{k}": v for k, v in styles.THEME_LIGHT_MODELS.items()},
    }
    night = {**styles.THEME_DARK, **{f"model:{k}": v for k, v in styles.THEME_DARK_MODELS.items()}}
    source, target = (light, night) if dark else (night, light)
    return {_normal(source[name]): target[name] for name in source}


def swap_text(text: str, table: dict[str, str]) -> str:
    """``text`` with every colour of ``table``'s keys written as its value."""
    return _HEX.sub(lambda m: table.get(_normal(m.group(0)), m.group(0)), text)


def _swap_value(value, table: dict[str, str], depth: int = 0):
    """``value`` with its colours swapped: a string, or a tuple, list or dict holding strings
    (lists and dicts in place, so every name bound to them sees the change)."""
    if isinstance(value, str):
        return swap_text(value, table) if "#" in value else value
    if depth > 2:
        return value
    if isinstance(value, tuple):
        swapped = tuple(_swap_value(v, table, depth + 1) for v in value)
        return value if swapped == value else swapped
    if isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = _swap_value(v, table, depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            value[k] = _swap_value(v, table, depth + 1)
    return value


def swap_modules(table: dict[str, str]) -> None:
    """Swap the colours in the globals of every loaded ``digitlab.app`` module."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(_APP_PACKAGE):
            continue
        for key, value in list(vars(module).items()):
            if key.startswith("__") or key.startswith("THEME_"):
                continue
            if isinstance(value, str | tuple | list | dict):
                swapped = _swap_value(value, table)
                if swapped is not value:
                    setattr(module, key, swapped)
    styles.GAP_COLOUR = tuple(QColor(styles.PAPER).getRgb()[:3])
    pg = sys.modules.get("pyqtgraph")  # not imported yet: plotting.py applies them later
    if pg is not None:
        pg.setConfigOptions(**styles.PLOT_OPTIONS)


def _swap_colour(colour: QColor, table: dict[str, str]) -> QColor | None:
    new = table.get(colour.name())
    if new is None:
        return None
    swapped = QColor(new)
    swapped.setAlpha(colour.alpha())
    return swapped


def _swap_scene(view, table: dict[str, str], pg) -> None:
    """Swap the colours of a pyqtgraph ``view`` (a ``pg.GraphicsView``) and its items."""
    background = _swap_colour(view.backgroundBrush().color(), table)
    if background is not None:
        view.setBackground(background)
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem):
            for get, put in ((item.pen, item.setPen), (item.textPen, item.setTextPen)):
                new = _swap_colour(get().color(), table)
                if new is not None:
                    put(new)
        elif isinstance(item, pg.TextItem):
            new = _swap_colour(QColor(item.color), table)
            if new is not None:
                item.setColor(new)
        elif isinstance(item, pg.LabelItem):
            old = item.opts.get("color")
            if old is None:  # the plots' foreground, read again
                item.setText(item.text)
            else:
                new = _swap_colour(pg.mkColor(old), table)
                if new is not None:
                    item.setText(item.text, color=new.name())
        elif isinstance(item, pg.LegendItem):
            brush = _swap_colour(item.brush().color(), table)
            if brush is not None:
                item.setBrush(brush)
            text = item.labelTextColor()
            new = _swap_colour(pg.mkColor(text), table) if text is not None else None
            if new is not None:
                item.setLabelTextColor(new)
        elif isinstance(item, pg.ViewBox) and item.background.isVisible():
            new = _swap_colour(item.background.brush().color(), table)
            if new is not None:
                item.setBackgroundColor(new)
        item.update()


def _swap_table_cells(table_widget: QTableWidget, table: dict[str, str]) -> None:
    for row in range(table_widget.rowCount()):
        for column in range(table_widget.columnCount()):
            cell = table_widget.item(row, column)
            if cell is None:
                continue
            for get, put in ((cell.background, cell.setBackground),
                             (cell.foreground, cell.setForeground)):  # fmt: skip
                brush = get()
                if brush.style() != Qt.BrushStyle.NoBrush:
                    new = _swap_colour(brush.color(), table)
                    if new is not None:
                        put(QBrush(new))


def swap_widgets(table: dict[str, str], dark: bool) -> None:
    """Swap the colours of what is on screen: style sheets, rich text, plots, table cells;
    checkable tool buttons get (or lose) the dark theme's checked style."""
    pg = sys.modules.get("pyqtgraph")  # no pyqtgraph plots exist before it is imported
    for widget in QApplication.allWidgets():
        if isinstance(widget, QToolButton) and widget.isCheckable():
            if dark and not widget.styleSheet():
                widget.setStyleSheet(styles.THEME_DARK_CHECKED)
            elif not dark and widget.styleSheet() == styles.THEME_DARK_CHECKED:
                widget.setStyleSheet("")
        sheet = widget.styleSheet()
        if "#" in sheet:
            widget.setStyleSheet(swap_text(sheet, table))
        rich = isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.PlainText
        if rich and "<" in widget.text() and "#" in widget.text():
            widget.setText(swap_text(widget.text(), table))
        if pg is not None and isinstance(widget, pg.GraphicsView):
            _swap_scene(widget, table, pg)
        if isinstance(widget, QTableWidget):
            _swap_table_cells(widget, table)
        widget.update()


def dark_palette() -> QPalette:
    """The Qt palette of the dark theme (``styles.THEME_DARK_PALETTE``)."""
    palette = QPalette()
    for role, colour in styles.THEME_DARK_PALETTE.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    dimmed = QColor(styles.THEME_DARK_DISABLED_TEXT)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):  # fmt: skip
        palette.setColor(QPalette.ColorGroup.Disabled, role, dimmed)
    return palette


def load_choice() -> str:
    """The saved choice ("system" when none is saved or the file is unreadable)."""
    choice = storage.read_settings_file(SETTINGS_FILE).get("theme")
    return choice if choice in CHOICES else "system"


def save_choice(choice: str) -> None:
    """Keep the choice for the next start (written atomically; errors are ignored)."""
    try:
        write_json_atomic(storage.app_data_dir() / SETTINGS_FILE, {"theme": choice})
    except OSError:
        pass


def system_is_dark() -> bool:
    """The system's colour scheme is dark (Qt's :meth:`QStyleHints.colorScheme`)."""
    app = QApplication.instance()
    return app is not None and app.styleHints().colorScheme() == Qt.ColorScheme.Dark


class Theme(QObject):
    """The window's theme: :attr:`choice` ("system", "light", "dark"), :attr:`dark` (what is
    shown). :meth:`choose` switches and saves; the system's scheme is followed while the
    choice is "system"."""

    # The theme shown changed: True for dark.
    changed = Signal(bool)
    # The user's choice changed: "system", "light" or "dark".
    chosen = Signal(str)

    def __init__(self, choice: str | None = None, save: Callable[[str], None] = save_choice,
                 parent: QObject | None = None):  # fmt: skip
        super().__init__(parent)
        self._save = save
        self.choice = choice if choice in CHOICES else load_choice()
        self.dark = False  # everything is built light (the values written in styles)
        app = QApplication.instance()
        app.styleHints().colorSchemeChanged.connect(self._on_system_changed)
        self.apply()

    def wants_dark(self) -> bool:
        return self.choice == "dark" or (self.choice == "system" and system_is_dark())

    def choose(self, choice: str) -> None:
        """Show ``choice`` ("system", "light" or "dark") and keep it for the next start."""
        if choice not in CHOICES:
            raise ValueError(f"theme must be one of {CHOICES}, not {choice!r}")
        self.choice = choice
        self._save(choice)
        self.apply()
        self.chosen.emit(choice)

    def toggle(self) -> None:
        """Dark if light is shown, else light (an explicit choice from then on)."""
        self.choose("light" if self.dark else "dark")

    def apply(self) -> None:
        """Show the theme the choice asks for (nothing changes when it is shown already)."""
        dark = self.wants_dark()
        if dark == self.dark:
            return
        self.dark = dark
        app = QApplication.instance()
        if self.choice != "system":  # platforms that theme window frames follow it
            app.styleHints().setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
        else:
            app.styleHints().unsetColorScheme()
        app.setPalette(dark_palette() if dark else app.style().standardPalette())
        self.refresh()
        self.changed.emit(dark)

    def refresh(self) -> None:
        """Apply the shown theme to modules loaded and widgets made since it was applied."""
        table = swap_table(self.dark)
        swap_modules(table)
        swap_widgets(table, self.dark)

    def _on_system_changed(self, _scheme) -> None:
        if self.choice == "system":
            self.apply()


DARK_SHORTCUT = "Ctrl+Shift+D"


def theme_actions(theme: Theme, parent: QObject) -> tuple[QAction, QAction]:
    """The View menu's "Dark theme" (``Ctrl+Shift+D``) and "Follow the system's colours"
    check boxes, kept in step with ``theme``."""
    dark = QAction("&Dark theme", parent, checkable=True)
    dark.setShortcut(DARK_SHORTCUT)
    dark.setToolTip(f"Switch between the light and the dark theme ({DARK_SHORTCUT})")
    dark.triggered.connect(lambda _checked: theme.toggle())
    system = QAction("&Follow the system's colours", parent, checkable=True)
    system.setToolTip("Light or dark as the system's colour scheme is (light when unknown)")
    system.triggered.connect(
        lambda follow: theme.choose("system" if follow else ("dark" if theme.dark else "light"))
    )

    def sync(*_args) -> None:
        dark.setChecked(theme.dark)
        system.setChecked(theme.choice == "system")

    theme.changed.connect(sync)
    theme.chosen.connect(sync)
    sync()
    return dark, system
