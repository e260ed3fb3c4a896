"""Colour tables shared by the views and the inference thread (which colours the mosaics)."""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg

from digitlab.model.explain.mosaic import GAP_INDEX

GAP_COLOUR = (255, 255, 255)
"""The background between the maps of a mosaic (the plots' background)."""


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
