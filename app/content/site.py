"""The organisation's identity, topics and audience tags, read from `content/site.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Organisation:
    name: str
    legal_name: str
    kvk: str
    street: str
    postcode: str
    city: str
    country: str
    email: str
    privacy_email: str
    feedback_email: str
    helpline: str
    helpline_hours: str
    tagline: str
    vat_number: str = ""

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"

    @property
    def helpline_tel(self) -> str:
        """The helpline number in `tel:` form (+31, digits only)."""
        digits = "".join(ch for ch in self.helpline if ch.isdigit())
        return "+31" + digits[1:] if digits.startswith("0") else digits


@dataclass(frozen=True)
class Topic:
    slug: str
    label: str
    description: str
    main: bool


@dataclass(frozen=True)
class AudienceTag:
    slug: str
    label: str
    health: bool


@dataclass(frozen=True)
class SiteInfo:
    organisation: Organisation
    topics: tuple[Topic, ...]
    audience: dict[str, AudienceTag]
    tag_labels: dict[str, str] = field(default_factory=dict)

    @property
    def main_topics(self) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics if t.main)

    def topic(self, slug: str) -> Topic | None:
        return self.topics_by_slug.get(slug)

    @cached_property
    def topics_by_slug(self) -> dict[str, Topic]:
        # Asked for every topic of every result and card on a page: a look-up, not a search.
        return {t.slug: t for t in self.topics}

    def tag_label(self, slug: str) -> str:
        """A tag as people read it: its display form from `[tags]`, else the slug with spaces."""
        return self.tag_labels.get(slug) or slug.replace("-", " ")

    @property
    def topic_slugs(self) -> frozenset[str]:
        return frozenset(t.slug for t in self.topics)


def load_site(content_dir: Path) -> SiteInfo:
    """Parse `site.toml`; a missing or broken file is a start-up error, not a silent default."""
    data = tomllib.loads((content_dir / "site.toml").read_text(encoding="utf-8"))
    organisation = Organisation(**data["organisation"])
    topics = tuple(Topic(**t) for t in data["topics"])
    audience = {
        slug: AudienceTag(slug=slug, label=v["label"], health=bool(v.get("health", False)))
        for slug, v in data.get("audience", {}).items()
    }
    tag_labels = {str(slug): str(label) for slug, label in data.get("tags", {}).items()}
    return SiteInfo(
        organisation=organisation, topics=topics, audience=audience, tag_labels=tag_labels
    )
