"""The information hub as visitors and editors see it (H1–H5)."""

import re
from datetime import date, timedelta

import pytest

from app.accounts.models import Role
from app.hub.service import today
from tests.conftest import DEFAULT_PASSWORD, htmx_headers


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def mixed(content):
    """One public article, and one each that is draft, scheduled and expired."""
    future = (today() + timedelta(days=10)).isoformat()
    past = (today() - timedelta(days=1)).isoformat()
    content.write("artikelen/zichtbaar.md", title="Zichtbaar artikel")
    content.write("artikelen/concept.md", title="Concept artikel", draft=True)
    content.write("artikelen/gepland.md", title="Gepland artikel", published=future)
    content.write(
        "artikelen/verlopen.md", title="Verlopen artikel", published="2025-01-01", expires=past
    )
    return content


HIDDEN = ("concept", "gepland", "verlopen")


@pytest.mark.parametrize("slug", HIDDEN)
def test_hidden_items_are_404_for_visitors(hub, mixed, slug):
    assert hub.get(f"/artikelen/{slug}").status_code == 404


def test_hidden_items_are_in_no_list_feed_or_sitemap(hub, mixed):
    for path in (
        "/",
        "/artikelen/",
        "/onderwerpen/zorg",
        "/tags/respijtzorg",
        "/feed.xml",
        "/sitemap.xml",
    ):
        page = html(hub.get(path))
        assert "zichtbaar" in page.lower(), path
        for slug in HIDDEN:
            assert f"/artikelen/{slug}" not in page, (path, slug)


def test_editor_previews_hidden_items_clearly_marked(hub, hub_app, mixed, make_user):
    make_user(role=Role.EDITOR, email="redactie@example.nl")
    hub.submit("/inloggen", {"email": "redactie@example.nl", "password": DEFAULT_PASSWORD})
    assert "Dit is een concept" in html(hub.get("/artikelen/concept"))
    assert "Dit verschijnt pas op" in html(hub.get("/artikelen/gepland"))
    assert "Dit is verlopen op" in html(hub.get("/artikelen/verlopen"))
    assert "Voorbeeld voor de redactie" not in html(hub.get("/artikelen/zichtbaar"))
    overview = html(hub.get("/redactie"))
    assert "concept" in overview and "ingepland" in overview and "verlopen" in overview


def test_caregiver_cannot_preview(hub, mixed, make_user):
    make_user(email="anna@example.nl")
    hub.submit("/inloggen", {"email": "anna@example.nl", "password": DEFAULT_PASSWORD})
    assert hub.get("/artikelen/concept").status_code == 404
    assert hub.get("/redactie").status_code == 403


def test_scheduled_article_appears_on_its_date(hub, content, time_machine):
    content.write("artikelen/straks.md", title="Straks", published="2026-12-01")
    time_machine.move_to("2026-11-30 12:00+01:00", tick=False)
    assert hub.get("/artikelen/straks").status_code == 404
    time_machine.move_to("2026-12-01 00:30+01:00", tick=False)
    assert hub.get("/artikelen/straks").status_code == 200


def test_alias_redirects_permanently(hub, content):
    content.write("artikelen/nieuwe-naam.md", aliases=["oude-naam", "nog-ouder"])
    response = hub.get("/artikelen/oude-naam")
    assert response.status_code == 301
    assert response.headers["Location"] == "/artikelen/nieuwe-naam"


def test_markdown_cannot_run_script(hub, content):
    body = (
        "<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[klik](javascript:alert(1))\n\n"
        '<a href="javascript:alert(2)">ook klik</a>\n\n'
        '<p style="color:red" onclick="alert(3)">tekst</p>\n\n'
        '<iframe src="https://kwaad.example"></iframe>\n'
    )
    content.write("artikelen/gevaarlijk.md", body=body)
    page = html(hub.get("/artikelen/gevaarlijk"))
    article = page[page.index('class="zg-prose"') :]
    assert "<script" not in article and "alert('x')" not in article
    assert "onerror" not in article and "onclick" not in article and "style=" not in article
    assert "javascript:" not in article
    assert "<iframe" not in article


