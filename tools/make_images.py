"""Draw the site's raster images from the logo (the circle and heart of `static/img/logo.svg`):

- `img/share.png`, 1200 x 630: the picture shown when a page is shared (og:image); most
  platforms accept no SVG there;
- `img/favicon.ico` (16, 32 and 48 px) for browsers and tools that ask for /favicon.ico;
- `img/apple-touch-icon.png`, 180 x 180, for a phone's home screen.

Run it after changing the logo, the colours or the tagline, and commit what it writes:

    .venv/bin/python -m tools.make_images

It uses Pillow (a development dependency) and Pillow's own font, so the result is the same on
every machine.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "app" / "static" / "img"
PRIMARY = (11, 90, 85)  # --zg-color-primary
PRIMARY_LIGHT = (227, 241, 239)  # --zg-color-primary-light
TEXT = (26, 26, 26)
WHITE = (255, 255, 255)
SHARE_SIZE = (1200, 630)

# The heart of logo.svg (a 64 x 64 box): a start point and four cubic curves, absolute.
HEART_START = (32.0, 47.0)
HEART_CURVES = [
    ((23.0, 40.5), (17.0, 35.2), (17.0, 28.5)),
    ((17.0, 23.9), (20.5, 20.5), (24.8, 20.5)),
    ((27.8, 20.5), (30.3, 22.1), (32.0, 24.7)),
    ((33.7, 22.1), (36.2, 20.5), (39.2, 20.5)),
    ((43.5, 20.5), (47.0, 23.9), (47.0, 28.5)),
    ((47.0, 35.2), (41.0, 40.5), (32.0, 47.0)),
]


def heart(scale: float, offset: tuple[float, float], steps: int = 24) -> list[tuple[float, float]]:
    """The heart's outline as points, the 64 x 64 box scaled by `scale` and moved by `offset`."""
    points: list[tuple[float, ...]] = [HEART_START]
    current = HEART_START
    for c1, c2, end in HEART_CURVES:
        for i in range(1, steps + 1):
            t = i / steps
            u = 1 - t
            points.append(
                tuple(
                    u**3 * p0 + 3 * u**2 * t * p1 + 3 * u * t**2 * p2 + t**3 * p3
                    for p0, p1, p2, p3 in zip(current, c1, c2, end, strict=True)
                )
            )
        current = end
    return [(x * scale + offset[0], y * scale + offset[1]) for x, y in points]


def logo(size: int, *, background: tuple | None = None, circle: bool = True) -> Image.Image:
    """The logo drawn at 4x and scaled down, for smooth edges."""
    big = size * 4
    image = Image.new("RGBA", (big, big), background or (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    scale = big / 64
    if circle:
        draw.ellipse([2 * scale, 2 * scale, 62 * scale, 62 * scale], fill=PRIMARY)
    draw.polygon(heart(scale, (0, 0)), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def share_image(name: str, tagline: str) -> Image.Image:
    width, height = SHARE_SIZE
    image = Image.new("RGB", SHARE_SIZE, PRIMARY_LIGHT)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height - 36, width, height], fill=PRIMARY)
    mark = logo(220)
    image.paste(mark, (96, 150), mark)
    title = ImageFont.load_default(size=120)
    small = ImageFont.load_default(size=44)
    draw.text((370, 170), name, font=title, fill=PRIMARY)
    lines = wrap(tagline, small, width - 370 - 80)
    for number, line in enumerate(lines):
        draw.text((374, 330 + number * 58), line, font=small, fill=TEXT)
    return image


def wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "content" / "site.toml")
    parser.add_argument("--out", type=Path, default=IMG)
    args = parser.parse_args()
    organisation = tomllib.loads(args.site.read_text(encoding="utf-8"))["organisation"]
    args.out.mkdir(parents=True, exist_ok=True)

    share_image(organisation["name"], organisation["tagline"]).save(
        args.out / "share.png", optimize=True
    )
    logo(48).save(args.out / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    # Home-screen icons are square and opaque; the phone rounds the corners itself.
    touch = logo(180, background=PRIMARY + (255,), circle=False).convert("RGB")
    touch.save(args.out / "apple-touch-icon.png", optimize=True)
    for name in ("share.png", "favicon.ico", "apple-touch-icon.png"):
        print(f"{args.out / name}: {(args.out / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
