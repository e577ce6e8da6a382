"""The consent feature's part in the public figures: page views per topic and searches per
theme, per month, from the counting tables (which hold no person), and their retention."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Flask, current_app
from sqlmodel import Session, col, select

from app.consent.models import PageViewDay, SearchTermDay, VisitorDay
from app.core import statistics
from app.core.statistics import OTHER, CountingTable, Series

COUNTING_TABLES = (
    CountingTable(PageViewDay.__tablename__, "day", "Paginabezoeken per dag"),
    CountingTable(SearchTermDay.__tablename__, "day", "Zoekopdrachten per onderwerp per dag"),
    CountingTable(VisitorDay.__tablename__, "day", "Bezoekers per dag"),
)


def month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def series(session: Session, today: date) -> list[Series]:
    """Views of the hub's pages per topic, and searches per topic, per month."""
    vocabulary = statistics.vocabulary(current_app)
    topics = tuple(vocabulary.topic_labels.items())
    views: Counter[tuple[str, str]] = Counter()
    for day, path, count in session.exec(
        select(col(PageViewDay.day), col(PageViewDay.path), col(PageViewDay.views))
    ):
        for topic in vocabulary.path_topics.get(path, ()):
            views[(month(day), topic)] += count
    searches: Counter[tuple[str, str]] = Counter()
    for day, term, count in session.exec(
        select(col(SearchTermDay.day), col(SearchTermDay.term), col(SearchTermDay.searches))
    ):
        for topic in vocabulary.topics_of(term) or {OTHER}:
            searches[(month(day), topic)] += count
    return [
        Series(
            key="bezoek-per-onderwerp",
            title="Bezoeken per onderwerp, per maand",
            description=(
                "Hoe vaak artikelen, video's en onderwerppagina's zijn bekeken, opgeteld per "
                "onderwerp; een pagina met twee onderwerpen telt bij allebei. Alleen bezoeken van "
                "mensen die analytische cookies toestonden."
            ),
            unit="paginabezoeken",
            categories=topics,
            cells=views,
            order=10,
        ),
        Series(
            key="zoeken-per-thema",
            title="Zoekopdrachten per thema, per maand",
            description=(
                "Waar bezoekers naar zochten, geteld als het onderwerp van de trefwoorden die hun "
                "zoekopdracht bevatte (een trefwoord met twee onderwerpen telt bij allebei); wat "
                "bij geen onderwerp past telt als ‘overig’."
            ),
            unit="zoekopdrachten",
            categories=(*topics, (OTHER, "Overig")),
            cells=searches,
            order=20,
        ),
    ]


def init_app(app: Flask) -> None:
    for table in COUNTING_TABLES:
        statistics.add_counting_table(app, table)
    statistics.add_series_provider(app, series)
