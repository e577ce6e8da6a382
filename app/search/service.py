"""Search: which documents exist (from registered providers), keeping the index in step, and
answering a visitor's query with results, facets and spelling help.

A query is never stored with an account; words are only turned into engine queries here, never
parsed as query syntax.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from flask import Flask, current_app
from werkzeug.local import LocalProxy

from app.content import store as content
from app.content.files import Problem
from app.search import semantic
from app.search.dutch import Decompounder, Everyday
from app.search.engine import Hit, IndexBusy, SearchDocument, SearchIndex, SearchResults

log = logging.getLogger(__name__)

KINDS = {"article": "Artikelen", "video": "Video's", "page": "Pagina's", "product": "Producten"}
KIND_SINGULAR = {"article": "Artikel", "video": "Video", "page": "Pagina", "product": "Product"}
PER_PAGE = 10
MAX_QUERY = 200
MIN_LIVE = 3
# /zoeken: with fewer BM25 results than this, the closest documents by meaning fill in (marked
# as such), up to FILL_IN of them, when their score (semantic.Vectors.rank) reaches the
# encoder's `fill_in_min` (semantic.MODELS). Calibrated on tests/assistant_quality (Dec 2026):
# for USE at 0.25, 2 of its 24 off-topic questions reach it and 10 of its 103 caregiver
# questions have no document that does (at the former 0.20 and before the editors' questions:
# 2 and 29; at 0.20 now: 7 and 4; at 0.27: 0 and 18).
FEW_RESULTS = 3
FILL_IN = 3
# The assistant's retrieval: reciprocal rank fusion (k=60) of BM25's matches and the dense
# ranking (CANDIDATES of each), at equal weights. Chosen on tests/assistant_quality (recall@3):
# BM25 counts only when a document has every word of the question (its "most of the words"
# fallback only adds noise to informal questions: 0.62 with it, 0.70 without). Half weight for
# BM25 measured 0.71, one question more, but then the encoder, which does not know words such
# as "respijtzorg", outranks the article whose title is the word asked for.
RRF_K = 60
CANDIDATES = 50
BM25_WEIGHT = 1.0
DENSE_WEIGHT = 1.0
# Before the fusion, the first RERANK of the dense ranking are put in the order of their score
# plus `words_anywhere` times the share of the question's words the document holds anywhere and
# `words_in_head` times the share its title, summary, tags and editors' questions hold (the words
# as BM25 matches them: stems, common forms, compound parts, everyday phrases). The encoder
# places the right document near the top more often than at it; the words sort out which. Each
# encoder has its own weights (semantic.MODELS), as their scores have scales of their own.
# For USE, 0.05 and 0.4: with the editors' questions (semantic.QUESTION_WEIGHT) recall@3 on
# tests/assistant_quality went from 0.845 to 0.883 (91 of 103; 46 of 52 and 45 of 51 on its two
# halves). These weights were chosen on that whole set from a small grid (question weight
# 0.3/0.5/0.7, anywhere 0.05/0.1, head 0.25/0.4: 0.854-0.893, with four editors' questions since
# removed), so the figure flatters: on tests/assistant_quality/blind.toml, questions written
# without seeing that set or this code, recall@3 is 0.743 (0.686 before the everyday words of
# content/spreektaal.txt, Dec 2026). Never tune on that one.
RERANK = 30

# The everyday words editors keep for search (a content source, so `flask content check` reads it
# and an edit is searched with as soon as the content store sees it).
EVERYDAY = "spreektaal"
EVERYDAY_FILE = "spreektaal.txt"

Provider = Callable[[], Iterable[SearchDocument]]
Version = Callable[[], object]


def register_provider(app: Flask, provider: Provider, version: Version) -> None:
    """A feature adds its documents to search: `provider` lists them, `version` returns a value
    that changes whenever that list may have changed (e.g. content edited, a new day)."""
    app.extensions.setdefault("search_providers", {})[provider] = version


def _providers() -> dict[Provider, Version]:
    return current_app.extensions.get("search_providers", {})


def documents() -> list[SearchDocument]:
    return [doc for provider in _providers() for doc in provider()]


def state() -> tuple:
    return tuple(version() for version in _providers().values())


def engine() -> SearchIndex:
    return current_app.extensions["search_index"]


def model() -> semantic.Model:
    """The sentence encoder the site is set to use (`SEARCH_ENCODER`)."""
    return semantic.MODELS[current_app.config.get("SEARCH_ENCODER") or semantic.DEFAULT]


def encoder() -> semantic.Encoder | None:
    """The sentence encoder, or None: `SEARCH_SEMANTIC` off, or it cannot load (BM25 only)."""
    on = bool(current_app.config.get("SEARCH_SEMANTIC", True))
    return semantic.encoder(model().name if on else None)


def vectors() -> semantic.Vectors:
    return current_app.extensions["search_vectors"]


def reindex(*, full: bool = False, wait: float = 30.0) -> dict[str, int]:
    """Bring the index in line with the providers; `full` rebuilds it from scratch. The
    documents' vectors follow (only changed texts are encoded) when the encoder is available.

    Raises IndexBusy when another process is still writing after `wait` seconds."""
    index = engine()
    docs = documents()
    if full or not index.exists():
        counts = {"indexed": index.rebuild(docs, timeout=wait)}
    else:
        counts = index.update(docs, timeout=wait)
    loaded = encoder()
    if loaded is not None:
        encoded = semantic.write_vectors(vectors().folder, docs, loaded)
        counts["encoded"] = encoded["encoded"]
    return counts


@dataclass(frozen=True)
class EverydayWords:
    """What `content/spreektaal.txt` holds now, and what an editor must fix in it."""

    rules: Everyday
    problems: list[Problem]


def read_everyday(content_dir: Path, _site: object = None) -> EverydayWords:
    path = content_dir / EVERYDAY_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    rules, wrong = Everyday.parse(text)
    problems = [
        Problem(EVERYDAY_FILE, line, "geen regel: schrijf 'gewone woorden = woord uit de inhoud'")
        for line in wrong
    ]
    return EverydayWords(rules, problems)


def ensure_fresh() -> None:
    """Update the index when a provider's documents may have changed since the last check, and
    search with the everyday words as the content folder has them now.

    Cheap when nothing changed; when another process is writing, this one just keeps serving.
    """
    engine().everyday = content.store().get(EVERYDAY).rules
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()
    current = state()
    if app.extensions.get("search_state") == current:
        return
    with app.extensions["search_lock"]:
        if app.extensions.get("search_state") == current:
            return
        try:
            reindex(wait=0)  # a visitor never waits for another process's write
        except IndexBusy:
            log.info("search index is being written by another process")
            return
        app.extensions["search_state"] = current


def index_generation() -> int:
    """Changes whenever the index that answers searches does (a commit of any process)."""
    return engine().generation()


@dataclass
class SearchPage:
    query: str
    results: SearchResults | None = None
    corrected_from: str | None = None
    message: str | None = None
    # Close in meaning, not in words: shown apart when BM25 found few results.
    related: list[Hit] = field(default_factory=list)


def clean_query(raw: str | None) -> str:
    """Printable text only, spaces collapsed, at most MAX_QUERY characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", raw or "")
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY]


