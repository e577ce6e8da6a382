"""The search facade: Dutch analysis, what is indexed, incremental updates and the write lock."""

import ast
import threading
from datetime import timedelta

import pytest

from app.search import service
from app.search.dutch import Decompounder
from app.search.engine import (
    INDEX_NAME,
    LONGEST_COMPOUND,
    MAX_WORDS,
    PREFIX_FROM,
    TITLE_BOOST,
    IndexBusy,
    SearchDocument,
    SearchIndex,
    _all,
    _any,
    dutch_analyzer,
)
from app.search.engine import _fold as fold
from tests.conftest import PROJECT_ROOT, build_app
from tests.search_quality.test_mrr import QUERIES as QUALITY_QUERIES


def terms(text: str) -> list[str]:
    analyzer = dutch_analyzer(Decompounder.from_file(PROJECT_ROOT / "content" / "zoekwoorden.txt"))
    return [t.text for t in analyzer(text)]


def test_engine_module_is_the_only_importer_of_whoosh():
    importers = []
    for path in (PROJECT_ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "whoosh" or n.startswith("whoosh.") for n in names):
                importers.append(path.relative_to(PROJECT_ROOT).as_posix())
    assert sorted(set(importers)) == ["app/search/engine.py"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("financiën", "financien"),
        ("financiële", "financieel"),
        ("ziekenhuizen", "ziekenhuis"),
        ("mantelzorgers", "mantelzorg"),
        ("hulpmiddelen", "hulpmiddel"),
        ("aanvragen", "aanvraag"),
    ],
)
def test_word_forms_meet(a, b):
    assert set(terms(a)) & set(terms(b))


@pytest.mark.parametrize(
    ("compound", "part"),
    [
        ("zorgverlof", "verlof"),
        ("mantelzorgwaardering", "waardering"),
        ("levenstestament", "testament"),
        ("woningaanpassing", "aanpassing"),
        ("personenalarmering", "alarmering"),
    ],
)
def test_compounds_are_split_into_known_parts(compound, part):
    assert terms(part)[0] in terms(compound)


def test_abbreviations_join_their_long_form():
    assert "pgb" in terms("een persoonsgebonden budget")
    assert "wlz" in terms("de Wet langdurige zorg")
    assert "wmo" in terms("Wet maatschappelijke ondersteuning")


def test_stop_words_are_dropped():
    assert terms("de het een en van") == []


def doc(slug, title="Titel", body="tekst", **kw):
    return SearchDocument(
        kind="article",
        slug=slug,
        url=f"/artikelen/{slug}",
        title=title,
        summary="samenvatting",
        body=body,
        **kw,
    )


@pytest.fixture
def small_index(tmp_path):
    index = SearchIndex(tmp_path / "index", Decompounder(["verlof", "zorg"]))
    index.rebuild([doc("a", "Zorgverlof", "over zorgverlof"), doc("b", "Tuin", "over de tuin")])
    yield index
    index.close()


def slugs(index, query):
    return [h.slug for h in index.search(index.words(query)).hits]


def test_incremental_update_touches_only_what_changed(small_index):
    counts = small_index.update(
        [doc("a", "Zorgverlof", "over zorgverlof"), doc("b", "Tuin", "over de tuin")]
    )
    assert counts == {"added": 0, "changed": 0, "removed": 0}
    counts = small_index.update(
        [doc("a", "Zorgverlof", "nieuw: verlof"), doc("c", "Pgb", "budget")]
    )
    assert counts == {"added": 1, "changed": 1, "removed": 1}
    assert slugs(small_index, "budget") == ["c"]
    assert slugs(small_index, "tuin") == []


