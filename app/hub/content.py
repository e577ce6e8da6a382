"""The hub's content model: articles, videos and pages as Markdown files with YAML front matter.

Editors commit files to `content/artikelen`, `content/videos` and `content/paginas`. The hub's
content source (see `app.content.store`) parses them all and renders their Markdown; the store
builds that again when a file changes. A file that cannot be read or breaks a rule is skipped
and logged; `flask content check` reports it with its line number, and the rest of the site
keeps working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.content.files import SLUG_PATTERN, Problem

KINDS = {"artikelen": "article", "videos": "video", "paginas": "page"}
PATTERNS = tuple(f"{folder}/*.md" for folder in KINDS)


DURATION_PATTERN = r"^(\d+:)?\d{1,2}:\d{2}$"


class YoutubeVideo(BaseModel):
    """A video on YouTube, loaded from youtube-nocookie.com only after the visitor clicks."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["youtube"]
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{11}$")
    duration: str = Field(pattern=DURATION_PATTERN)
    transcript: str = Field(min_length=50)


class Slide(BaseModel):
    """One slide of a video made here: what is shown, and what the voice says meanwhile."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=60)
    lines: list[str] = Field(min_length=1, max_length=3)
    spoken: str


class LocalVideo(BaseModel):
    """A video made here from slides (`tools/make_videos.py`) and served by this site, with
    captions; the spoken text of the slides is the transcript. `duration` is written by the
    tool."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["local"]
    duration: str | None = Field(default=None, pattern=DURATION_PATTERN)
    slides: list[Slide] = Field(min_length=1)

    @property
    def transcript(self) -> str:
        return "\n\n".join(s.spoken.strip() for s in self.slides if s.spoken.strip())


VideoBlock = Annotated[YoutubeVideo | LocalVideo, Field(discriminator="provider")]


class FrontMatter(BaseModel):
    """The fields an editor may write; anything else is a mistake worth reporting."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=400)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    topics: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    # How caregivers ask for what the page answers, in their own words: search and the
    # assistant match a question against these as well as against the text (never shown).
    questions: list[str] = Field(default_factory=list, max_length=20)
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

    @field_validator("questions")
    @classmethod
    def _questions(cls, values: list[str]) -> list[str]:
        for value in values:
            if not 3 <= len(value.strip()) <= 200:
                raise ValueError(f"'{value}': een vraag heeft 3 tot 200 tekens")
        return [value.strip() for value in values]

    @field_validator("tags", "aliases")
    @classmethod
    def _slug_like(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(SLUG_PATTERN, value):
                raise ValueError(f"'{value}' moet uit kleine letters, cijfers en streepjes bestaan")
        return values


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

    def remember(self, key: tuple, compute):
        """Answers derived from this snapshot (e.g. the visible list of a day), computed once."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


__all__ = [
    "KINDS",
    "PATTERNS",
    "FrontMatter",
    "Heading",
    "Item",
    "LocalVideo",
    "Slide",
    "Snapshot",
    "YoutubeVideo",
]
