"""The whole search page is its results in a page that is the same for every query (the header,
the form, the footer): that page is rendered once and kept; every request fills in its own
words and results. What a visitor gets is exactly what rendering the whole page gives."""

from __future__ import annotations

import re

from app.accounts.models import Role
from tests.hub.test_shared_pages import logged_in, token

ASKED = [
    {"q": "respijtzorg"},
    {"q": "respijtzorg", "soort": "article"},
    {"q": "zorg", "onderwerp": "werk"},
    {"q": "zorg", "onderwerp": "niet-bestaand"},
    {"q": "zorg", "pagina": "2"},
    {"q": "mantelzrg"},  # corrected
    {"q": "qqqxyz"},  # nothing found
    {"q": "a\"<b>&'x </title><script>alert(1)</script>"},
    {"q": "ik wil er niet meer zijn"},  # the crisis lines first
    {"q": "zorg\u00e9 \u2603 \U0001f600"},
    {"q": ""},
    {},
    {"soort": "video"},
]


def both(app, visitor, query_string: dict) -> tuple[str, str]:
    """The page from the kept page around it, and the page rendered whole, for one visitor."""
    app.config["PAGE_CACHE"] = True
    kept = visitor.get("/zoeken", query_string=query_string)
    app.config["PAGE_CACHE"] = False
    whole = visitor.get("/zoeken", query_string=query_string)
    app.config["PAGE_CACHE"] = True
    assert kept.status_code == whole.status_code == 200
    return kept.get_data(as_text=True), whole.get_data(as_text=True)


def test_a_visitor_gets_the_page_rendering_it_whole_gives(app, client):
    # Every page is asked after the others, so each comes from what another query left; the
    # first time made as any page, the second made to be kept, the third from memory.
    for query_string in ASKED + ASKED + ASKED:
        kept, whole = both(app, client, query_string)
        assert kept == whole, query_string
        assert "\x00" not in kept


def test_someone_logged_in_gets_the_page_rendering_it_whole_gives(app, make_user):
    visitor, _ = logged_in(app, make_user, name="Anna Zoeker")
    for query_string in ASKED + ASKED:
        kept, whole = both(app, visitor, query_string)
        assert kept == whole, query_string
        assert "Uitloggen" in kept and token(kept)


def test_the_page_around_the_results_is_rendered_once_for_every_query(app, client, renders):
    for query in ("respijtzorg", "dementie", "pgb", "wmo aanvragen"):
        html = client.get("/zoeken", query_string={"q": query}).get_data(as_text=True)
        assert f'value="{query}"' in html
        assert f"<title>Zoeken: {query} |" in html
        assert re.search(r"\d+ resultaten? voor ‘", html)
    assert renders.count("search/_results.html") == 4
    assert renders.count("search/search.html") == 1


def test_a_search_is_kept_from_the_second_time_it_is_asked(app, renders):
    visitor = app.test_client()
    visitor.set_cookie("session", "none")  # not answered by the layer in front (front.py)
    visitor.get("/zoeken?q=dementie")  # the content read and indexed, which changes the key once

    def made(address: str) -> int:
        renders.clear()
        page = visitor.get(address).get_data(as_text=True)
        assert "\x00" not in page and "<h1" in page
        pages.append(page)
        return renders.count("search/_results.html")

    def kept(address: str) -> int:
        entries = app.extensions["pagecache"].entries
        return sum(key[0].rstrip("?") == address for key in entries)  # a key has "/zoeken?"

    pages: list[str] = []
    address = "/zoeken?q=respijtzorg"
    # Asked once: made as any page and not kept; asked again: made and kept; then from memory.
    assert (made(address), kept(address)) == (1, 0)
    assert (made(address), kept(address)) == (1, 1)
    assert (made(address), kept(address)) == (0, 1)
    assert pages[0] == pages[1] == pages[2]
    # A page without a query is kept the first time.
    assert (made("/zoeken"), kept("/zoeken")) == (1, 1)
    assert (made("/zoeken"), kept("/zoeken")) == (0, 1)


def test_the_words_searched_are_escaped_where_the_page_shows_them(client):
    html = client.get("/zoeken", query_string={"q": '"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x" not in html
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert "<title>Zoeken: &#34;&gt;&lt;script&gt;x&lt;/script&gt; |" in html


def test_two_people_share_the_page_but_each_gets_her_own_header(app, make_user):
    first, _ = logged_in(app, make_user, name="Anna Eerste", email="anna@example.nl")
    second, _ = logged_in(app, make_user, role=Role.STAFF, name="Bea Staf", email="bea@example.nl")
    third, _ = logged_in(app, make_user, name="Cor Derde", email="cor@example.nl")
    pages = [v.get("/zoeken?q=respijtzorg").get_data(as_text=True) for v in (first, second, third)]
    assert len({token(page) for page in pages}) == 3
    assert "Anna" not in pages[2] and "Cor" not in pages[0]
    # The staff member's menu is not the caregivers'.
    assert pages[0].replace(token(pages[0]), "") == pages[2].replace(token(pages[2]), "")
    assert pages[1].replace(token(pages[1]), "") != pages[0].replace(token(pages[0]), "")