def test_a_compound_in_the_query_needs_all_its_parts(tmp_path):
    index = SearchIndex(tmp_path / "index", Decompounder(["verlof", "zorg"]))
    index.rebuild(
        [
            doc("samen", "Zorgverlof", "over zorgverlof"),
            doc("los", "Verlof", "verlof voor de zorg"),
            doc("alleen-zorg", "Thuis", "over de zorg thuis"),
        ]
    )
    assert sorted(slugs(index, "zorgverlof")) == ["los", "samen"]
    assert sorted(slugs(index, "verlof")) == ["los", "samen"]
    index.close()


def test_a_word_no_document_holds_finds_its_known_head_and_modifier(tmp_path):
    """Everyday compounds that the content never uses find what it does say (KNOWN_PART):
    the longest head and the longest modifier that documents hold, with a linking letter left
    off. A word that documents hold is never widened to its parts, and neither is the word
    still being typed (it is matched as the start of a title word)."""
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild(
        [
            doc("kaart", "Vervoer", "een parkeerkaart voor wie slecht ter been is"),
            doc("pads", "Hulpmiddelen", "alles over incontinentie"),
            doc("compliment", "Mantelzorgcompliment", "een blijk van waardering"),
            doc("verlof", "Verlof", "verlof opnemen"),
            doc("zorgverlof", "Zorgverlof", "zorgverlof aanvragen"),
            doc("mantelzorg", "Mantelzorg", "over mantelzorg"),
        ]
    )
    assert slugs(index, "invalidenparkeerkaart") == ["kaart"]
    [hit] = index.search(index.words("invalidenparkeerkaart")).hits
    assert "een <mark>parkeerkaart</mark> voor" in hit.snippet
    assert slugs(index, "incontinentiespullen") == ["pads"]
    assert slugs(index, "zorgverlof") == ["zorgverlof"]
    assert slugs(index, "mantelzorgcomplim") == ["mantelzorg"]
    typing = index.search(index.words("mantelzorgcomplim"), prefix_last=True)
    assert [hit.slug for hit in typing.hits] == ["compliment"]
    # Fewer than KNOWN_PART letters beside the known part: not taken for a compound.
    assert slugs(index, "autoparkeerkaart") == []
    assert slugs(index, "parkeerkaartje") == []
    # Nor is a word longer than any compound anyone types (LONGEST_COMPOUND).
    assert slugs(index, "x" * (LONGEST_COMPOUND - 12) + "parkeerkaart") == ["kaart"]
    assert slugs(index, "x" * (LONGEST_COMPOUND - 11) + "parkeerkaart") == []
    index.close()


def test_stop_words_do_not_count_towards_the_words_searched(small_index):
    """A long everyday question is searched with its last words: only words that are not stop
    words count towards MAX_WORDS."""
    question = "de " * 40 + "tuin"
    assert small_index.words(question)[-1] == "tuin"
    assert slugs(small_index, question) == ["b"]
    many = " ".join(f"woord{number}" for number in range(30))
    assert small_index.words(many) == [f"woord{number}" for number in range(MAX_WORDS)]


def test_a_stop_word_is_never_suggested(tmp_path):
    """Stop words are not searched for, so a correction to one ("hooi" to "hoe") would only
    lose the word: the closest other word is suggested."""
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild(
        [
            doc("a", "Hoe vraag je hulp"),
            doc("b", "Hoe het werkt"),
            doc("c", "De hoek van de tuin"),
        ]
    )
    assert index.suggest(["hooi"]) == "hoek"
    index.close()


def test_without_a_document_with_every_word_those_with_the_most_words_are_shown(tmp_path):
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild(
        [
            doc("twee", "Tuin", "tuin en schuur"),
            doc("een", "Tuin", "alleen de tuin"),
            doc("niets", "Keuken", "de keuken"),
        ]
    )
    results = index.search(index.words("tuin schuur zolder"))
    assert [h.slug for h in results.hits] == ["twee"] and results.total == 1
    assert not results.matched_all_words
    index.close()


