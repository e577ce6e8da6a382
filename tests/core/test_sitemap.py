"""The sitemap lists every public page the features register: the hub, the shop and its
products, the privacy and cookie statements; tag pages only when they hold two items or more."""

from __future__ import annotations

import re
from collections import Counter

from app.core.sitemap import Entry, add_pages
from app.hub import service


def locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return re.findall(r"<loc>http://localhost([^<]*)</loc>", response.get_data(as_text=True))


def test_the_sitemap_holds_the_shop_its_products_and_the_statements(client):
    paths = locations(client)
    for path in ("/", "/artikelen/", "/videos/", "/onderwerpen/", "/onderwerpen/zorg"):
        assert path in paths
    for path in ("/winkel", "/privacy-verklaring", "/cookies", "/artikelen/respijtzorg"):
        assert path in paths
    products = [p for p in paths if p.startswith("/winkel/")]
    assert len(products) >= 20
    assert [p for p, n in Counter(paths).items() if n > 1] == []


def test_every_address_in_the_sitemap_is_a_page_worth_indexing(client):
    for path in locations(client):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert 'name="robots"' not in page, path


def test_tag_pages_are_listed_only_with_two_items_or_more(client):
    paths = locations(client)
    tags = [p for p in paths if p.startswith("/tags/")]
    assert tags
    with client.application.test_request_context():
        counts = Counter(t for i in service.visible() if i.kind != "page" for t in i.meta.tags)
    thin = [t for t, n in counts.items() if n < 2]
    assert thin, "the starter content has tags with one article"
    assert all(f"/tags/{t}" not in paths for t in thin)
    assert sorted(tags) == sorted(f"/tags/{t}" for t, n in counts.items() if n >= 2)
    # Few tags, many pages: the sitemap is about the content, not the tags.
    assert len(tags) < len(paths) / 2


def test_a_thin_tag_page_asks_not_to_be_indexed_and_a_full_one_does_not(client):
    with client.application.test_request_context():
        counts = Counter(t for i in service.visible() if i.kind != "page" for t in i.meta.tags)
    thin = next(t for t, n in counts.items() if n == 1)
    full = next(t for t, n in counts.items() if n >= 2)
    assert '<meta name="robots" content="noindex, follow">' in client.get(f"/tags/{thin}").get_data(
        as_text=True
    )
    assert 'name="robots"' not in client.get(f"/tags/{full}").get_data(as_text=True)


def test_a_feature_adds_its_pages_by_registering_them(app, client):
    add_pages(app, lambda: [Entry("/nieuw-onderdeel"), Entry("/winkel")])
    paths = locations(client)
    assert "/nieuw-onderdeel" in paths
    assert paths.count("/winkel") == 1
