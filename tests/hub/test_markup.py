"""Markup the HTML checker and screen readers trip over: skipped heading levels on topic and tag
pages, an id used twice, a label on an element without a role, breadcrumbs without their
component's classes, and a feed whose <updated> is older than one of its entries."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_html_valid import outline, skipped_levels


def html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_topic_and_tag_pages_go_from_h1_to_h2(hub, content):
    for number in range(3):
        content.write(f"artikelen/a{number}.md", title=f"Artikel {number}", tags=["wmo"])
    for path in ("/onderwerpen/zorg", "/tags/wmo"):
        page = html(hub.get(path))
        levels = outline(page).levels
        after_title = levels[levels.index(1) :]
        assert after_title[:2] == [1, 2], (path, levels)
        assert skipped_levels(page) == [], path


def test_no_heading_in_an_article_takes_an_id_of_the_page_around_it(hub, content):
    """Whatever an editor calls a section ("Inhoud", "Lees ook", ...), its id is not one the
    templates already use (a second `inhoud` would break the skip link)."""
    content.write("artikelen/b.md", title="Artikel b", tags=["wmo"])
    content.write("artikelen/a.md", title="Artikel a", tags=["wmo"])
    frame = outline(html(hub.get("/artikelen/a"))).ids
    assert {"inhoud", "lees-ook", "artikel-titel"} <= set(frame)
    body = "Tekst.\n\n" + "".join(f"## {i.replace('-', ' ')}\n\nMeer.\n\n" for i in frame)
    content.write("artikelen/a.md", title="Artikel a", tags=["wmo"], body=body)
    page = html(hub.get("/artikelen/a"))
    assert 'aria-labelledby="lees-ook"' in page  # the related articles are shown
    ids = outline(page).ids
    assert len(ids) > len(frame)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert 'href="#inhoud"' in page and 'id="inhoud-1"' in page


def test_no_plain_div_or_span_carries_a_label(hub, content):
    content.write("artikelen/a.md")
    for path in ("/artikelen/", "/artikelen/a", "/onderwerpen/zorg"):
        page = html(hub.get(path))
        labelled = re.findall(r"<(?:div|span)\b[^>]*\baria-label(?:ledby)?=[^>]*>", page)
        assert [tag for tag in labelled if "role=" not in tag] == [], path


def test_breadcrumbs_use_the_components_markup_and_theme(hub, content):
    content.write("artikelen/a.md", title="Artikel a")
    page = html(hub.get("/artikelen/a"))
    found = re.search(r'<nav class="utrecht-breadcrumb-nav[^"]*".*?</nav>', page, re.DOTALL)
    assert found
    nav = found.group(0)
    assert "utrecht-breadcrumb-nav__list--html-ol" in nav
    assert 'class="utrecht-breadcrumb-nav__link utrecht-breadcrumb-nav__link--first' in nav
    assert re.search(
        r'class="utrecht-breadcrumb-nav__link utrecht-breadcrumb-nav__link--current"'
        r' aria-current="page">Artikel a<',
        nav,
    )
    theme = Path(hub.application.static_folder, "css", "theme.css").read_text()
    for token in ("link-color", "link-focus-background-color", "min-block-size"):
        assert f"--utrecht-breadcrumb-nav-{token}:" in theme


def test_the_feed_is_updated_when_its_latest_change_was(hub, content):
    content.write("artikelen/nieuw.md", title="Nieuw", published="2026-03-01")
    content.write("artikelen/oud.md", title="Oud", published="2026-01-01", updated="2026-04-15")
    feed = html(hub.get("/feed.xml"))
    entries = re.findall(r"<entry>.*?<updated>([^<]+)</updated>", feed, re.DOTALL)
    newest = re.search(r"<updated>([^<]+)</updated>", feed)
    assert newest
    feed_updated = newest.group(1)
    assert feed_updated == max(entries) == "2026-04-15T00:00:00Z"
