"""schema.org data for the hub's articles and videos (see `app.core.structured_data`)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.content import store as content
from app.core.structured_data import absolute, publisher, share_image, static_image
from app.hub.content import Item, LocalVideo
from app.hub.video_files import iso_duration, media_files


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


def video(item: Item) -> dict[str, Any]:
    """A VideoObject: name, summary, picture, date, length and transcript, and for a video made
    here the file itself. One on YouTube is described by its page: its player's address is left
    out, so that nothing on the page names YouTube before the visitor chooses to play."""
    block = item.meta.video
    if block is None:
        raise ValueError(f"{item.rel_path} is not a video")
    data: dict[str, Any] = {
        "@type": "VideoObject",
        "name": item.title,
        "description": item.meta.summary,
        "uploadDate": item.meta.published.isoformat(),
        "inLanguage": "nl-NL",
        "publisher": publisher(),
        "transcript": block.transcript,
    }
    if isinstance(block, LocalVideo):
        files = media_files(item.slug)
        data["thumbnailUrl"] = [absolute(url_for("static", filename=files.poster))]
        data["contentUrl"] = absolute(url_for("static", filename=files.mp4))
    else:
        data["thumbnailUrl"] = [image(item)]
        data["url"] = absolute(url_for("hub.video", slug=item.slug))
    if block.duration:
        data["duration"] = iso_duration(block.duration)
    return data
