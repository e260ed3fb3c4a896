"""The Explain tab's colourings as plain array maths: a heat overlay for saliency maps, a
blue-white-red scale for weights, and grey for model inputs.

Every function returns C-contiguous ``uint8`` arrays, ready for an image item with fixed
levels, so the views never compute colours themselves.
"""

from __future__ import annotations

import functools

import numpy as np

PAPER_RGB = (255, 255, 255)
"""What a gap in a weight mosaic shows (the plots' white background)."""

VIRIDIS = np.frombuffer(
    bytes.fromhex(
        "44015444025645045745055946075a46085c460a5d460b5e470d60470e614710634711644713654814674816"
        "6848176948186a481a6c481b6d481c6e481d6f481f7048207148217348237448247548257648267748287847"
        "2979472a7a472c7a472d7b472e7c462f7d46307e46327e46337f453480453581453781443882443983443a83"
        "433b84433d84423e85423f854240864141864142874044874045883f46883f47883e48893e49893e4a893d4c"
        "8a3d4d8a3c4e8a3c4f8a3b508b3b518b3a528b3a538b39548c39558c38568c38588c37598c375a8c365b8d36"
        "5c8d355d8d355e8d345f8d34608d33618d33628d32638d32648e31658e31668e31678e30688e30698e2f6a8e"
        "2f6b8e2e6c8e2e6d8e2e6e8e2d6f8e2d708e2c718e2c718e2c728e2b738e2b748e2a758e2a768e2a778e2978"
        "8e29798e297a8e287b8e287c8e277d8e277e8e277f8e26808e26818e26828e25828e25838e25848e24858e24"
        "868e23878e23888e23898d228a8d228b8d228c8d218d8d218e8d218f8d21908c20918c20928c20928c1f938c"
        "1f948b1f958b1f968b1f978b1f988a1f998a1e9a8a1e9b891e9c891e9d891f9e881f9f881fa0881fa1871fa1"
        "871fa28620a38620a48521a58521a68522a78422a88323a98324aa8225ab8225ac8126ad8127ad8028ae7f29"
        "af7f2bb07e2cb17d2db27c2eb37c30b47b31b57a33b67934b67936b77837b87739b9763aba753cbb743ebc73"
        "3fbc7241bd7143be7045bf6f47c06e49c16d4bc16c4dc26b4fc36a51c46953c56855c56757c66559c7645bc8"
        "635dc8625fc96062ca5f64cb5e66cb5c68cc5b6bcd5a6dcd586fce5772cf5674d05476d05379d1517bd1507e"
        "d24e80d34d83d34b85d44988d5488ad5468dd6458fd64392d74194d74097d83e9ad83c9cd93b9fd939a1da37"
        "a4da36a7db34a9db32acdc30afdc2fb1dd2db4dd2bb7de29b9de28bcde26bfdf25c1df23c4df21c7e020c9e0"
        "1fcce11dcfe11cd1e11bd4e21ad7e219d9e219dce318dee318e1e318e4e418e6e419e9e419ebe51aeee51bf0"
        "e51cf3e51df5e61ff7e620fae622fde725"
    ),
    np.uint8,
).reshape(255, 3)
"""uint8 ``(255, 3)``: the viridis colour map (van der Walt and Smith, CC0), low to high,
sampled at 255 points exactly as pyqtgraph's ``colormap.get("viridis")`` samples it; here so
the window's first answer does not wait for pyqtgraph's import to colour its maps."""

_RED = (178, 24, 43)
_BLUE = (33, 102, 172)
_WHITE = (247, 247, 247)


@functools.lru_cache(maxsize=1)
def heat_lut() -> np.ndarray:
    """uint8 ``(256, 4)`` RGBA, read-only: transparent for 0 rising to opaque yellow-red for 1
    (the saliency overlay)."""
    t = np.linspace(0.0, 1.0, 256)
    r = np.clip(0.95 + 0.05 * t, 0, 1)
    g = np.clip(0.15 + 0.8 * t**1.5, 0, 1)
    b = np.clip(0.1 * (1 - t), 0, 1)
    a = np.clip(t * 1.6, 0, 1)
    lut = (np.stack([r, g, b, a], 1) * 255 + 0.5).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def heat_rgba(values: np.ndarray, level: float) -> np.ndarray:
    """A saliency map coloured through :func:`heat_lut`.

    Parameters
    ----------
    values : float ``(h, w)``; ``0..level`` spans the table, negatives are clear and values
        above ``level`` saturate.
    level : the value shown fully opaque (``<= 0`` means 1).

    Returns
    -------
    uint8 ``(h, w, 4)`` RGBA.
    """
    level = level if level > 0 else 1.0
    idx = np.clip(np.asarray(values, np.float32) / level * 255.0, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(heat_lut()[idx])


def heat_rgba_to_peak(values: np.ndarray) -> np.ndarray:
    """:func:`heat_rgba` scaled to the map's own maximum (an all-zero map stays clear)."""
    top = float(np.max(values)) if np.size(values) else 0.0
    return heat_rgba(values, top if top > 0 else 1.0)


def diverging_rgba(image: np.ndarray, level: float) -> np.ndarray:
    """Weights coloured blue (negative), white (zero) and red (positive).

    Parameters
    ----------
    image : float ``(h, w)`` weights; NaN marks a gap between cells, which shows
        :data:`PAPER_RGB`.
    level : the magnitude at which the colour saturates (``<= 0`` means 1).

    Returns
    -------
    uint8 ``(h, w, 4)`` RGBA, opaque.
    """
    a = np.asarray(image, np.float32)
    gap = ~np.isfinite(a)
    t = np.clip(np.nan_to_num(a) / (level if level > 0 else 1.0), -1.0, 1.0)
    pos, neg = np.clip(t, 0, 1), np.clip(-t, 0, 1)
    red, blue, white = (np.array(c, np.float32) for c in (_RED, _BLUE, _WHITE))
    rgb = white * (1 - pos - neg)[..., None] + red * pos[..., None] + blue * neg[..., None]
    rgb[gap] = PAPER_RGB
    out = np.concatenate([rgb, np.full(a.shape + (1,), 255, np.float32)], axis=-1)
    return np.ascontiguousarray((out + 0.5).astype(np.uint8))


def grey(image: np.ndarray) -> np.ndarray:
    """A model input as pixels: float ``(h, w)`` in 0..1 (clipped) -> uint8 ``(h, w)`` 0..255,
    ink white on black like the model input."""
    return np.ascontiguousarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))


def rgba_words(rgba: np.ndarray) -> np.ndarray:
    """uint32 ``(...)`` premultiplied ``0xAARRGGBB`` words of uint8 ``(..., 4)`` RGBA colours
    (the value of each word, not its bytes, is what the format fixes: no byte order to mind).

    The pixel format a screen draws without converting (Qt's ``ARGB32_Premultiplied``).
    """
    a = np.asarray(rgba, np.uint8)
    alpha = a[..., 3].astype(np.uint32)
    rgb = (a[..., :3].astype(np.uint32) * alpha[..., None] + 127) // 255  # premultiplied
    return np.ascontiguousarray(
        (alpha << 24) | (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    )
