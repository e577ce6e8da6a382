"""The search page (S1–S3): results, facets, highlights, suggestions, htmx and bad input."""

import pytest
from sqlmodel import func, select

from app.audit.models import AuditEvent
from tests.conftest import htmx_headers


def html(response) -> str:
    return response.get_data(as_text=True)


def test_results_with_highlights_count_and_facets(searcher):
    page = html(searcher.get("/zoeken?q=zorgverlof"))
    assert "resultaten voor ‘zorgverlof’" in page
    assert "<mark>" in page
    assert 'href="/artikelen/kortdurend-zorgverlof"' in page
    assert "Artikelen (" in page and "Video&#39;s (" in page
    assert "Werk en studie (" in page


def test_type_and_topic_filters(searcher):
    videos = html(searcher.get("/zoeken?q=zorgverlof&soort=video"))
    assert 'href="/videos/zorgverlof-aanvragen"' in videos
    assert 'href="/artikelen/kortdurend-zorgverlof"' not in videos
    topic = html(searcher.get("/zoeken?q=zorg&onderwerp=juridisch"))
    assert 'href="/artikelen/volmacht"' in topic or 'href="/artikelen/mentorschap"' in topic
    assert 'href="/artikelen/dagbesteding"' not in topic


def test_pagination_of_results(searcher):
    first = html(searcher.get("/zoeken?q=zorg"))
    second = html(searcher.get("/zoeken?q=zorg&pagina=2"))
    assert "Pagina 1 van" in first and "Pagina 2 van" in second
    assert 'start="11"' in second


@pytest.mark.parametrize(
    ("typo", "meant", "slug"),
    [
        ("kostendelrsnorm", "kostendelersnorm", "/artikelen/kostendelersnorm"),
        ("dagbestding", "dagbesteding", "/artikelen/dagbesteding"),
        ("mantelzorgwaardring", "mantelzorgwaardering", "/artikelen/mantelzorgwaardering"),
    ],
)
def test_misspelling_gets_did_you_mean_with_results(searcher, typo, meant, slug):
    page = html(searcher.get(f"/zoeken?q={typo}"))
    assert f"Bedoelde je <strong>‘{meant}’</strong>?" in page
    assert f'href="{slug}"' in page
    assert f"Toch zoeken naar ‘{typo}’" in page
    exact = html(searcher.get(f"/zoeken?q={typo}&precies=1"))
    assert "Bedoelde je" not in exact


def test_known_words_are_not_corrected(searcher):
    assert "Bedoelde je" not in html(searcher.get("/zoeken?q=respijtzorg"))


@pytest.mark.parametrize(
    "sentence",
    ["respijtzorg omdat ik moe ben", "hoe moet ik pgb aanvragen", "mantelzorg zonder hulp"],
)
def test_stop_words_in_a_sentence_are_not_corrected(searcher, sentence):
    """Words such as "omdat" are left out of the search, not misspelt ("omvalt")."""
    page = html(searcher.get("/zoeken", query_string={"q": sentence}))
    assert "Bedoelde je" not in page
    assert "Geen resultaten" not in page
    # A misspelt word beside them is still corrected, and only that word.
    typo = html(searcher.get("/zoeken", query_string={"q": "respijtzrog omdat ik moe ben"}))
    assert "Bedoelde je <strong>‘respijtzorg omdat ik moe ben’</strong>?" in typo


def test_zero_results_offer_topics_and_the_helpline(searcher):
    page = html(searcher.get("/zoeken?q=qwxzv"))
    assert "Geen resultaten voor ‘qwxzv’" in page
    assert 'href="/onderwerpen/zorg"' in page and "085-4016867" in page


def test_htmx_live_search_returns_only_the_results(searcher):
    headers = {**htmx_headers("zoekresultaten"), "HX-Trigger": "zoekveld"}
    fragment = html(searcher.get("/zoeken?q=respijt", headers=headers))
    # The page's new title first (htmx sets it and leaves the element out), then the results.
    title, rest = fragment.lstrip().split("\n", 1)
    assert title == "<title>Zoeken: respijt | Zorggenoot</title>"
    assert rest.lstrip().startswith('<section id="zoekresultaten"')
    assert "<html" not in fragment and 'href="/artikelen/respijtzorg"' in fragment
    short = html(searcher.get("/zoeken?q=re", headers=headers))
    assert "Typ minstens 3 tekens." in short


def test_search_works_without_javascript(searcher):
    page = html(searcher.get("/zoeken?q=respijtzorg"))
    assert '<form class="zg-search" role="search" method="get" action="/zoeken"' in page
    assert "<html" in page and 'href="/artikelen/respijtzorg"' in page


@pytest.mark.parametrize(
    "query",
    [
        "",
        "a",
        "x" * 2000,
        'AND OR NOT ( ) " * ? ~ ^ :',
        '"dementie',
        "dementie)",
        "zorg*",
        "title:zorg",
        "zorg~2",
        "😀 🙂",
        "日本語",
        "\x00\x01\x1b[31m",
        "%00",
        "<script>alert(1)</script>",
        "ümlaut façade ŝ",
        "-",
        "'",
        "NOT",
        "zorg AND",
    ],
)
def test_bad_input_never_fails(searcher, query):
    response = searcher.get("/zoeken", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html(response)


@pytest.mark.parametrize(
    "query_string",
    [
        "q=zorg&pagina=-1",
        "q=zorg&pagina=99999",
        "q=zorg&pagina=abc",
        "q=zorg&soort=onbekend",
        "q=zorg&onderwerp=onbekend",
        "q=zorg&soort=&onderwerp=",
        "q=zorg&q=verlof",
    ],
)
def test_odd_parameters_never_fail(searcher, query_string):
    assert searcher.get(f"/zoeken?{query_string}").status_code == 200


def test_snippets_escape_content(searcher, search_app):
    with search_app.app_context():
        index = search_app.extensions["search_index"]
        results = index.search(["respijtzorg"])
    for hit in results.hits:
        assert "<script" not in hit.snippet


def test_query_is_never_stored_with_an_account(searcher, login_as, session):
    login_as()
    before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    searcher.get("/zoeken?q=mijn+moeder+heeft+dementie")
    after = session.exec(select(func.count()).select_from(AuditEvent)).one()
    assert after == before


def test_products_are_searchable_through_the_same_facade(searcher):
    page = html(searcher.get("/zoeken?q=personenalarm"))
    assert 'href="/winkel/personenalarm-met-valdetectie"' in page
    assert "Producten (" in page
    only = html(searcher.get("/zoeken?q=personenalarm&soort=product"))
    assert 'href="/artikelen/personenalarmering"' not in only
    inactive = html(searcher.get("/zoeken?q=bedbeugel"))
    assert 'href="/winkel/bedbeugel"' not in inactive