def test_readers_keep_serving_while_another_process_writes(small_index):
    from whoosh import index as whoosh_index

    held = whoosh_index.open_dir(str(small_index.folder), indexname=INDEX_NAME).writer()
    try:
        assert slugs(small_index, "verlof") == ["a"]
        with pytest.raises(IndexBusy):
            small_index.update([doc("z", "Nieuw")], timeout=0.1)
    finally:
        held.cancel()


def test_a_full_rebuild_never_leaves_readers_with_an_empty_index(small_index):
    from whoosh import index as whoosh_index

    held = whoosh_index.open_dir(str(small_index.folder), indexname=INDEX_NAME).writer()
    try:
        with pytest.raises(IndexBusy):
            small_index.rebuild([doc("z", "Nieuw")], timeout=0.1)
        assert slugs(small_index, "verlof") == ["a"]
    finally:
        held.cancel()
    assert small_index.rebuild([doc("z", "Nieuw", "over verlof")]) == 1
    assert slugs(small_index, "verlof") == ["z"]


def test_a_search_does_not_wait_while_another_process_writes(tmp_path, database_url):
    from whoosh import index as whoosh_index

    from tests.hub.conftest import ContentFolder

    content = ContentFolder(tmp_path / "content")
    content.write("artikelen/eerst.md", title="Over de tuin")
    app = build_app(
        tmp_path, database_url, CONTENT_DIR=str(content.root), SEARCH_BUILD_ON_START=True
    )
    index = app.extensions["search_index"]
    content.write("artikelen/tweede.md", title="Over de tuin en het balkon")
    held = whoosh_index.open_dir(str(index.folder), indexname=INDEX_NAME).writer()
    pages: list[str] = []
    visitor = threading.Thread(
        target=lambda: pages.append(app.test_client().get("/zoeken?q=tuin").get_data(True))
    )
    try:
        visitor.start()
        visitor.join(timeout=10)  # waiting for the lock would take 30 seconds
        assert not visitor.is_alive()
        assert "Over de tuin" in pages[0] and "balkon" not in pages[0]  # the last commit
    finally:
        held.cancel()
    assert "balkon" in app.test_client().get("/zoeken?q=tuin").get_data(as_text=True)
    index.close()
    app.extensions["db_engine"].dispose()


def test_only_published_content_is_indexed(tmp_path, database_url):
    from app.hub.service import today
    from tests.hub.conftest import ContentFolder

    content = ContentFolder(tmp_path / "content")
    content.write("artikelen/openbaar.md", title="Openbaar zorgverlof")
    content.write("artikelen/concept.md", title="Geheim concept zorgverlof", draft=True)
    future = (today() + timedelta(days=5)).isoformat()
    content.write("artikelen/later.md", title="Later zorgverlof", published=future)
    app = build_app(tmp_path, database_url, CONTENT_DIR=str(content.root))
    with app.app_context():
        service.reindex(full=True)
        found = service.search("zorgverlof", kind=None, topic=None, page=1, live=False)
    assert found.results is not None
    assert [h.slug for h in found.results.hits] == ["openbaar"]
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_edits_reach_the_index_on_the_next_search(tmp_path, database_url):
    from tests.hub.conftest import ContentFolder

    content = ContentFolder(tmp_path / "content")
    content.write("artikelen/eerst.md", title="Over de tuin")
    app = build_app(
        tmp_path, database_url, CONTENT_DIR=str(content.root), SEARCH_BUILD_ON_START=True
    )
    client = app.test_client()
    assert "Over de tuin" in client.get("/zoeken?q=tuin").get_data(as_text=True)
    content.write("artikelen/tweede.md", title="Over het balkon")
    (content.root / "artikelen/eerst.md").unlink()
    page = client.get("/zoeken?q=balkon tuin").get_data(as_text=True)
    assert "Over het balkon" in page and "Over de tuin" not in page
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_index_is_built_at_start_when_missing_and_by_the_cli(tmp_path, database_url):
    folder = tmp_path / "idx"
    app = build_app(
        tmp_path, database_url, SEARCH_INDEX_DIR=str(folder), SEARCH_BUILD_ON_START=True
    )
    assert app.extensions["search_index"].exists()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "0 toegevoegd, 0 gewijzigd, 0 verwijderd" in result.output
    result = runner.invoke(args=["search", "reindex", "--full"])
    assert result.exit_code == 0 and "opgenomen" in result.output
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_nothing_personal_is_indexed(search_app, make_user):
    make_user(name="Geheimnaam Zoekbaar", email="zoekbaar@example.nl")
    with search_app.app_context():
        docs = service.documents()
        assert {d.kind for d in docs} <= {"article", "video", "page", "product"}
        service.reindex()
        found = service.search(
            "Geheimnaam zoekbaar@example.nl", kind=None, topic=None, page=1, live=False
        )
    for d in docs:
        assert "Geheimnaam" not in d.body + d.title and "zoekbaar@example.nl" not in d.body
    assert found.results is not None
    for hit in found.results.hits:
        assert "Geheimnaam" not in hit.title + hit.snippet


