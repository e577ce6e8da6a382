"""The shop's part in the public figures: per month, how many people ordered something from
each category (paid orders only). A line whose product reveals health counts under
"hulpmiddelen, niet nader genoemd": its product is sealed and stays unread here."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.formatting import AMSTERDAM
from app.core.statistics import Series
from app.shop import service
from app.shop.models import Order, OrderLine, OrderStatus

SEALED = "_hulpmiddel"


def series(session: Session, today: date) -> list[Series]:
    """Distinct customers per category per month of payment."""
    catalogue = service.catalogue()
    category_of = {slug: p.fields.category for slug, p in catalogue.products.items()}
    buyers: dict[tuple[str, str], set[object]] = defaultdict(set)
    rows = session.execute(
        sa.select(
            col(Order.id),
            col(Order.user_id),
            col(Order.customer_email),
            col(Order.paid_at),
            col(OrderLine.product_slug),
        )
        .join(OrderLine, col(OrderLine.order_id) == col(Order.id))
        .where(col(Order.status) == OrderStatus.PAID, col(Order.paid_at).is_not(None))
    ).all()
    for order_id, user_id, email, paid_at, slug in rows:
        local = paid_at.astimezone(AMSTERDAM)
        period = f"{local.year:04d}-{local.month:02d}"
        category = category_of.get(slug, "") if slug else SEALED
        who = user_id or (email or "").lower() or f"bestelling {order_id}"
        buyers[(period, category or SEALED)].add(who)
    categories = (
        *((c.slug, c.label) for c in catalogue.categories),
        (SEALED, "Hulpmiddelen, niet nader genoemd"),
    )
    return [
        Series(
            key="bestellingen-per-categorie",
            title="Bestellingen per categorie, per maand",
            description=(
                "Hoeveel mensen in een maand iets uit een categorie van de winkel bestelden en "
                "betaalden. Wie in één maand vaker uit dezelfde categorie bestelt, telt één keer."
            ),
            unit="bestellers",
            categories=categories,
            cells={key: len(people) for key, people in buyers.items()},
            order=60,
        )
    ]
