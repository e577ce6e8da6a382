"""The content model: Markdown files with YAML front matter, parsed, validated and cached.

Editors commit files to `content/artikelen`, `content/videos` and `content/paginas`. The store
parses them all, renders their Markdown, and keeps the result in memory until a file changes.
A file that cannot be read or breaks a rule is skipped and logged; `flask content check`
reports it with its line number, and the rest of the site keeps working.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.core.site import SiteInfo

if TYPE_CHECKING:
    from app.hub.checks import SiteRoutes

log = logging.getLogger(__name__)

KINDS = {"artikelen": "article", "videos": "video", "paginas": "page"}
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
RECHECK_SECONDS = 2.0
# Snapshots by the exact files they were built from: apps in one process (tests, the CLI)
# that read the same unchanged folder share the work instead of parsing it again.
_BUILT: dict[tuple, Snapshot] = {}
_SERIALS = itertools.count(1)


class VideoBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: Literal["youtube"]
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{11}$")
    duration: str = Field(pattern=r"^(\d+:)?\d{1,2}:\d{2}$")
    transcript: str = Field(min_length=50)


class FrontMatter(BaseModel):
    """The fields an editor may write; anything else is a mistake worth reporting."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=400)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    topics: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    audience: list[str] = Field(default_factory=list)
    published: date
    updated: date | None = None
    expires: date | None = None
    draft: bool = False
    author: str = "Redactie Zorggenoot"
    featured: bool = False
    image: str | None = None
    image_alt: str | None = None
    aliases: list[str] = Field(default_factory=list)
    video: VideoBlock | None = None

    @field_validator("tags", "aliases")
    @classmethod
    def _slug_like(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(SLUG_PATTERN, value):
                raise ValueError(f"'{value}' moet uit kleine letters, cijfers en streepjes bestaan")
        return values


@dataclass
class Problem:
    """One thing an editor must fix, with where it is."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Heading:
    level: int
    id: str
    title: str


@dataclass
class Item:
    """One published (or draft, or scheduled) piece of content."""

    kind: str
    slug: str
    meta: FrontMatter
    path: Path
    rel_path: str
    source: str
    body_markdown: str
    body_line: int
    content_hash: str
    html: str = ""
    text: str = ""
    headings: list[Heading] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    images: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def words(self) -> int:
        extra = self.meta.video.transcript if self.meta.video else ""
        return len((self.text + " " + extra).split())

    @property
    def reading_minutes(self) -> int:
        return max(1, round(len(self.text.split()) / 200))

    def status(self, today: date) -> str:
        """public, draft, scheduled or expired."""
        if self.meta.draft:
            return "draft"
        if self.meta.published > today:
            return "scheduled"
        if self.meta.expires is not None and self.meta.expires <= today:
            return "expired"
        return "public"

    def is_public(self, today: date) -> bool:
        return self.status(today) == "public"

    @property
    def last_changed(self) -> date:
        return self.meta.updated or self.meta.published


@dataclass
class Snapshot:
    """Everything parsed from the content folder at one moment."""

    items: list[Item]
    problems: list[Problem]
    by_key: dict[tuple[str, str], Item]
    aliases: dict[tuple[str, str], str]
    memo: dict[tuple, object] = field(default_factory=dict)
    serial: int = field(default_factory=lambda: next(_SERIALS))

    def remember(self, key: tuple, compute):
        """Answers derived from this snapshot (e.g. the visible list of a day), computed once."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


class ContentStore:
    """Parsed content, reloaded when a file is added, changed or removed.

    `routes` (the app's own addresses) lets the check follow absolute links inside the site
    and refuse page slugs that collide with a route; without it those checks are skipped.
    """

    def __init__(
        self,
        content_dir: Path,
        site: SiteInfo,
        recheck_seconds: float = RECHECK_SECONDS,
        routes: SiteRoutes | None = None,
    ) -> None:
        self.content_dir = content_dir
        self.site = site
        self.recheck_seconds = recheck_seconds
        self.routes = routes
        self._lock = threading.Lock()
        self._signature: tuple = ()
        self._checked_at = 0.0
        self._snapshot: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        """The current content; looks for changed files at most every `recheck_seconds`."""
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked_at < self.recheck_seconds:
            return self._snapshot
        with self._lock:
            signature = self._file_signature()
            if self._snapshot is None or signature != self._signature:
                self._snapshot = self._build(signature)
                self._signature = signature
            self._checked_at = now
            return self._snapshot

    def _build(self, signature: tuple) -> Snapshot:
        from app.hub.markdown import build_snapshot

        key = (signature, self.routes.fingerprint() if self.routes else None)
        built = _BUILT.get(key)
        if built is None:
            built = build_snapshot(self.content_dir, self.site, self._files(), self.routes)
            for problem in built.problems:
                log.warning("content skipped or incomplete: %s", problem)
            if len(_BUILT) > 8:
                _BUILT.clear()
            _BUILT[key] = built
        return built

    def _files(self) -> list[Path]:
        return sorted(
            path
            for folder in KINDS
            for path in (self.content_dir / folder).glob("*.md")
            if path.is_file()
        )

    def _file_signature(self) -> tuple:
        signature = []
        for path in [self.content_dir / "site.toml", *self._files()]:
            stat = path.stat()
            signature.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(signature)


def split_front_matter(source: str) -> tuple[dict, str, int]:
    """Return (front matter, body, line number of the body's first line).

    Raises ValueError with a Dutch message when the front matter is missing or not YAML.
    """
    match = FRONT_MATTER.match(source)
    if not match:
        raise ValueError("het bestand begint niet met front matter tussen twee regels '---'")
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise FrontMatterError(line, f"de front matter is geen geldige YAML: {error}") from None
    if not isinstance(data, dict):
        raise ValueError("de front matter moet uit 'naam: waarde'-regels bestaan")
    body_line = match.group(0).count("\n") + 1
    return data, source[match.end() :], body_line


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def line_of_key(source: str, key: str) -> int:
    """The line of `key:` in the front matter (1 when it is not there)."""
    for number, line in enumerate(source.splitlines()[:200], start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


__all__ = [
    "ContentStore",
    "FrontMatter",
    "FrontMatterError",
    "Heading",
    "Item",
    "KINDS",
    "Problem",
    "Snapshot",
    "ValidationError",
    "digest",
    "line_of_key",
    "split_front_matter",
]