def test_a_snippet_never_shows_the_same_text_twice(tmp_path):
    # Matches about 100 characters apart: their passages (80 characters either side) overlap.
    words = [f"w{n:03d}" for n in range(120)]
    for position in (30, 50, 70):
        words[position] = "respijtzorg"
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild([doc("lang", "Lang", " ".join(words))])
    snippet = index.search(index.words("respijtzorg")).hits[0].snippet
    shown = snippet.replace("<mark>", "").replace("</mark>", "").replace("…", " ").split()
    fillers = [w for w in shown if w != "respijtzorg"]
    assert len(fillers) == len(set(fillers)), snippet
    assert snippet.count("<mark>respijtzorg</mark>") == 3
    index.close()


def test_a_snippet_is_escaped_and_shows_the_passages_of_the_first_matches(tmp_path):
    # Matches 250 characters apart, each passage 80 characters either side: the first two
    # make the two passages, the later ones are not shown.
    words = [f"w{n:03d}" for n in range(200)]
    for position in (20, 70, 120, 170):
        words[position] = "respijtzorg"
    words[18] = "<b>zo'n</b> &"
    words[19] = '"respijt"'
    plain = [f"v{n:03d}" for n in range(40)]
    plain[20] = "zo'n respijtzorg"
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild([doc("lang", "Lang", " ".join(words)), doc("kort", "Kort", " ".join(plain))])
    hits = {hit.slug: hit.snippet for hit in index.search(index.words("respijtzorg")).hits}
    snippet = hits["lang"]
    # Element content: &, < and > escaped, quotes as they are (the same on the page).
    assert '&lt;b&gt;zo\'n&lt;/b&gt; &amp; "respijt" <mark>respijtzorg</mark>' in snippet
    # One "…" where text is left out: before, between and after the two passages.
    assert snippet.count("<mark>respijtzorg</mark>") == 2 and snippet.count("…") == 3
    assert snippet.startswith("… w") and " … w" in snippet and snippet.endswith(" …")
    assert "w069 <mark>respijtzorg</mark> w071" in snippet and "w119" not in snippet
    assert "w121" not in snippet and "w171" not in snippet
    assert "zo'n <mark>respijtzorg</mark> v021" in hits["kort"]
    index.close()