def search(
    query: str,
    *,
    kind: str | None,
    topic: str | None,
    page: int,
    live: bool,
    exact: bool = False,
    per_page: int = PER_PAGE,
    fill_in: bool = True,
    snippets: bool = True,
    partial: bool = True,
) -> SearchPage:
    """Search for `query`. A word that occurs nowhere in the content is corrected when a close
    known word exists (unless `exact`); the page then says so and links to the original. When
    no document has every word, those with the most of them are found (unless not `partial`).
    When the first page holds fewer than FEW_RESULTS results, documents close in meaning are
    added to `related` (with `fill_in` and the encoder available)."""
    index = engine()
    outcome = SearchPage(query=query)
    words = index.words(query)
    if not words:
        if query:
            outcome.message = "Gebruik letters of cijfers om te zoeken."
        return outcome
    if live and len(query) < MIN_LIVE:
        outcome.message = f"Typ minstens {MIN_LIVE} tekens."
        return outcome
    if not index.exists():
        outcome.message = (
            "Zoeken is even niet beschikbaar. Probeer het over een paar minuten opnieuw."
        )
        return outcome
    kind = kind if kind in KINDS else None

    def run(terms: list[str]) -> SearchResults:
        return index.search(
            terms,
            kind=kind,
            topic=topic,
            page=page,
            per_page=per_page,
            prefix_last=live,
            snippets=snippets,
            partial=partial,
        )

    results = run(words)
    suggestion = None if exact or (live and results.total) else index.suggest(words)
    if suggestion:
        corrected = run(index.words(suggestion))
        if corrected.total:
            outcome.corrected_from, outcome.query, results = query, suggestion, corrected
    outcome.results = results
    if fill_in and results.page == 1 and results.total < FEW_RESULTS:
        shown = {(hit.kind, hit.slug) for hit in results.hits}
        outcome.related = [
            hit
            for hit in close_in_meaning(query, kinds=(kind,) if kind else None, topic=topic)
            if (hit.kind, hit.slug) not in shown
        ][: FILL_IN - len(results.hits) if results.hits else FILL_IN]
    return outcome


def dense_ranking(query: str, limit: int = CANDIDATES) -> list[tuple[str, float]]:
    """(key, cosine) of the documents closest to `query` in meaning, closest first; empty
    without the encoder or without vectors."""
    loaded = encoder()
    if loaded is None:
        return []
    return vectors().rank(query, loaded, limit=limit)


def _kept() -> tuple[dict[str, SearchDocument], dict[str, str]]:
    """Every document by key, and its title, summary and tags as one text, kept while the index
    stays in step with the same documents (`ensure_fresh`): listing them costs more than a
    whole question."""
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()
    current = app.extensions.get("search_state")
    made = app.extensions.get("search_kept")
    if made is None or current is None or made[0] != current:
        by_key = {doc.key: doc for doc in documents()}
        heads = {
            key: " ".join(
                [doc.title, doc.summary, " ".join(doc.tags).replace("-", " "), *doc.questions]
            )
            for key, doc in by_key.items()
        }
        made = (current, by_key, heads)
        if current is not None:
            app.extensions["search_kept"] = made
    return made[1], made[2]


