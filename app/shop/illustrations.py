"""The drawings of the products: SVG files in `content/winkel/afbeeldingen/`, named in a
product's front matter (`image:`), read with the catalogue and served by the shop under an
address with a fingerprint of their contents (`/winkel/afbeeldingen/rollator.3f9a0c21b7d4.svg`),
so a browser may keep one for good and a changed drawing gets a new address.

A drawing that fails the safety check (`app.content.svg`) is reported and not served.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from flask import url_for

from app.content.files import Problem
from app.content.svg import check_svg

FOLDER = "winkel/afbeeldingen"
PATTERN = f"{FOLDER}/*.svg"
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.svg$")
FINGERPRINT_LENGTH = 12
# A drawing opened on its own is a document: it may use its own inline styles and nothing else
# (no script, no fetch, no frame, no form), and runs sandboxed.
SVG_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'; sandbox"
)
HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Security-Policy": SVG_POLICY,
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Illustration:
    """One checked drawing: its file name, contents, fingerprint and proportions."""

    name: str
    data: bytes
    fingerprint: str
    width: float
    height: float

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".svg")

    def size(self, width: int) -> tuple[int, int]:
        """(width, height) in pixels for showing it `width` wide, so the page keeps the room
        for it before it has loaded."""
        return width, round(width * self.height / self.width)


def load(content_dir: Path, problems: list[Problem]) -> dict[str, Illustration]:
    """Every drawing in the folder that passes the check, by file name; the others are added
    to `problems`."""
    found: dict[str, Illustration] = {}
    for path in sorted((content_dir / FOLDER).glob("*.svg")):
        rel = path.relative_to(content_dir).as_posix()
        if not NAME.match(path.name):
            problems.append(
                Problem(rel, 1, "gebruik voor de naam alleen kleine letters, cijfers en streepjes")
            )
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(Problem(rel, 1, f"kan niet worden gelezen: {error}"))
            continue
        check = check_svg(data)
        problems.extend(Problem(rel, line, message) for line, message in check.problems)
        if not check.problems:
            digest = hashlib.sha256(data).hexdigest()[:FINGERPRINT_LENGTH]
            found[path.name] = Illustration(path.name, data, digest, check.width, check.height)
    return found


def image_problem(image: str, illustrations: dict[str, Illustration], content_dir: Path) -> str:
    """What is wrong with a product's `image:` (empty when it names a good drawing)."""
    if image in illustrations:
        return ""
    if not NAME.match(image):
        return (
            f"'image' moet de naam van een SVG-tekening in {FOLDER} zijn, "
            f"zoals 'rollator.svg', niet '{image}'"
        )
    if (content_dir / FOLDER / image).is_file():
        return f"de afbeelding {FOLDER}/{image} is afgekeurd (zie de melding bij dat bestand)"
    return f"de afbeelding {FOLDER}/{image} bestaat niet"


def url(illustration: Illustration) -> str:
    """The drawing's address, which changes when the drawing does."""
    return url_for(
        "shop.illustration", name=illustration.stem, fingerprint=illustration.fingerprint
    )
