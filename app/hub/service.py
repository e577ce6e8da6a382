"""Questions about the published content: what is visible, lists, filters and related items."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import TypedDict

from flask import Flask

from app.content import store as content
from app.content.site import SiteInfo
from app.content.store import Source
from app.core.formatting import today
from app.core.pagination import Page, paginate
from app.hub.checks import SiteRoutes
from app.hub.content import PATTERNS, Item, Snapshot
from app.hub.markdown import build_snapshot

PER_PAGE = 12
RELATED_WEIGHTS = {"tags": 80, "topics": 60, "audience": 30}
RELATED_THRESHOLD = 80
RELATED_LIMIT = 4
# A tag page with fewer items says nothing its one article does not: search engines skip it.
MIN_TAG_ITEMS = 2


SOURCE = "hub"
# In the instance folder: what was rendered of the hub's files, for the next process.
RENDERED_FILE = "hub-rendered.json"


class HomeSections(TypedDict):
    featured: list[Item]
    latest: list[Item]
    videos: list[Item]


def content_source(app: Flask) -> Source:
    """The hub's articles, videos and pages, with links checked against the app's routes."""

    def build(content_dir: Path, site: SiteInfo) -> Snapshot:
        files = sorted(
            {p for pattern in PATTERNS for p in content_dir.glob(pattern) if p.is_file()}
        )
        rendered = Path(app.config["INSTANCE_DIR"]) / RENDERED_FILE
        return build_snapshot(content_dir, site, files, SiteRoutes.for_app(app), rendered)

    return Source(SOURCE, PATTERNS, build, key=lambda: SiteRoutes.for_app(app).fingerprint())


def snapshot() -> Snapshot:
    return content.store().get(SOURCE)


def visible(kind: str | None = None, *, on: date | None = None) -> list[Item]:
    """Published items (optionally of one kind), newest first; drafts, scheduled and expired
    items are left out."""
    on = on or today()
    current = snapshot()

    def compute() -> list[Item]:
        items = [i for i in current.items if i.is_public(on) and (kind is None or i.kind == kind)]
        return sorted(items, key=lambda i: (i.meta.published, i.title), reverse=True)

    return list(current.remember(("visible", kind, on), compute))


def find(kind: str, slug: str, *, preview: bool = False) -> Item | None:
    """The item at `slug`; hidden items only when `preview` (an editor is looking)."""
    item = snapshot().by_key.get((kind, slug))
    if item is None or not (preview or item.is_public(today())):
        return None
    return item


def alias_target(kind: str, slug: str) -> str | None:
    """The current slug for an old one, when the target is visible."""
    target = snapshot().aliases.get((kind, slug))
    return target if target and find(kind, target) else None


def articles_page(*, topic: str | None, tag: str | None, number: int) -> Page[Item]:
    """Articles filtered by topic and tag, newest first, one page of them."""
    items = visible("article")
    if topic:
        items = [i for i in items if topic in i.meta.topics]
    if tag:
        items = [i for i in items if tag in i.meta.tags]
    return paginate(items, number, PER_PAGE)


def tag_counts(items: list[Item], limit: int = 20) -> list[tuple[str, int]]:
    """The most used tags among `items` (ties alphabetical)."""
    counts = Counter(tag for item in items for tag in item.meta.tags)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def indexable_tags(items: list[Item]) -> list[str]:
    """The tags of `items` (articles and videos) that have a page worth indexing."""
    counts = Counter(tag for item in items if item.kind != "page" for tag in item.meta.tags)
    return sorted(tag for tag, n in counts.items() if n >= MIN_TAG_ITEMS)


def related(item: Item, *, limit: int = RELATED_LIMIT) -> list[Item]:
    """Articles and videos that share tags, topics and audience with `item`, scored by weighted
    overlap; below the threshold nothing is shown. Ties: newest first, then title."""
    return snapshot().remember(
        ("related", item.kind, item.slug, today(), limit), lambda: _related(item, limit)
    )


def _related(item: Item, limit: int) -> list[Item]:
    scored = []
    for other in visible():
        if other is item or other.kind == "page":
            continue
        score = sum(
            weight * len(set(getattr(item.meta, name)) & set(getattr(other.meta, name)))
            for name, weight in RELATED_WEIGHTS.items()
        )
        if score >= RELATED_THRESHOLD:
            scored.append((score, other))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].meta.published.toordinal(), pair[1].title))
    return [other for _, other in scored[:limit]]


def home_sections() -> HomeSections:
    """Featured items (up to three) and the latest articles not already featured."""
    articles = visible("article")
    featured = [i for i in visible() if i.meta.featured and i.kind != "page"][:3]
    latest = [i for i in articles if i not in featured][:6]
    return {"featured": featured, "latest": latest, "videos": visible("video")[:3]}
