"""Draw Digit Lab's app icon (a hand-drawn-looking 7 on a rounded square) and write
``resources/icons/digitlab.png`` (Linux, Qt window icon), ``.ico`` (Windows) and ``.icns``
(macOS). Run once when the design changes: ``python tools/make_icons.py``; the files are
committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 1024
OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
BACKGROUND = (31, 42, 68, 255)  # deep blue-grey
INK = (253, 231, 37, 255)  # viridis' top colour, as in the activation maps
GRID = (59, 82, 139, 255)  # viridis' lower blue


def draw_icon(size: int = SIZE) -> Image.Image:
    """The icon as an RGBA ``size`` x ``size`` picture."""
    scale = 4  # draw large, then shrink: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = big * 0.06
    draw.rounded_rectangle(
        (margin, margin, big - margin, big - margin), radius=big * 0.2, fill=BACKGROUND
    )
    # A faint 28x28-style pixel grid hint: four lines each way.
    inner0, inner1 = big * 0.2, big * 0.8
    for i in range(1, 4):
        t = inner0 + (inner1 - inner0) * i / 4
        draw.line((t, inner0, t, inner1), fill=GRID, width=int(big * 0.008))
        draw.line((inner0, t, inner1, t), fill=GRID, width=int(big * 0.008))
    # The digit 7 as a pen stroke with round joints.
    points = [(0.30, 0.30), (0.70, 0.30), (0.56, 0.52), (0.44, 0.76)]
    xy = [(x * big, y * big) for x, y in points]
    width = int(big * 0.085)
    draw.line(xy, fill=INK, width=width, joint="curve")
    r = width / 2
    for x, y in (xy[0], xy[-1]):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=INK)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon = draw_icon()
    icon.resize((256, 256), Image.Resampling.LANCZOS).save(OUT / "digitlab.png")
    icon.save(
        OUT / "digitlab.ico",
        sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
    )
    icon.save(OUT / "digitlab.icns")
    for path in sorted(OUT.iterdir()):
        print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
