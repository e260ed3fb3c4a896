"""Light and dark: the theme follows the system's colour scheme unless the user chooses one
(View > Dark theme, Ctrl+Shift+D), is kept for the next start, and swaps every named colour
of what is on screen: the palette, hints, the Draw tab's bars and banner, the plots."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_support import open_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from digitlab.app import storage
from digitlab.app.widgets import styles, theme


def test_the_two_themes_name_different_colours_so_a_swap_never_chains():
    light = [theme._normal(v) for v in styles.THEME_LIGHT.values()]
    light += [theme._normal(v) for v in styles.THEME_LIGHT_MODELS.values()]
    dark = [theme._normal(v) for v in styles.THEME_DARK.values()]
    dark += [theme._normal(v) for v in styles.THEME_DARK_MODELS.values()]
    assert len(set(light)) == len(light) and len(set(dark)) == len(dark)
    assert not set(light) & set(dark)
    assert set(styles.THEME_DARK) == set(styles.THEME_LIGHT)


def test_a_swap_turns_every_light_colour_dark_and_back():
    text = f"color: {styles.THEME_LIGHT['HINT']}; background: #AbCdEf; border: 1px #123456"
    dark = theme.swap_text(text, theme.swap_table(dark=True))
    assert styles.THEME_DARK["HINT"] in dark and "#AbCdEf" in dark  # not a named colour: kept
    assert theme.swap_text(dark, theme.swap_table(dark=True)) == dark  # twice: no change
    assert theme.swap_text(dark, theme.swap_table(dark=False)) == text


def _window_colour() -> QColor:
    return QApplication.instance().palette().color(QPalette.ColorRole.Window)


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def _saved_choice():
    path = storage.app_data_dir() / theme.SETTINGS_FILE
    return json.loads(path.read_text("utf-8"))["theme"] if path.exists() else None


@pytest.mark.slow
def test_the_dark_theme_reaches_the_palette_hints_bars_and_plots_and_is_kept(qtbot, window):
    from digitlab.app.selftest.support import draw_digit

    hint = window.draw_tab.hover_label
    plot = window.draw_tab.probabilities.plots["cnn"]
    assert window.theme.choice == "system" and not window.theme.dark  # no scheme known: light
    assert _window_colour().lightness() > 128
    try:
        window.activateWindow()
        qtbot.keyClick(
            window,
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        assert window.theme.dark and window.theme.choice == "dark"
        assert _saved_choice() == "dark"
        assert _window_colour().lightness() < 80
        assert styles.THEME_DARK["HINT"] in hint.styleSheet()
        assert plot.grab().toImage().pixelColor(2, 2).name() == styles.THEME_DARK["PAPER"]
        assert f"color: {styles.THEME_DARK['HINT']};" == styles.HINT_STYLE
        assert styles.MODEL_COLOURS["cnn"] == styles.THEME_DARK_MODELS["cnn"]
        draw_digit(window.draw_tab.canvas, 7)  # answered and drawn in the dark colours
        headers = window.draw_tab.probabilities.headers
        qtbot.waitUntil(lambda: styles.THEME_DARK_MODELS["cnn"] in headers["cnn"]._html)
        menu_dark = [a for a in window.view_menu.actions() if "Dark" in a.text()][0]
        assert menu_dark.isChecked()
        # A new window (the next start) opens dark.
        assert theme.Theme(save=lambda _c: None).choice == "dark"
        qtbot.keyClick(
            window,
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        assert not window.theme.dark and _saved_choice() == "light"
        assert styles.THEME_LIGHT["HINT"] in hint.styleSheet()
        assert plot.grab().toImage().pixelColor(2, 2).name() == styles.THEME_LIGHT["PAPER"]
        assert not menu_dark.isChecked()
    finally:
        window.theme.choose("system")
    assert _saved_choice() == "system" and not window.theme.dark


@pytest.mark.slow
def test_following_the_system_turns_dark_when_the_system_does(qtbot, window, monkeypatch):
    scheme = {"dark": False}
    monkeypatch.setattr(theme, "system_is_dark", lambda: scheme["dark"])
    try:
        scheme["dark"] = True
        window.theme._on_system_changed(Qt.ColorScheme.Dark)
        assert window.theme.dark and window.theme.choice == "system"
        scheme["dark"] = False
        window.theme._on_system_changed(Qt.ColorScheme.Light)
        assert not window.theme.dark
        window.theme.choose("light")  # an explicit choice: the system is not followed
        scheme["dark"] = True
        window.theme._on_system_changed(Qt.ColorScheme.Dark)
        assert not window.theme.dark
    finally:
        scheme["dark"] = False
        window.theme.choose("system")


def test_a_row_of_digits_shown_before_a_theme_switch_takes_the_new_paper(qtbot):
    from digitlab.app.explore.digit_views import DigitRow

    row = DigitRow(4)
    qtbot.addWidget(row)
    row.show_digits(np.full((2, 28, 28), 200, np.uint8))
    gap = row.image.image[0, -1]  # right of the two digits: paper
    assert tuple(gap) == tuple(QColor(styles.THEME_LIGHT["PAPER"]).getRgb()[:3])
    switch = theme.Theme("light", save=lambda _c: None)
    try:
        switch.choose("dark")
        qtbot.waitUntil(
            lambda: (
                tuple(row.image.image[0, -1])
                == tuple(QColor(styles.THEME_DARK["PAPER"]).getRgb()[:3])
            )
        )
        assert row.image.image[0, 0, 0] == 200  # the digits stay
    finally:
        switch.choose("light")
    qtbot.waitUntil(
        lambda: (
            tuple(row.image.image[0, -1]) == tuple(QColor(styles.THEME_LIGHT["PAPER"]).getRgb()[:3])
        )
    )


def test_a_row_of_digits_deleted_right_after_a_theme_switch_is_left_alone(qtbot):
    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from digitlab.app.explore.digit_views import DigitRow

    row = DigitRow(4)
    QApplication.sendEvent(row, QEvent(QEvent.Type.PaletteChange))  # redraw queued
    shiboken6.delete(row)  # as when its window closes before the queue runs
    for _ in range(3):
        QApplication.processEvents()  # pytest-qt fails the test on any exception raised here
