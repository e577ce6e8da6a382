"""Reading editors' files: YAML front matter, line numbers for messages, and the Problem an
editor must fix. Shared by every kind of content (articles, the shop catalogue, questionnaires)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import yaml

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
# libyaml's parser when PyYAML was built with it (the wheels are): the same safe loading, about
# ten times quicker than the pure-Python one, which dominated building the content at start.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Problem:
    """One thing an editor must fix, with where it is."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def split_front_matter(source: str) -> tuple[dict, str, int]:
    """Return (front matter, body, line number of the body's first line).

    Raises ValueError with a Dutch message when the front matter is missing or not YAML.
    """
    match = FRONT_MATTER.match(source)
    if not match:
        raise ValueError("het bestand begint niet met front matter tussen twee regels '---'")
    try:
        data = yaml.load(match.group(1), Loader=SAFE_LOADER) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise FrontMatterError(line, f"de front matter is geen geldige YAML: {error}") from None
    if not isinstance(data, dict):
        raise ValueError("de front matter moet uit 'naam: waarde'-regels bestaan")
    body_line = match.group(0).count("\n") + 1
    return data, source[match.end() :], body_line


def line_of_key(source: str, key: str) -> int:
    """The line of `key:` in the front matter (1 when it is not there)."""
    for number, line in enumerate(source.splitlines()[:200], start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
