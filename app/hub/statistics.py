"""The hub's part in the statistics: the words a search may be counted as (its topics and the
tags of its articles and videos) and the topics of its pages."""

from __future__ import annotations

from app.content import store as content
from app.core.statistics import Vocabulary, Word
from app.hub import service

ADDRESSES = {"article": "/artikelen/{}", "video": "/videos/{}"}


def vocabulary() -> Vocabulary:
    """Topics, tags (each with the topics of the items that carry it) and page paths."""
    site = content.site()
    tags: dict[str, set[str]] = {}
    paths: dict[str, frozenset[str]] = {}
    for item in service.visible():
        topics = frozenset(item.meta.topics)
        for tag in item.meta.tags:
            tags.setdefault(tag, set()).update(topics)
        if item.kind in ADDRESSES:
            paths[ADDRESSES[item.kind].format(item.slug)] = topics
    for topic in site.topics:
        paths[f"/onderwerpen/{topic.slug}"] = frozenset({topic.slug})
    words = [Word(tag, frozenset(topics)) for tag, topics in sorted(tags.items())]
    words += [Word(t.slug, frozenset({t.slug})) for t in site.topics if t.slug not in tags]
    return Vocabulary(
        words=tuple(words),
        topic_labels={t.slug: t.label for t in site.topics},
        path_topics=paths,
    )
