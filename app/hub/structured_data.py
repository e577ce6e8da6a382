"""schema.org data for the hub's articles (see `app.core.structured_data`)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.content import store as content
from app.core.structured_data import absolute, publisher, share_image, static_image
from app.hub.content import Item


def image(item: Item) -> str:
    """The picture to show when the item is shared: its own when it has a raster image."""
    return static_image(item.meta.image) or share_image()


def article(item: Item) -> dict[str, Any]:
    """An Article: headline, summary, dates, the editors as author, the site as publisher."""
    site = content.site()
    data: dict[str, Any] = {
        "@type": "Article",
        "headline": item.title,
        "description": item.meta.summary,
        "datePublished": item.meta.published.isoformat(),
        "dateModified": item.last_changed.isoformat(),
        "author": {"@type": "Organization", "name": item.meta.author},
        "publisher": publisher(),
        "image": [image(item)],
        "inLanguage": "nl-NL",
        "mainEntityOfPage": absolute(url_for("hub.article", slug=item.slug)),
        "wordCount": item.words,
    }
    sections = [t.label for t in map(site.topic, item.meta.topics) if t is not None]
    if sections:
        data["articleSection"] = sections
    if item.meta.tags:
        data["keywords"] = ", ".join(map(site.tag_label, item.meta.tags))
    return data
