"""The newsletter's part in the public figures: per month of sending, how many newsletter
e-mails went out and how many were opened (counted per edition, never per person)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.core.formatting import AMSTERDAM
from app.core.statistics import Series
from app.newsletter import service
from app.newsletter.models import Edition

CATEGORIES = (
    ("geopend", "geopend"),
    ("niet-geopend", "niet geopend, of zonder meetpixel"),
)


def series(session: Session, today: date) -> list[Series]:
    cells: dict[tuple[str, str], int] = {}
    for edition, rate in _sent(session):
        month = edition.started_at.astimezone(AMSTERDAM).strftime("%Y-%m")
        opened = min(rate.opens, rate.sent)
        cells[(month, "geopend")] = cells.get((month, "geopend"), 0) + opened
        key = (month, "niet-geopend")
        cells[key] = cells.get(key, 0) + rate.sent - opened
    return [
        Series(
            key="nieuwsbrief-geopend",
            title="Nieuwsbrieven geopend",
            description=(
                "Hoeveel nieuwsbrieven we per maand verstuurden en hoeveel daarvan werden "
                "geopend, geteld per verzending met een meetpixel; nooit wie ze opende. Wie "
                "bezwaar maakte tegen het tellen, krijgt geen meetpixel en telt als niet "
                "geopend. Eenheid: e-mails."
            ),
            unit="e-mails",
            categories=CATEGORIES,
            cells=cells,
            order=90,
        )
    ]


def _sent(session: Session) -> list[tuple[Edition, service.OpenRate]]:
    rates = {rate.slug: rate for rate in service.open_rates(session) if rate.sent}
    editions = session.exec(select(Edition).where(col(Edition.slug).in_(list(rates))))
    return [(edition, rates[edition.slug]) for edition in editions]
