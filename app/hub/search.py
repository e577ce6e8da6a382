"""What the hub gives to search: every published article, video and page."""

from __future__ import annotations

from app.content import store as content
from app.hub import service
from app.hub.markdown import url_for_item
from app.search.engine import SearchDocument


def documents() -> list[SearchDocument]:
    site = content.site()
    docs = []
    for item in service.visible():
        # Topic names count as tags, so "financiën" finds what is filed under that topic.
        labels = tuple(t.label.lower() for slug in item.meta.topics if (t := site.topic(slug)))
        body = item.text
        if item.meta.video:
            body += "\n" + item.meta.video.transcript
        docs.append(
            SearchDocument(
                kind=item.kind,
                slug=item.slug,
                url=url_for_item(item.kind, item.slug),
                title=item.title,
                summary=item.meta.summary,
                body=body,
                tags=(*item.meta.tags, *labels),
                questions=tuple(item.meta.questions),
                topics=tuple(item.meta.topics),
                published=item.meta.published,
            )
        )
    return docs


def version() -> tuple:
    """Changes when a content file changes or a new day may publish or expire something."""
    return (content.store().version(), service.today())