def test_every_table_comes_in_a_box_that_scrolls_and_takes_focus(hub, content):
    body = (
        "| Regeling | Wie |\n|---|---|\n| Wmo | gemeente |\n\n"
        '<table onclick="alert(1)" tabindex="5"><tr><td>los</td></tr></table>\n'
    )
    content.write("artikelen/tabellen.md", body=body)
    page = html(hub.get("/artikelen/tabellen"))
    article = page[page.index('class="zg-prose"') :]
    box = '<div class="zg-table-wrap" role="region" aria-label="Tabel" tabindex="0"><table'
    assert article.count(box) == 2 and article.count("</table></div>") == 2
    assert "onclick" not in article and 'tabindex="5"' not in article


def test_relative_md_links_become_site_urls_and_external_links_get_noopener(hub, content):
    content.write("artikelen/doel.md", body="## Een kop\n\nTekst.\n")
    content.write("paginas/hulplijn.md", title="Hulplijn", topics=[])
    content.write(
        "artikelen/bron.md",
        body="[doel](doel.md#een-kop), [hulplijn](../paginas/hulplijn.md), [extern](https://www.rijksoverheid.nl/)\n",
    )
    page = html(hub.get("/artikelen/bron"))
    assert 'href="/artikelen/doel#een-kop"' in page
    assert 'href="/hulplijn"' in page
    assert re.search(r'<a href="https://www.rijksoverheid.nl/" rel="noopener">', page)


def test_article_page_has_toc_reading_time_dates_breadcrumbs_and_related(hub, content):
    body = "\n\n".join(f"## Deel {n}\n\n" + "woord " * 150 for n in range(1, 5))
    content.write(
        "artikelen/lang.md",
        title="Lang artikel",
        tags=["pgb", "wmo"],
        updated="2026-02-01",
        body=body,
    )
    content.write("artikelen/verwant.md", title="Verwant artikel", tags=["pgb"])
    content.write("artikelen/anders.md", title="Ander artikel", topics=["werk"], tags=["verlof"])
    page = html(hub.get("/artikelen/lang"))
    assert "In dit artikel" in page and 'href="#deel-3"' in page
    assert "3 minuten lezen" in page
    assert "10 januari 2026" in page and "bijgewerkt op" in page and "1 februari 2026" in page
    assert 'aria-label="Kruimelpad"' in page and ">Zorg</a>" in page
    related = page[page.index("Lees ook") :]
    assert "Verwant artikel" in related and "Ander artikel" not in related


def test_article_list_filters_by_topic_and_tag(hub, content):
    content.write("artikelen/a.md", title="Over wonen", topics=["wonen"], tags=["woning"])
    content.write("artikelen/b.md", title="Over werk", topics=["werk"], tags=["verlof"])
    page = html(hub.get("/artikelen/?onderwerp=wonen"))
    assert "Over wonen" in page and "Over werk" not in page
    page = html(hub.get("/artikelen/?tag=verlof"))
    assert "Over werk" in page and "Over wonen" not in page


def test_article_list_htmx_swaps_only_the_list(hub, content):
    content.write("artikelen/a.md", title="Over wonen", topics=["wonen"])
    fragment = html(hub.get("/artikelen/?onderwerp=wonen", headers=htmx_headers("artikelen-lijst")))
    assert fragment.lstrip().startswith('<section id="artikelen-lijst"')
    assert "<html" not in fragment and "Over wonen" in fragment
    full = hub.get(
        "/artikelen/?onderwerp=wonen", headers=htmx_headers("artikelen-lijst", restore=True)
    )
    assert "<html" in html(full)
    assert "HX-Request" in full.headers["Vary"]