def document(key: str) -> SearchDocument | None:
    """The document with this key (`kind:slug`), if any provider has it."""
    return _kept()[0].get(key)


def reranked(query: str, dense: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """`dense` with its first RERANK documents re-ordered by their cosine plus the share of
    the words of `query` they hold anywhere and in their title, summary and tags (RERANK)."""
    index = engine()
    forms = index.word_forms(index.words(query))
    top = dense[:RERANK]
    heads = _kept()[1]
    anywhere = index.share_held(forms, [key for key, _ in top])
    weights = model()

    def score(item: tuple[str, float]) -> float:
        key, cosine = item
        in_head = index.share_in(forms, heads[key]) if key in heads else 0.0
        return cosine + weights.words_anywhere * anywhere[key] + weights.words_in_head * in_head

    return sorted(top, key=score, reverse=True) + dense[RERANK:]


def close_in_meaning(
    query: str, *, kinds: Iterable[str] | None = None, topic: str | None = None
) -> list[Hit]:
    """The documents closest to `query` whose score reaches the encoder's `fill_in_min`."""
    wanted = set(kinds) if kinds else None
    least = model().fill_in_min
    keys = [key for key, score in dense_ranking(query) if score >= least]
    hits = engine().hits(keys)
    return [
        h
        for h in hits
        if (wanted is None or h.kind in wanted) and (topic is None or topic in h.topics)
    ]


@dataclass
class Retrieved:
    """What the assistant's retrieval found: the query BM25 answered (spelling corrected), the
    fused ranking, and BM25's own best match (None when BM25 matched no document wholly)."""

    query: str
    hits: list[Hit]
    best_on_words: Hit | None = None


def retrieve(query: str, *, kinds: Iterable[str], limit: int = 10) -> Retrieved:
    """The assistant's retrieval: BM25's matches and the dense ranking (its head re-ranked by
    the question's words) fused by reciprocal rank (BM25 alone without the encoder); the best
    `limit` documents of `kinds`."""
    wanted = set(kinds)
    dense = dense_ranking(query)
    outcome = search(
        query,
        kind=None,
        topic=None,
        page=1,
        live=False,
        per_page=CANDIDATES,
        fill_in=False,
        snippets=False,  # the assistant quotes a sentence of its own choosing
        # Beside the dense ranking, BM25 counts only when a document has every word: the
        # documents with most of the words are not looked for (at thousands of documents,
        # scoring them is most of a question's time).
        partial=not dense,
    )
    bm25 = [h for h in (outcome.results.hits if outcome.results else []) if h.kind in wanted]
    if not dense or outcome.results is None:
        return Retrieved(outcome.query, bm25[:limit], bm25[0] if bm25 else None)
    dense = reranked(outcome.query, dense)
    by_key = {f"{h.kind}:{h.slug}": h for h in bm25}
    fused = semantic.fuse(
        [(list(by_key), BM25_WEIGHT), ([key for key, _ in dense], DENSE_WEIGHT)], k=RRF_K
    )
    missing = [key for key in fused if key not in by_key]
    by_key.update({f"{h.kind}:{h.slug}": h for h in engine().hits(missing)})
    hits = [by_key[key] for key in fused if key in by_key and by_key[key].kind in wanted]
    return Retrieved(outcome.query, hits[:limit], bm25[0] if bm25 else None)


def init_app(app: Flask) -> None:
    folder = Path(
        app.config.get("SEARCH_INDEX_DIR") or Path(app.config["INSTANCE_DIR"]) / "search-index"
    )
    content_dir = Path(app.config["CONTENT_DIR"])
    decompounder = Decompounder.from_file(content_dir / "zoekwoorden.txt")
    # Other processes' commits are looked for as often as the content files are.
    recheck = app.config.get("CONTENT_RECHECK_SECONDS", content.RECHECK_SECONDS)
    app.extensions["search_index"] = SearchIndex(
        folder,
        decompounder,
        everyday=read_everyday(content_dir).rules,
        recheck_seconds=recheck,
    )
    content.add_source(app, content.Source(EVERYDAY, (EVERYDAY_FILE,), read_everyday))
    app.extensions["search_vectors"] = semantic.Vectors(folder)
    app.extensions["search_lock"] = threading.Lock()


def build_at_start(app: Flask) -> None:
    """Build the index when it is missing (call once every feature has registered its documents)."""
    if app.config.get("SEARCH_BUILD_ON_START", True):
        with app.app_context():
            index = engine()
            if not index.exists():
                try:
                    count = reindex(full=True)
                    log.info("search index built: %s", count)
                except IndexBusy:
                    log.info("search index is being built by another process")
            app.extensions["search_state"] = state()