def test_spelling_suggestions_are_whooshs_own(search_app):
    """The faster speller answers exactly what Whoosh's corrector answers: for typos made from
    every word of the spelling field (a letter dropped, changed, doubled or two swapped) and
    for words far from any."""
    import random

    from app.search.engine import _Speller

    index = search_app.extensions["search_index"]
    searcher = index.searcher()
    reader = searcher.reader()
    corrector = searcher.corrector("spell")
    speller = _Speller(reader)
    vocabulary = [t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("spell")]
    assert len(vocabulary) > 500
    rng = random.Random(20)
    typos = set()
    for word in vocabulary:
        i = rng.randrange(1, len(word))
        typos |= {
            word[:i] + word[i + 1 :],
            word[:i] + rng.choice("aeiouknrst") + word[i + 1 :],
            word[:i] + word[i] + word[i:],
            word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :],
        }
    typos |= {"xqzvw", "mantelzrg", "respijtzrog", "dementei", "zzzzzzzz", "a"}
    differ = []
    for typo in sorted(typos):
        whoosh = corrector.suggest(typo, limit=1, maxdist=2, prefix=1)
        if speller.suggest(typo) != (whoosh[0] if whoosh else None):
            differ.append((typo, whoosh, speller.suggest(typo)))
    assert len(typos) > 2000
    assert differ == []


def test_the_share_of_the_words_a_document_or_text_holds(tmp_path):
    index = SearchIndex(tmp_path / "index", Decompounder(["verlof", "zorg"]))
    index.rebuild([doc("verlof", "Zorgverlof", "verlof voor de zorg"), doc("tuin", "Tuin")])
    # "de" is a stop word; "zorgverlof" is held by a text with both its parts, as a search
    # would find it.
    forms = index.word_forms(index.words("de zorgverlof tuin"))
    assert len(forms) == 2
    held = index.share_held(forms, ["article:verlof", "article:tuin", "article:weg"])
    assert held == {"article:verlof": 0.5, "article:tuin": 0.5, "article:weg": 0.0}
    assert index.share_in(forms, "Verlof voor de zorg") == 0.5
    assert index.share_in(forms, "Over de keuken") == 0.0
    assert index.share_in([], "Tuin") == 0.0
    index.close()


def whoosh_queries(index, words, prefix_last=False):
    """Whoosh's own query per word, which the engine's arrays must reproduce: any of its forms
    in `content` (or, while typing, the last word as the start of a title word); the same in
    the title only adds to the score."""
    from whoosh.query import AndMaybe, Prefix, Term

    queries = []
    postings = index._postings(index.searcher())
    for position, word in enumerate(words):
        folded = fold(word)
        typed = prefix_last and position == len(words) - 1 and len(folded) >= PREFIX_FROM
        options = index.alternatives(word, None if typed else postings)
        required = [_all([Term("content", t) for t in terms]) for terms in options]
        bonus = [_all([Term("title", t, boost=TITLE_BOOST) for t in terms]) for terms in options]
        if typed:
            required.append(Prefix("title", folded))
            bonus.append(Prefix("title", folded, boost=TITLE_BOOST))
        if required:
            queries.append(AndMaybe(_any(required), _any(bonus)))
    return queries


def whoosh_ranking(index, words, prefix_last=False, limit=30):
    """The documents Whoosh's own query objects and collector rank first for `words`, every
    word required: what the engine's arrays must reproduce."""
    from whoosh.query import And

    queries = whoosh_queries(index, words, prefix_last)
    if not queries:
        return []
    found = index.searcher().search(And(queries) if len(queries) > 1 else queries[0], limit=limit)
    return [(hit["slug"], round(hit.score, 9)) for hit in found]


def engine_ranking(index, words, prefix_last=False, limit=30):
    results = index.search(words, per_page=limit, prefix_last=prefix_last, snippets=False)
    return [hit.slug for hit in results.hits], results.total


QUESTIONS = [q["q"] for q in QUALITY_QUERIES] + [
    "zorg",
    "mantelzorg thuis",
    "pgb budget aanvragen",
    "verlof werk",
    "ik kan niet meer",
    "dementie geheugen",
    "wmo gemeente hulp",
    # Words no document holds, matched on their known head or modifier.
    "invalidenparkeerkaart aanvragen",
    "incontinentiespullen vergoeding",
]
TYPED = ["res", "mant", "mantelz", "zorgv", "deme", "wmo aanv", "pgb bud", "dag", "keuk", "ve"]


