"""Lay a layer's activations out as one mosaic image, and map mosaic pixels back to units.

NumPy only (no Qt): the inference thread builds the mosaics, the views only show them, and
tests import these functions directly. One image per layer is what keeps repainting cheap
(pyqtgraph repaints one mosaic in about the time of a few separate small images).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GAP = 1
"""Pixels between the maps of a mosaic."""
GAP_INDEX = 255
"""Lookup-table index of the gaps between maps; 0..254 are the colour map."""
LEVELS = 255
"""Colour-map indices used for values (0..254)."""


@dataclass(frozen=True)
class CellGrid:
    """Equal cells tiled row by row into one image: ``rows x cols`` cells of ``h x w`` px with
    ``gap`` px between them, the first ``count`` of them used.

    The geometry every mosaic shares: the activation mosaics here (:class:`MosaicLayout`) and
    the weight pictures of :mod:`digitlab.model.explain.filters`.
    """

    h: int
    w: int
    rows: int
    cols: int
    gap: int
    count: int

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)`` of the mosaic, px."""
        return (
            self.rows * (self.h + self.gap) - self.gap,
            self.cols * (self.w + self.gap) - self.gap,
        )

    def cell_origin(self, index: int) -> tuple[int, int]:
        """Mosaic pixel ``(top, left)`` of cell ``index``."""
        r, c = divmod(index, self.cols)
        return r * (self.h + self.gap), c * (self.w + self.gap)

    def cell_at(self, y: float, x: float) -> tuple[int, int, int] | None:
        """The cell under mosaic pixel ``(y, x)`` and the pixel in it: ``(index, row, col)``,
        or None on a gap, outside the mosaic or on an unused cell."""
        if y < 0 or x < 0:
            return None
        gr, ry = divmod(int(y), self.h + self.gap)
        gc, rx = divmod(int(x), self.w + self.gap)
        if ry >= self.h or rx >= self.w or gr >= self.rows or gc >= self.cols:
            return None
        index = gr * self.cols + gc
        if index >= self.count:
            return None
        return index, ry, rx


class MosaicLayout(CellGrid):
    """Where each unit of a layer sits in its mosaic: cell ``i`` is channel ``i``.

    Maps (``h x w`` each, ``channels`` of them) are placed row by row in a ``rows x cols`` grid
    with :data:`GAP` px between them. A vector layer (``(n,)``) is ``n`` maps of ``1 x 1`` with
    no gaps, so 128 units make a compact 8 x 16 block.
    """

    @property
    def channels(self) -> int:
        """The layer's channels (units of a vector layer): one map each."""
        return self.count

    def locate(self, y: float, x: float) -> tuple[int, int, int] | None:
        """The unit under mosaic pixel ``(y, x)``: ``(channel, row, col)``, or None on a gap."""
        return self.cell_at(y, x)


def grid_for(channels: int, h: int, w: int) -> tuple[int, int]:
    """A ``(rows, cols)`` grid for ``channels`` maps, about twice as wide as tall overall."""
    if channels <= 16:
        return 1 if channels <= 10 else 2, math.ceil(channels / (1 if channels <= 10 else 2))
    best = None
    for rows in range(1, channels + 1):
        cols = math.ceil(channels / rows)
        if rows * cols != channels and rows * cols - channels >= cols:
            continue
        aspect = (cols * (w + GAP)) / (rows * (h + GAP))
        score = abs(math.log(aspect / 2.0))
        if best is None or score < best[0]:
            best = (score, rows, cols)
    return best[1], best[2]


