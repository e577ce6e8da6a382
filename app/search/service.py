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
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask import Flask, current_app
from werkzeug.local import LocalProxy

from app.content.store import RECHECK_SECONDS
from app.search.dutch import Decompounder
from app.search.engine import IndexBusy, SearchDocument, SearchIndex, SearchResults

log = logging.getLogger(__name__)

KINDS = {"article": "Artikelen", "video": "Video's", "page": "Pagina's", "product": "Producten"}
PER_PAGE = 10
MAX_QUERY = 200
MIN_LIVE = 3

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


def reindex(*, full: bool = False, wait: float = 30.0) -> dict[str, int]:
    """Bring the index in line with the providers; `full` rebuilds it from scratch.

    Raises IndexBusy when another process is still writing after `wait` seconds."""
    index = engine()
    if full or not index.exists():
        return {"indexed": index.rebuild(documents(), timeout=wait)}
    return index.update(documents(), timeout=wait)


def ensure_fresh() -> None:
    """Update the index when a provider's documents may have changed since the last check.

    Cheap when nothing changed; when another process is writing, this one just keeps serving.
    """
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


def clean_query(raw: str | None) -> str:
    """Printable text only, spaces collapsed, at most MAX_QUERY characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", raw or "")
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY]


def search(
    query: str, *, kind: str | None, topic: str | None, page: int, live: bool, exact: bool = False
) -> SearchPage:
    """Search for `query`. A word that occurs nowhere in the content is corrected when a close
    known word exists (unless `exact`); the page then says so and links to the original."""
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
            terms, kind=kind, topic=topic, page=page, per_page=PER_PAGE, prefix_last=live
        )

    results = run(words)
    suggestion = None if exact or (live and results.total) else index.suggest(words)
    if suggestion:
        corrected = run(index.words(suggestion))
        if corrected.total:
            outcome.corrected_from, outcome.query, results = query, suggestion, corrected
    outcome.results = results
    return outcome


def init_app(app: Flask) -> None:
    folder = Path(
        app.config.get("SEARCH_INDEX_DIR") or Path(app.config["INSTANCE_DIR"]) / "search-index"
    )
    decompounder = Decompounder.from_file(Path(app.config["CONTENT_DIR"]) / "zoekwoorden.txt")
    # Other processes' commits are looked for as often as the content files are.
    recheck = app.config.get("CONTENT_RECHECK_SECONDS", RECHECK_SECONDS)
    app.extensions["search_index"] = SearchIndex(folder, decompounder, recheck_seconds=recheck)
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