@pytest.mark.parametrize(
    "query", ["pagina=-1", "pagina=99999", "pagina=abc", "onderwerp=bestaat-niet", "tag=%00%ff"]
)
def test_article_list_survives_odd_queries(hub, content, query):
    content.write("artikelen/a.md")
    assert hub.get(f"/artikelen/?{query}").status_code == 200


def test_pagination(hub, content):
    for n in range(15):
        content.write(
            f"artikelen/stuk-{n:02d}.md", title=f"Stuk {n:02d}", published=f"2026-01-{n + 1:02d}"
        )
    first = html(hub.get("/artikelen/"))
    second = html(hub.get("/artikelen/?pagina=2"))
    assert "Pagina 1 van 2" in first and "Stuk 14" in first and "Stuk 00" not in first
    assert "Stuk 00" in second and "Stuk 14" not in second


def test_topic_and_tag_pages(hub, content):
    content.write("artikelen/a.md", title="Over wonen", topics=["wonen"], tags=["woning"])
    assert "Over wonen" in html(hub.get("/onderwerpen/wonen"))
    assert hub.get("/onderwerpen/tuinieren").status_code == 404
    assert "Over wonen" in html(hub.get("/tags/woning"))
    assert hub.get("/tags/bestaat-niet").status_code == 404


def test_video_loads_nothing_from_youtube_before_the_click(hub, content):
    video = {
        "provider": "youtube",
        "id": "abcdefghijk",
        "duration": "3:10",
        "transcript": "Dit is wat er gezegd wordt. " * 5,
    }
    content.write("videos/film.md", title="Een film", video=video)
    before = hub.get("/videos/film")
    page = html(before)
    assert "<iframe" not in page and "youtube" not in page.split("zg-player__notice")[0].lower()
    assert "frame-src 'none'" in before.headers["Content-Security-Policy"]
    assert "Dit is wat er gezegd wordt." in page  # the transcript is on the page
    after = hub.get("/videos/film?afspelen=1")
    assert 'src="https://www.youtube-nocookie.com/embed/abcdefghijk' in html(after)
    assert "frame-src https://www.youtube-nocookie.com" in after.headers["Content-Security-Policy"]


def test_a_video_poster_shows_its_image_from_this_site(hub, content):
    transcript = "Dit is wat er gezegd wordt. " * 5
    video = {
        "provider": "youtube",
        "id": "abcdefghijk",
        "duration": "3:10",
        "transcript": transcript,
    }
    content.write(
        "videos/film.md", title="Een film", video=video, image="film.jpg", image_alt="Een keuken"
    )
    page = html(hub.get("/videos/film"))
    poster = page.split('class="zg-player__poster"')[1].split("</div>")[0]
    assert '<img class="zg-player__image" src="/static/img/film.jpg" alt="Een keuken">' in poster


def test_pages_show_the_organisation_details(hub, content):
    content.write("paginas/contact.md", title="Contact", topics=[])
    page = html(hub.get("/contact"))
    assert "info@zorggenoot.nl" in page and "085-4016867" in page and "92131530" in page


def test_feed_sitemap_robots(hub, content):
    content.write("artikelen/a.md", title="Over wonen & meer", updated="2026-02-02")
    feed = hub.get("/feed.xml")
    assert feed.mimetype == "application/atom+xml"
    assert "<title>Over wonen &amp; meer</title>" in html(feed)
    assert "<id>http://localhost/artikelen/a</id>" in html(feed)
    sitemap = html(hub.get("/sitemap.xml"))
    assert "<loc>http://localhost/artikelen/a</loc><lastmod>2026-02-02</lastmod>" in sitemap
    robots = html(hub.get("/robots.txt"))
    assert "Disallow: /account" in robots and "Sitemap: http://localhost/sitemap.xml" in robots


def test_canonical_and_open_graph(hub, content):
    content.write("artikelen/a.md", title="Over wonen", summary="Alles over wonen.")
    page = html(hub.get("/artikelen/a?utm_source=x"))
    assert '<link rel="canonical" href="http://localhost/artikelen/a">' in page
    assert '<meta property="og:title" content="Over wonen">' in page
    assert '<meta property="og:description" content="Alles over wonen.">' in page
    assert '<meta property="og:type" content="article">' in page


