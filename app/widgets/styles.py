"""The shared look: the app's colours by name (the one place a colour is written), colour
tables for the views and the inference thread (which colours the mosaics), and pyqtgraph's
global options. Nothing here imports pyqtgraph: the Draw tab, on the way to the first answer,
does not use it."""

from __future__ import annotations

import functools

import numpy as np

from digitlab.model.explain.colour_maps import PAPER_RGB, VIRIDIS, rgba_words
from digitlab.model.explain.mosaic import GAP_INDEX

# The app's colours: every widget, plot and message takes its colour from here by name.
TEXT = "#3a3f4b"
"""Ordinary text, axes and labels drawn in plots."""
HINT = "#55606e"
"""Secondary text: hints, captions, notes that explain a control."""
GOOD = "#1f6e3a"
"""Something went right (saved, improved, agreed)."""
BAD = "#a61b1b"
"""An error or a wrong answer."""
WARNING = "#8a5a00"
"""A caution that is not an error (a drawing far from MNIST, skipped files)."""
ATTENTION = "#e07b1a"
"""Draws the eye: the models disagree, the replay's cursor."""
MARK = "#ff4d4d"
"""Outlines drawn over an image (a receptive field, a crop box)."""
PANEL = "#eef1f5"
"""The pale background of idle banners and picture boxes."""
PAPER = "#" + bytes(PAPER_RGB).hex()
"""White paper: the plots' background and the canvas (from :data:`PAPER_RGB`, in ``model/``)."""
DARK = "#333"
"""Near-black: a model without a colour of its own, and plot tick labels."""
NEAR_BLACK = "#111"
"""Almost black: a filled cell's count, the outline of the chosen unit over its weights."""
MUTED = "#888"
"""Mid grey: axis lines and words that wait for something ("loading…")."""

# The pales: a message banner's background, border and text for each kind of message.
INFO_PALE, INFO_EDGE, INFO_TEXT = "#eef4ff", "#b8cdf0", "#123"  # neutral news (blue)
GOOD_PALE, GOOD_EDGE, GOOD_TEXT = "#eaf7ea", "#a9d8a9", "#143"  # it went right (green)
BAD_PALE, BAD_EDGE, BAD_TEXT = "#fdecea", "#f0a8a0", "#611"  # it went wrong (red)
# The Draw tab's verdict banner, (text, background): one model, both agree, they disagree.
SINGLE_TEXT, SINGLE_PALE = "#0b5e56", "#e0f3f0"
AGREE_TEXT, AGREE_PALE = "#1d6b3e", "#e3f4ea"
DISAGREE_TEXT, DISAGREE_PALE = "#8a4300", "#fde9d3"
UNKNOWN_TEXT, UNKNOWN_PALE = "#4a4f57", "#e6e7ea"  # no model knows the drawing (grey)

HINT_STYLE = f"color: {HINT};"
GOOD_STYLE = f"color: {GOOD};"
BAD_STYLE = f"color: {BAD};"
WARNING_STYLE = f"color: {WARNING};"

PLOT_OPTIONS = {
    "imageAxisOrder": "row-major",
    "background": PAPER,
    "foreground": TEXT,
    "antialias": False,
}
"""pyqtgraph's global options for every plot and image: arrays are (row, column), white paper
(applied by :mod:`digitlab.app.widgets.plotting`, through which the app imports pyqtgraph)."""

GAP_COLOUR = PAPER_RGB
"""The background between the maps of a mosaic (the plots' background): the model's paper."""


def viridis_lut() -> np.ndarray:
    """uint8 ``(256, 4)`` RGBA: 255 viridis colours for values, then the gaps' background
    (:data:`GAP_COLOUR`, which follows the theme).

    Mosaics are coloured with it by indexing before they reach the image item, in the
    inference thread: an RGBA image goes to the screen as it is, while an indexed one would
    make the view convert it through a colour table at every paint.
    """
    return _viridis_lut(tuple(GAP_COLOUR))


def viridis_words() -> np.ndarray:
    """uint32 ``(256,)``: :func:`viridis_lut` as opaque ``0xAARRGGBB`` words. The live
    mosaics are coloured with it, so the activation views draw them as they are (see
    :func:`digitlab.app.draw.pixel_view.as_words`)."""
    return _viridis_words(tuple(GAP_COLOUR))


@functools.lru_cache(maxsize=2)
def _viridis_words(gap: tuple[int, int, int]) -> np.ndarray:
    words = rgba_words(_viridis_lut(gap))
    words.setflags(write=False)
    return words