def test_rankings_are_whooshs_own_on_the_starter_content(search_app):
    """The scores come from arrays of postings (read once per commit), not from Whoosh's
    matchers: the same documents in the same order, every query of the quality set, everyday
    words and unfinished words while typing."""
    with search_app.app_context():
        index = service.engine()
        compared = 0
        for text, typing in [(q, False) for q in QUESTIONS] + [(t, True) for t in TYPED]:
            words = index.words(text)
            expected = whoosh_ranking(index, words, typing)
            if not expected:
                continue
            found, total = engine_ranking(index, words, typing)
            assert found == [slug for slug, _ in expected], text
            assert total == len(whoosh_ranking(index, words, typing, limit=None)), text
            compared += 1
    assert compared >= 40


def test_rankings_are_whooshs_own_after_updates_with_deletions(tmp_path):
    """An update leaves a second segment and deleted documents in the first: those are never
    found, and the scores still add up as Whoosh's."""
    index = SearchIndex(tmp_path / "index", Decompounder(["verlof", "zorg"]))
    first = [
        doc(f"d{i}", f"Zorg {i}", " ".join(["zorg verlof tuin"] * (1 + i % 4)) + f" woord{i}")
        for i in range(40)
    ]
    index.rebuild(first)
    changed = (
        [doc("d1", "Verlof", "alleen verlof")] + first[2:] + [doc("nieuw", "Tuin", "tuin zorg")]
    )
    index.update(changed)
    assert len(index.searcher().leaf_searchers()) == 2
    for text in ["zorg", "tuin", "verlof", "zorg tuin", "zorgverlof", "woord0"]:
        words = index.words(text)
        found, total = engine_ranking(index, words)
        assert found == [slug for slug, _ in whoosh_ranking(index, words)], text
        assert "d0" not in found
    assert engine_ranking(index, index.words("woord0")) == ([], 0)
    index.close()


def test_the_postings_a_worker_keeps_are_bounded(tmp_path, monkeypatch):
    """Past MAX_POSTINGS remembered postings the memory starts afresh: the answers stay the same
    and what is kept never exceeds the bound."""
    from app.search.engine import _Postings

    monkeypatch.setattr(_Postings, "MAX_POSTINGS", 50)
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild(
        [doc(f"d{i}", f"Titel {i}", f"tuin schuur keuken woord{i % 7}") for i in range(30)]
    )
    first = [engine_ranking(index, index.words(q)) for q in ["tuin", "schuur", "keuken woord3"]]
    postings = index._postings(index.searcher())
    assert 0 < postings._postings <= 50
    again = [engine_ranking(index, index.words(q)) for q in ["tuin", "schuur", "keuken woord3"]]
    assert again == first and first[0][1] == 30
    terms = sum(len(ids) for ids, _ in postings._terms.values())
    words = sum(len(part[0]) for found in postings.words.values() if found for part in found)
    assert terms + words == postings._postings <= 50
    index.close()


def test_the_searched_words_a_worker_keeps_are_bounded(tmp_path, monkeypatch):
    """Words that find nothing keep no postings, and are still bounded in number."""
    from app.search.engine import _Postings

    monkeypatch.setattr(_Postings, "MAX_WORDS", 5)
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild([doc(f"d{i}", f"Titel {i}", f"tuin schuur woord{i}") for i in range(10)])
    for i in range(12):
        assert engine_ranking(index, index.words(f"onbekend{i}")) == ([], 0)
        assert engine_ranking(index, index.words("tuin"))[1] == 10
        assert len(index._postings(index.searcher()).words) <= 5
    index.close()


def test_an_edited_document_is_shown_as_it_is_now(small_index):
    """What a results list shows of a document is kept per commit: after an update the new
    title, summary and snippet are shown, never the kept ones."""
    before = small_index.search(small_index.words("tuin")).hits[0]
    assert (before.title, before.snippet) == ("Tuin", "over de <mark>tuin</mark>")
    small_index.update(
        [doc("a", "Zorgverlof", "over zorgverlof"), doc("b", "Moestuin", "een tuin met bonen")]
    )
    after = small_index.search(small_index.words("tuin")).hits[0]
    assert (after.title, after.snippet) == ("Moestuin", "een <mark>tuin</mark> met bonen")
    assert small_index.hits(["article:b"])[0].title == "Moestuin"


