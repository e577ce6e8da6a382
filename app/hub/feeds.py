"""Machine-readable views of the hub: the Atom feed, the sitemap and robots.txt (their addresses
are added to the hub's blueprint in `routes`)."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, render_template, url_for

from app.content import store as content
from app.core.pagecache import cached_page
from app.hub import service

FEED_SIZE = 20


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path


@cached_page
def feed():
    """The newest articles and videos as an Atom feed."""
    items = [i for i in service.visible() if i.kind != "page"][:FEED_SIZE]
    xml = render_template("hub/feed.xml", items=items, absolute=_absolute)
    return Response(xml, mimetype="application/atom+xml")


@cached_page
def sitemap():
    """Every public page, with its last change, for search engines."""
    site = content.site()
    entries: list[tuple[str, date | None]] = [
        (url_for("hub.home"), None),
        (url_for("hub.articles"), None),
        (url_for("hub.videos"), None),
        (url_for("hub.topics"), None),
    ]
    entries += [(url_for("hub.topic", topic=t.slug), None) for t in site.topics]
    items = service.visible()
    endpoint = {"article": "hub.article", "video": "hub.video", "page": "hub.page"}
    entries += [(url_for(endpoint[i.kind], slug=i.slug), i.last_changed) for i in items]
    entries += [(url_for("hub.tag", tag=t), None) for t, _ in service.tag_counts(items, limit=1000)]
    xml = render_template("hub/sitemap.xml", entries=entries, absolute=_absolute)
    return Response(xml, mimetype="application/xml")


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
        f"Sitemap: {_absolute(url_for('hub.sitemap'))}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