@functools.lru_cache(maxsize=2)
def _viridis_lut(gap: tuple[int, int, int]) -> np.ndarray:
    rgb = np.vstack([VIRIDIS[:GAP_INDEX], np.array([gap], np.uint8)]).astype(np.uint8)
    lut = np.ascontiguousarray(np.hstack([rgb, np.full((256, 1), 255, np.uint8)]))
    lut.setflags(write=False)
    return lut


MODEL_COLOURS = {"cnn": "#3b6fd8", "dense": "#7a4fc9", "custom": "#0f8a7e"}
"""Each model's colour wherever it is named or plotted (its bars, titles and curves)."""


def model_colour(name: str) -> str:
    """``name``'s colour from :data:`MODEL_COLOURS`, or :data:`DARK` for any other model."""
    return MODEL_COLOURS.get(name, DARK)


# ---------------------------------------------------------------- the dark theme
# Each named colour above has a dark-theme value here (app/widgets/theme.py swaps them; the
# light values are the ones written above). The dark values keep the same meaning and at
# least the same contrast against the dark window and plot background.
THEME_DARK = {
    "TEXT": "#d5d9e0",
    "HINT": "#a3acb9",
    "GOOD": "#5cc37e",
    "BAD": "#ff7b72",
    "WARNING": "#e3ac4d",
    "ATTENTION": "#f29a4a",
    "MARK": "#ff6464",
    "PANEL": "#2a2e35",
    "PAPER": "#1c1f24",
    "DARK": "#c8ccd3",
    "NEAR_BLACK": "#f2f2f2",
    "MUTED": "#8d939c",
    "INFO_PALE": "#1c2a3f",
    "INFO_EDGE": "#3a5680",
    "INFO_TEXT": "#d3e3ff",
    "GOOD_PALE": "#19321f",
    "GOOD_EDGE": "#2f6b43",
    "GOOD_TEXT": "#c8f2d4",
    "BAD_PALE": "#3b1f1f",
    "BAD_EDGE": "#7d3838",
    "BAD_TEXT": "#ffd3cf",
    "SINGLE_TEXT": "#93e2d6",
    "SINGLE_PALE": "#15332f",
    "AGREE_TEXT": "#a3e6bc",
    "AGREE_PALE": "#173423",
    "DISAGREE_TEXT": "#ffc48f",
    "DISAGREE_PALE": "#3d2a15",
    "UNKNOWN_TEXT": "#c6cad1",
    "UNKNOWN_PALE": "#2d3036",
}
"""The dark theme's value of each named colour (by name)."""
THEME_DARK_MODELS = {"cnn": "#73a0ff", "dense": "#b592ff", "custom": "#3fcbbb"}
"""Each model's colour in the dark theme (brighter: they are read on a dark background)."""
THEME_LIGHT = {name: globals()[name] for name in THEME_DARK}
"""The light theme's value of each named colour (the values written above)."""
THEME_LIGHT_MODELS = dict(MODEL_COLOURS)
"""Each model's colour in the light theme."""
THEME_DARK_PALETTE = {
    "Window": "#25282d",
    "WindowText": "#e3e6eb",
    "Base": "#33373f",
    "AlternateBase": "#2c3037",
    "ToolTipBase": "#30343b",
    "ToolTipText": "#eceef2",
    "PlaceholderText": "#8f96a0",
    "Text": "#e3e6eb",
    "Button": "#30343b",
    "ButtonText": "#e3e6eb",
    "BrightText": "#ff8080",
    "Light": "#3c4149",
    "Midlight": "#343840",
    "Mid": "#4b515b",
    "Dark": "#15171a",
    "Shadow": "#0b0c0e",
    "Highlight": "#3d6fd1",
    "HighlightedText": "#fdfdfd",
    "Link": "#7fb0ff",
    "LinkVisited": "#c39bff",
}
"""The Qt palette of the dark theme, by colour role (disabled text is dimmed from these)."""
THEME_DARK_DISABLED_TEXT = "#7a8089"
"""Text of a disabled control in the dark theme."""
THEME_DARK_CHECKED = (
    "QToolButton:checked { background-color: #31548f; border: 1px solid #5f86c9;"
    " border-radius: 3px; }"
)
"""The dark theme's style of a checkable tool button (Pen, Eraser): checked, it stands out
(Fusion's dark shading of a checked button is hardly darker than the button). Set on those
buttons only: a style sheet on the whole application changes every widget's metrics."""
