"""Machine-readable views of the hub: the Atom feed and robots.txt (their addresses are added to
the hub's blueprint in `routes`), and the hub's pages for the sitemap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask import Response, current_app, render_template, url_for

from app.content import store as content
from app.core.pagecache import cached_page
from app.core.sitemap import Entry
from app.hub import service

FEED_SIZE = 20
FEED_EPOCH = date(2026, 1, 1)  # an empty feed's <updated>


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path


@cached_page
def feed():
    """The newest articles and videos as an Atom feed."""
    items = [i for i in service.visible() if i.kind != "page"][:FEED_SIZE]
    # The feed changed when its most recently changed entry did (not only its newest one).
    updated = max((i.last_changed for i in items), default=FEED_EPOCH)
    xml = render_template("hub/feed.xml", items=items, updated=updated, absolute=_absolute)
    return Response(xml, mimetype="application/atom+xml")


def sitemap_pages() -> Iterator[Entry]:
    """The hub's public pages: the lists, the topics, every visible article, video and page,
    and the tags with enough items to be worth a visit (thin ones are `noindex`)."""
    for endpoint in ("hub.home", "hub.articles", "hub.videos", "hub.topics"):
        yield Entry(url_for(endpoint))
    for topic in content.site().topics:
        yield Entry(url_for("hub.topic", topic=topic.slug))
    items = service.visible()
    endpoints = {"article": "hub.article", "video": "hub.video", "page": "hub.page"}
    for item in items:
        yield Entry(url_for(endpoints[item.kind], slug=item.slug), item.last_changed)
    for tag in service.indexable_tags(items):
        yield Entry(url_for("hub.tag", tag=tag))


@cached_page
def robots():
    """Crawlers may read the hub, not the accounts or back office."""
    lines = [
        "User-agent: *",
        "Disallow: /account",
        "Disallow: /redactie",
        "Disallow: /inloggen",
        "Disallow: /registreren",
        "Disallow: /wachtwoord-",
        "Disallow: /bevestigen/",
        "",
        f"Sitemap: {_absolute(url_for('core.sitemap'))}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
