"""The public figures: the nightly aggregation (providers → suppression → published tables)
and reading them back for the page and the CSV files. The page reads only the two published
tables; nothing here reads a table of another feature."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import Flask
from sqlmodel import Session, col, delete, select

from app.core.statistics import Series, series_providers
from app.dashboard.models import TOTAL, PublishedCell, PublishedSeries
from app.dashboard.suppression import Cell, protect
from app.db import utcnow

MONTHS = 24
MONTH_NAMES = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def first_of_month(period: str) -> date:
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def month_label(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def _months_back(today: date, count: int) -> date:
    index = today.year * 12 + today.month - 1 - (count - 1)
    return date(index // 12, index % 12 + 1, 1)


def protected(series: Series, *, since: date) -> dict[date, dict[str, Cell]]:
    """What may be published of `series`, per month from `since` on: every category's cell
    and the total (under `TOTAL`), after suppression and rounding."""
    keys = [key for key, _ in series.categories]
    result = {}
    for month in sorted({first_of_month(period) for period, _ in series.cells}):
        if month < since:
            continue
        period = month.strftime("%Y-%m")
        cells, total = protect({key: int(series.cells.get((period, key), 0)) for key in keys})
        result[month] = {**cells, TOTAL: total}
    return result


def publish(session: Session, series: Series, *, since: date) -> int:
    """Publish the suppressed, rounded cells of `series` for the months it gives (from `since`
    on), replacing what was published for those months; returns how many months were written.
    Months the provider no longer gives stay as published (a snapshot series gives only the
    current month) until retention removes them."""
    rows = protected(series, since=since)
    if rows:
        session.exec(
            delete(PublishedCell).where(
                col(PublishedCell.series) == series.key, col(PublishedCell.month).in_(list(rows))
            )
        )
    for month, cells in rows.items():
        for key, cell in cells.items():
            session.add(
                PublishedCell(
                    series=series.key, month=month, category=key, value=cell.value, mark=cell.mark
                )
            )
    categories = json.dumps([list(pair) for pair in series.categories], ensure_ascii=False)
    row = session.get(PublishedSeries, series.key)
    if row is None:
        row = PublishedSeries(
            key=series.key,
            title=series.title,
            description=series.description,
            unit=series.unit,
            categories=categories,
        )
    row.title, row.description, row.unit = series.title, series.description, series.unit
    row.categories, row.position, row.computed_at = categories, series.order, utcnow()
    session.add(row)
    return len(rows)


def aggregate(session: Session, app: Flask, *, today: date) -> dict[str, int]:
    """Ask every registered series provider for its counts and publish them (the nightly job).

    Only the last 24 months are published. Returns the periods written per series."""
    since = _months_back(today, MONTHS)
    done: dict[str, int] = {}
    for provider in series_providers(app):
        for series in provider(session, today):
            done[series.key] = publish(session, series, since=since)
    session.commit()
    return done


@dataclass(frozen=True)
class Table:
    """One published series as the page and the CSV show it."""

    key: str
    title: str
    description: str
    unit: str
    categories: list[tuple[str, str]]
    months: list[date]
    cells: dict[tuple[date, str], Cell]

    def cell(self, month: date, category: str) -> Cell:
        return self.cells.get((month, category), Cell(None, ""))


def tables(session: Session) -> list[Table]:
    """Every published series, in page order."""
    found: dict[str, dict[tuple[date, str], Cell]] = defaultdict(dict)
    for row in session.exec(select(PublishedCell)):
        found[row.series][(row.month, row.category)] = Cell(row.value, row.mark)
    result = []
    for series in session.exec(
        select(PublishedSeries).order_by(col(PublishedSeries.position), col(PublishedSeries.key))
    ):
        cells = found.get(series.key, {})
        result.append(
            Table(
                key=series.key,
                title=series.title,
                description=series.description,
                unit=series.unit,
                categories=[(k, label) for k, label in json.loads(series.categories)],
                months=sorted({month for month, _ in cells}),
                cells=cells,
            )
        )
    return result


def csv_text(table: Table) -> str:
    """The published table as CSV (semicolons, as Dutch spreadsheets expect)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["maand", *(label for _, label in table.categories), "totaal"])
    for month in table.months:
        writer.writerow(
            [
                month.strftime("%Y-%m"),
                *(table.cell(month, key).shown for key, _ in table.categories),
                table.cell(month, TOTAL).shown,
            ]
        )
    return out.getvalue()
