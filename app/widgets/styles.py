"""The shared look: the app's colours by name (the one place a colour is written), colour
tables for the views and the inference thread (which colours the mosaics), and pyqtgraph's
global options, applied when this module is first imported."""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg

from digitlab.model.explain.colour_maps import PAPER_RGB
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
"""pyqtgraph's global options for every plot and image: arrays are (row, column), white paper."""
pg.setConfigOptions(**PLOT_OPTIONS)

GAP_COLOUR = PAPER_RGB
"""The background between the maps of a mosaic (the plots' background): the model's paper."""


@functools.lru_cache(maxsize=1)
def viridis_lut() -> np.ndarray:
    """uint8 ``(256, 4)`` RGBA: 255 viridis colours for values, then the gaps' background.

    Mosaics are coloured with it by indexing before they reach the image item, in the
    inference thread: an RGBA image goes to the screen as it is, while an indexed one would
    make pyqtgraph rebuild a colour table on every paint.
    """
    lut = pg.colormap.get("viridis").getLookupTable(nPts=GAP_INDEX, alpha=False)
    rgb = np.vstack([lut, np.array([GAP_COLOUR], np.uint8)]).astype(np.uint8)
    lut = np.ascontiguousarray(np.hstack([rgb, np.full((256, 1), 255, np.uint8)]))
    lut.setflags(write=False)
    return lut


MODEL_COLOURS = {"cnn": "#3b6fd8", "dense": "#7a4fc9", "custom": "#0f8a7e"}
"""Each model's colour wherever it is named or plotted (its bars, titles and curves)."""


def model_colour(name: str) -> str:
    """``name``'s colour from :data:`MODEL_COLOURS`, or :data:`DARK` for any other model."""
    return MODEL_COLOURS.get(name, DARK)