def layout_for(shape: Sequence[int]) -> MosaicLayout:
    """The mosaic layout of a layer with output ``shape`` (no batch axis).

    ``(h, w, c)`` maps go in a grid of ``c`` cells; ``(n,)`` vectors become one block of
    ``1 x 1`` cells (10 outputs in one row, 128 units as 8 x 16).
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) == 3:
        h, w, c = shape
        rows, cols = grid_for(c, h, w)
        return MosaicLayout(h, w, rows, cols, GAP, c)
    if len(shape) == 1:
        n = shape[0]
        if n <= 16:
            return MosaicLayout(1, 1, 1, n, 0, n)
        rows = 2 ** int(round(math.log2(math.sqrt(n / 2)))) if n >= 8 else 1
        rows = max(1, rows)
        return MosaicLayout(1, 1, rows, math.ceil(n / rows), 0, n)
    raise ValueError(f"cannot lay out a layer of shape {shape}")


def build_mosaic(activation: np.ndarray, layout: MosaicLayout, level: float) -> np.ndarray:
    """One layer's activations for one input as a uint8 mosaic of colour-map indices.

    Parameters
    ----------
    activation : float ``(h, w, c)`` or ``(n,)``: the layer output for one input.
    layout : from :func:`layout_for` for this layer's shape.
    level : the value shown as the top of the colour map (fixed per layer; values are clipped
        to ``0 .. level``).

    Returns
    -------
    uint8 ``layout.shape``, C-contiguous: ``0 .. 254`` for values (0 .. ``level``), and
    :data:`GAP_INDEX` between maps.
    """
    a = np.asarray(activation, dtype=np.float32)
    shape = (layout.h, layout.w, layout.channels)
    if a.shape != shape and not (a.ndim == 1 and shape == (1, 1, a.size)):
        raise ValueError(f"activation of shape {a.shape} does not fit layout {layout}")
    scale = (LEVELS - 1) / level if level > 0 else 0.0
    q = np.empty(a.size + 1, np.uint8)  # the values, then the gaps' index
    np.clip(a.reshape(-1) * scale, 0, LEVELS - 1, out=q[:-1], casting="unsafe")  # truncates
    q[-1] = GAP_INDEX
    return q[_places(layout)]


@functools.lru_cache(maxsize=64)
def _places(layout: MosaicLayout) -> np.ndarray:
    """intp ``layout.shape``: for each mosaic pixel, where its value sits in a layer's
    activation flattened (rows, columns, channels), or that size for a gap. Computed once per
    layout, so a mosaic is one gather (the live view builds eight at every pen move)."""
    h, w, c = layout.h, layout.w, layout.channels
    gap_at = h * w * c
    positions = np.arange(gap_at).reshape(h, w, c)
    cells = np.full((layout.rows * layout.cols, h, w), gap_at, np.intp)
    cells[:c] = np.moveaxis(positions, 2, 0)
    grid = cells.reshape(layout.rows, layout.cols, h, w).transpose(0, 2, 1, 3)
    if layout.gap:
        g = layout.gap
        full = np.full((layout.rows, h + g, layout.cols, w + g), gap_at, np.intp)
        full[:, :h, :, :w] = grid
        out = full.reshape(layout.rows * (h + g), layout.cols * (w + g))[:-g, :-g]
    else:
        out = grid.reshape(layout.rows * h, layout.cols * w)
    out = np.ascontiguousarray(out)
    out.setflags(write=False)
    return out


def calibrate_level(values: np.ndarray, percentile: float = 99.5) -> float:
    """A fixed top of the colour scale for a layer: a high percentile of typical activations.

    Parameters
    ----------
    values : the layer's activations over a batch of typical inputs (any shape).
    """
    v = np.asarray(values, dtype=np.float32).ravel()
    v = v[v > 0]
    if v.size == 0:
        return 1.0
    level = float(np.percentile(v, percentile))
    return level if level > 0 else 1.0


def apply_lut(mosaic: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """A uint8 ``(h, w)`` mosaic (:func:`build_mosaic`) through ``lut``: ``(h, w, 4)`` for a
    uint8 ``(256, 4)`` RGBA table, ``(h, w)`` for a uint32 ``(256,)`` table of words (row
    :data:`GAP_INDEX` colours the gaps)."""
    return np.take(lut, mosaic, axis=0)
