"""Search keeps one searcher per process and one page per query, yet shows what editors changed
within the interval at which the content files are looked at."""

import time
from html.parser import HTMLParser

from app.search.dutch import Decompounder
from app.search.engine import SearchDocument, SearchIndex
from tests.conftest import build_app, htmx_headers
from tests.hub.conftest import ContentFolder

RECHECK = 1.0
TYPING = {**htmx_headers("zoekresultaten"), "HX-Trigger": "zoekveld"}


def doc(slug: str, title: str, body: str = "") -> SearchDocument:
    return SearchDocument(
        kind="article", slug=slug, url=f"/artikelen/{slug}", title=title, summary="", body=body
    )


def slugs(index: SearchIndex, query: str) -> list[str]:
    return [hit.slug for hit in index.search(index.words(query)).hits]


def wait_for(check, seconds: float) -> float | None:
    """Seconds until `check()` holds, trying every tenth of a second; None if it never did."""
    started = time.monotonic()
    while time.monotonic() - started <= seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def test_a_changed_article_is_found_within_the_recheck_interval(tmp_path, database_url):
    content = ContentFolder(tmp_path / "content")
    article = content.write("artikelen/buiten.md", title="Over de tuin", body="Gras maaien.\n")
    app = build_app(
        tmp_path,
        database_url,
        CONTENT_DIR=str(content.root),
        CONTENT_RECHECK_SECONDS=RECHECK,
        SEARCH_BUILD_ON_START=True,
    )
    visitor = app.test_client()  # not logged in: the pages come from the page cache
    assert "Over de tuin" in visitor.get("/zoeken?q=gras").get_data(as_text=True)
    assert "Geen resultaten" in visitor.get("/zoeken?q=balkon").get_data(as_text=True)

    content.write("artikelen/buiten.md", title="Over het balkon", body="Planten in potten.\n")
    assert article.exists()

    def found() -> bool:
        page = visitor.get("/zoeken?q=balkon").get_data(as_text=True)
        return 'href="/artikelen/buiten"' in page and "Over het balkon" in page

    took = wait_for(found, RECHECK + 2)
    assert took is not None, "the changed article was never found"
    assert took <= RECHECK + 0.5, took
    assert "Geen resultaten" in visitor.get("/zoeken?q=gras").get_data(as_text=True)
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_another_process_commit_is_seen_within_the_recheck_interval(tmp_path):
    folder, words = tmp_path / "index", Decompounder([])
    writer = SearchIndex(folder, words, recheck_seconds=3600)
    writer.rebuild([doc("a", "Tuin", "over de tuin")])
    reader = SearchIndex(folder, words, recheck_seconds=RECHECK)
    patient = SearchIndex(folder, words, recheck_seconds=3600)
    assert slugs(reader, "tuin") == slugs(patient, "tuin") == ["a"]

    writer.update([doc("a", "Tuin", "over de tuin"), doc("b", "Balkon", "over het balkon")])
    assert slugs(writer, "balkon") == ["b"]  # its own commit at once
    took = wait_for(lambda: slugs(reader, "balkon") == ["b"], RECHECK + 2)
    assert took is not None and took <= RECHECK + 0.5, took
    # Between checks the searcher is kept: no look at the folder on every search.
    assert slugs(patient, "balkon") == []
    for index in (writer, reader, patient):
        index.close()


def test_typing_and_submitting_the_same_words_are_kept_apart(searcher):
    """The page cache keys a search page on whether it was asked while typing: typed, two
    letters are too few; the same address submitted searches for them."""
    submitted = htmx_headers("zoekresultaten")
    typed = searcher.get("/zoeken?q=re", headers=TYPING).get_data(as_text=True)
    assert "Typ minstens 3 tekens." in typed
    whole = searcher.get("/zoeken?q=re", headers=submitted).get_data(as_text=True)
    assert "Typ minstens 3 tekens." not in whole and "voor ‘re’" in whole
    again = searcher.get("/zoeken?q=re", headers=TYPING).get_data(as_text=True)
    assert "Typ minstens 3 tekens." in again


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.attribute_names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.attribute_names.update(name for name, _ in attrs)
        values = dict(attrs)
        if tag == "input" and values.get("id"):
            self.inputs[str(values["id"])] = values


def test_the_search_field_waits_for_a_pause_and_sends_only_changed_words(searcher):
    parser = _Fields()
    parser.feed(searcher.get("/zoeken").get_data(as_text=True))
    field = parser.inputs["zoekveld"]
    trigger = str(field["data-hx-trigger"])
    typing = next(part.split() for part in trigger.split(",") if part.split()[0] == "input")
    assert "changed" in typing  # the same words twice in a row are not sent again
    delay = next(word for word in typing if word.startswith("delay:"))
    assert delay.endswith("ms") and int(delay[len("delay:") : -2]) >= 300
    assert field["data-hx-get"] == "/zoeken"
    assert not {name for name in parser.attribute_names if name.startswith("hx-")}