def test_a_bad_file_never_takes_the_site_down(hub, content, caplog):
    content.write("artikelen/goed.md", title="Goed artikel")
    content.write_raw("artikelen/kapot.md", "---\ntitle: [\n---\n")
    (content.root / "artikelen/binair.md").write_bytes(b"---\ntitle: x\n---\n\xff\xfe")  # not UTF-8
    assert "Goed artikel" in html(hub.get("/artikelen/"))
    assert hub.get("/artikelen/kapot").status_code == 404
    assert "artikelen/kapot.md" in caplog.text
    assert "artikelen/binair.md:1: het bestand kan niet worden gelezen" in caplog.text


def test_changed_files_are_picked_up(hub, content):
    content.write("artikelen/a.md", title="Eerste versie")
    assert "Eerste versie" in html(hub.get("/artikelen/a"))
    content.write("artikelen/a.md", title="Tweede versie, iets langer")
    assert "Tweede versie" in html(hub.get("/artikelen/a"))
    (content.root / "artikelen/a.md").unlink()
    assert hub.get("/artikelen/a").status_code == 404


def test_home_shows_featured_latest_topics_and_helpline(hub, content):
    content.write("artikelen/uitgelicht.md", title="Het uitgelichte stuk", featured=True)
    content.write(
        "artikelen/nieuw.md", title="Het nieuwste stuk", published=date.today().isoformat()
    )
    page = html(hub.get("/"))
    assert "Uitgelicht" in page and "Het uitgelichte stuk" in page
    assert "Nieuwste artikelen" in page and "Het nieuwste stuk" in page
    for topic in ("Wonen", "Zorg", "Financiën", "Juridische zaken"):
        assert topic in page
    assert "085-4016867" in page


def test_raw_html_links_get_noopener_too(hub, content):
    content.write(
        "artikelen/rauw.md",
        body='<p><a href="https://www.rijksoverheid.nl/" rel="opener">extern</a></p>\n',
    )
    page = html(hub.get("/artikelen/rauw"))
    assert '<a href="https://www.rijksoverheid.nl/" rel="noopener">extern</a>' in page
    assert 'rel="opener"' not in page


RICH = """## Wie doet wat

| Regeling | Wie beslist |
|---|---|
| Wmo | de gemeente |

Een zin met een voetnoot.[^bron]

!!! tip "Goed om te weten"
    Vraag om een keukentafelgesprek.

Een alinea met een eigen klasse.
{: .zg-let-op #let-op }

[^bron]: Volgens de Wet maatschappelijke ondersteuning 2015.
"""


def test_tables_footnotes_admonitions_and_attribute_lists_render(hub, content):
    content.write("artikelen/rijk.md", body=RICH)
    page = html(hub.get("/artikelen/rijk"))
    prose = page[page.index('class="zg-prose"') :]
    assert "<th>Regeling</th>" in prose and "<td>de gemeente</td>" in prose
    assert '<sup id="fnref:bron"><a class="footnote-ref" href="#fn:bron"' in prose
    assert '<li id="fn:bron">' in prose and "Wet maatschappelijke ondersteuning" in prose
    assert 'title="Terug naar voetnoot 1 in de tekst"' in prose
    assert '<div class="admonition tip">' in prose
    assert '<p class="admonition-title">Goed om te weten</p>' in prose
    assert '<p class="zg-let-op" id="let-op">Een alinea met een eigen klasse.</p>' in prose


def test_home_has_the_search_box(hub, content):
    content.write("artikelen/a.md")
    page = html(hub.get("/"))
    form = re.search(r'<form class="zg-search" role="search" method="get" action="([^"]+)">', page)
    assert form and form.group(1) == "/zoeken"
    assert re.search(r'<input[^>]*type="search"[^>]*name="q"', page)
    assert '<label class="utrecht-form-label" for="home-zoek">' in page