def test_the_documents_kept_to_show_are_bounded(tmp_path, monkeypatch):
    from app.search.engine import _Postings

    monkeypatch.setattr(_Postings, "MAX_SHOWN", 5)
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    index.rebuild([doc(f"d{i}", f"Titel {i}", f"tuin woord{i}") for i in range(12)])
    found = index.search(index.words("tuin"), per_page=12).hits
    assert sorted(h.slug for h in found) == sorted(f"d{i}" for i in range(12))
    assert all(h.snippet.startswith("<mark>tuin</mark> woord") for h in found)
    assert 0 < len(index._postings(index.searcher())._shown) <= 5
    index.close()


@pytest.mark.parametrize(
    ("body", "query", "live", "snippet"),
    [
        # Only whole words whose form matches: "tuinen" yes, "tuinbouw" not a form of "tuin".
        ("tuinbouw en tuinen", "tuin", False, "tuinbouw en <mark>tuinen</mark>"),
        # While typing, a word that starts with what was typed.
        ("titels en titelblad", "titelb", True, "titels en <mark>titelblad</mark>"),
        # Accents folded for finding, the text shown as written.
        ("Café en cafe", "cafe", False, "<mark>Café</mark> en <mark>cafe</mark>"),
        # A term's first letters inside another word ("zorg" in "mantelzorg") are checked, not
        # marked, and the word after it still is.
        ("mantelzorg zorg", "zorg", False, "mantelzorg <mark>zorg</mark>"),
        # Text that needs escaping stays escaped around a match.
        ("<b>zorg</b> & meer", "zorg", False, "&lt;b&gt;<mark>zorg</mark>&lt;/b&gt; &amp; meer"),
    ],
)
def test_a_snippet_marks_the_words_that_match(tmp_path, body, query, live, snippet):
    index = SearchIndex(tmp_path / "index", Decompounder([]))
    # While typing, an unfinished word is looked for at the start of title words.
    index.rebuild([doc("a", "Titelblad" if live else "Titel", body)])
    hits = index.search(index.words(query), prefix_last=live).hits
    assert [h.snippet for h in hits] == [snippet]
    index.close()


MIXED = [
    "respijtzorg belastingaangifte",
    "dementie fiets",
    "mantelzorgwoning parkinson",
    "wmo vakantie hond",
    "levenstestament zwembad",
    "pgb zorgverlof parkinson",
    "dagbesteding kosten hond",
    "keukentafelgesprek werkgever mantelzorgcompliment",
]


def test_without_every_word_the_most_words_rank_by_their_words_scores(search_app):
    """When no document holds every word, those holding the most are ranked by the sum of
    Whoosh's own score for each word (highest first, the lower document number on a tie)."""
    with search_app.app_context():
        index = service.engine()
        searcher = index.searcher()
        compared = 0
        for text in MIXED:
            words = index.words(text)
            results = index.search(words, per_page=30, snippets=False)
            if results.matched_all_words or not results.total:
                continue
            held: dict[int, list[float]] = {}
            for query in whoosh_queries(index, words):
                for hit in searcher.search(query, limit=None):
                    held.setdefault(hit.docnum, []).append(hit.score)
            most = max(len(scores) for scores in held.values())
            expected = sorted(
                (-round(sum(scores), 9), docnum)
                for docnum, scores in held.items()
                if len(scores) == most
            )
            slugs = [searcher.stored_fields(docnum)["slug"] for _, docnum in expected]
            assert [h.slug for h in results.hits] == slugs[:30], text
            assert results.total == len(expected), text
            compared += 1
    assert compared >= 4
