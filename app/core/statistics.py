"""Statistics: what features register for the public figures (`/cijfers`) and the retention of
counting tables.

- A *series provider* (`add_series_provider`) is a function `fn(session, today)` that gives
  `Series`: counts per period and category, computed by the feature that owns the data. The
  dashboard's nightly job calls every provider, suppresses small counts and writes only the
  result; the page reads nothing else.
- The *vocabulary* (`add_vocabulary`) is the closed list of words a search may be counted as
  (the hub's topics and tags): a search is counted only as the words it matched, or as "other".
- A *counting table* (`add_counting_table`) holds counts without a person; the retention job
  deletes its rows `RETENTION_MONTHS` after the date in its column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from sqlmodel import Session

RETENTION_MONTHS = 25
OTHER = "overig"


@dataclass(frozen=True)
class Series:
    """One published table: counts per `period` ("2026-11") and category key.

    `categories` gives the order and labels of the categories; `cells` the counts of people
    (or of counted events, as `unit` says) before any suppression. A missing cell is 0."""

    key: str
    title: str
    description: str
    unit: str
    categories: tuple[tuple[str, str], ...]
    cells: Mapping[tuple[str, str], int]
    order: int = 100


SeriesProvider = Callable[["Session", date], Iterable[Series]]


@dataclass(frozen=True)
class Word:
    """A vocabulary word (`text`, lower case, hyphens allowed) and the topics it belongs to."""

    text: str
    topics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Vocabulary:
    """The words a search can be counted as, the topic labels, and the topics of page paths."""

    words: tuple[Word, ...] = ()
    topic_labels: Mapping[str, str] = field(default_factory=dict)
    path_topics: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def topics_of(self, word: str) -> frozenset[str]:
        if word in self.topic_labels:
            return frozenset({word})
        return next((w.topics for w in self.words if w.text == word), frozenset())


@dataclass(frozen=True)
class CountingTable:
    """A table of counts without a person; rows go `RETENTION_MONTHS` after `column`."""

    table: str
    column: str
    name: str


@dataclass
class _Registry:
    providers: list[SeriesProvider] = field(default_factory=list)
    vocabularies: list[Callable[[], Vocabulary]] = field(default_factory=list)
    tables: dict[str, CountingTable] = field(default_factory=dict)


def _registry(app: Flask) -> _Registry:
    return app.extensions.setdefault("statistics", _Registry())


def add_series_provider(app: Flask, provider: SeriesProvider) -> None:
    """Let the nightly aggregation ask `provider(session, today)` for its series.

    Give counts, never a percentage: suppression works on counts, and a rate may only be
    derived from counts that were published (the newsletter gives opened and not opened mails
    per month of sending)."""
    registry = _registry(app)
    if provider not in registry.providers:
        registry.providers.append(provider)


def series_providers(app: Flask) -> list[SeriesProvider]:
    return list(_registry(app).providers)


def add_vocabulary(app: Flask, fn: Callable[[], Vocabulary]) -> None:
    """Register where the vocabulary comes from (read again on every use: content reloads)."""
    _registry(app).vocabularies.append(fn)


def vocabulary(app: Flask) -> Vocabulary:
    """Every registered vocabulary, merged."""
    words: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    paths: dict[str, frozenset[str]] = {}
    for fn in _registry(app).vocabularies:
        part = fn()
        for word in part.words:
            words.setdefault(word.text, set()).update(word.topics)
        labels.update(part.topic_labels)
        paths.update(part.path_topics)
    return Vocabulary(
        words=tuple(Word(text, frozenset(topics)) for text, topics in sorted(words.items())),
        topic_labels=labels,
        path_topics=paths,
    )


def add_counting_table(app: Flask, table: CountingTable) -> None:
    _registry(app).tables[table.table] = table


def counting_tables(app: Flask) -> list[CountingTable]:
    return list(_registry(app).tables.values())


def _fold(text: str) -> str:
    """Lower case, accents off, anything but letters turned into single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


def match_terms(words: Iterable[str], query: str) -> list[str]:
    """The vocabulary words (topics, tags) `query` contains as whole words, or `[OTHER]`.

    Nothing of the query itself is returned: only words from the closed vocabulary, so a name,
    an address or any other free text typed into the search box is never kept."""
    folded = f" {_fold(query)} "
    found = sorted(
        {word for word in words if (key := _fold(word)) and f" {key} " in folded and word != OTHER}
    )
    return found or [OTHER]