def chip(page: str, id_: str) -> str:
    """The opening tag of the filter link with this id."""
    match = re.search(rf'<a class="zg-chip" id="{id_}"[^>]*>', page)
    assert match, id_
    return match.group(0)


def test_htmx_filter_answer_brings_filters_that_match_the_list(hub, content):
    content.write("artikelen/a.md", title="Wonen met wmo", topics=["wonen"], tags=["wmo"])
    content.write("artikelen/b.md", title="Wonen zonder", topics=["wonen"], tags=["woning"])
    content.write("artikelen/c.md", title="Zorg met wmo", topics=["zorg"], tags=["wmo"])

    # Click a topic: the list and, out of band, both chip lists.
    fragment = html(hub.get("/artikelen/?onderwerp=wonen", headers=htmx_headers("artikelen-lijst")))
    assert "<html" not in fragment
    for list_id in ("onderwerp-filters", "tag-filters"):
        expected = f'<ul id="{list_id}" class="zg-chips" role="list" data-hx-swap-oob="true">'
        assert expected in fragment
    assert 'aria-current="true"' in chip(fragment, "filter-onderwerp-wonen")
    assert "aria-current" not in chip(fragment, "filter-onderwerp-alle")
    wmo = chip(fragment, "filter-tag-wmo")
    assert 'href="/artikelen/?onderwerp=wonen&amp;tag=wmo"' in wmo
    assert 'data-hx-get="/artikelen/?onderwerp=wonen&amp;tag=wmo"' in wmo

    # Then a tag: both filters hold, in the list and in the links.
    fragment = html(
        hub.get("/artikelen/?onderwerp=wonen&tag=wmo", headers=htmx_headers("artikelen-lijst"))
    )
    listing = fragment[: fragment.index('id="onderwerp-filters"')]
    assert "Wonen met wmo" in listing
    assert "Wonen zonder" not in listing and "Zorg met wmo" not in listing
    assert "1 artikel over wonen met tag ‘Wmo’" in listing
    assert 'aria-current="true"' in chip(fragment, "filter-tag-wmo")
    assert 'href="/artikelen/?onderwerp=zorg&amp;tag=wmo"' in chip(
        fragment, "filter-onderwerp-zorg"
    )
    assert 'href="/artikelen/?onderwerp=wonen"' in chip(fragment, "filter-tag-alle")

    # The whole page (no JavaScript) has the same links, but nothing out of band.
    page = html(hub.get("/artikelen/?onderwerp=wonen&tag=wmo"))
    assert "data-hx-swap-oob" not in page
    assert chip(page, "filter-tag-wmo") == chip(fragment, "filter-tag-wmo")
    assert chip(page, "filter-onderwerp-zorg") == chip(fragment, "filter-onderwerp-zorg")


def test_tags_are_shown_as_words_not_slugs(hub, content):
    """A tag's address stays its slug; people read its display form (`[tags]` in site.toml),
    or the slug with spaces."""
    content.write(
        "artikelen/a.md",
        title="Verlof",
        tags=["wet-arbeid-en-zorg", "clientondersteuning", "gebruikelijke-hulp"],
    )
    page = html(hub.get("/artikelen/a"))
    assert 'href="/tags/wet-arbeid-en-zorg">Wet arbeid en zorg</a>' in page
    assert 'href="/tags/clientondersteuning">cliëntondersteuning</a>' in page
    assert 'href="/tags/gebruikelijke-hulp">gebruikelijke hulp</a>' in page
    for slug in ("wet-arbeid-en-zorg", "clientondersteuning", "gebruikelijke-hulp"):
        assert f">{slug}<" not in page
    tag_page = html(hub.get("/tags/clientondersteuning"))
    assert '<h1 class="utrecht-heading-1">Tag: cliëntondersteuning</h1>' in tag_page
    listing = html(hub.get("/artikelen/?tag=wet-arbeid-en-zorg"))
    assert "met tag ‘Wet arbeid en zorg’" in listing
