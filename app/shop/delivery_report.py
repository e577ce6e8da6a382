"""What staff see of the deliveries to partners: per partner, what waits, what failed and what
arrived lately (the page `/staff/partners`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.shop import service
from app.shop.models import (
    DeliveryStatus,
    Handoff,
    Order,
    PartnerDelivery,
    PartnerNotice,
)

RECENT = 20


@dataclass(frozen=True)
class Line:
    """One delivery as a row on the page."""

    id: int
    what: str
    status: DeliveryStatus
    created_at: datetime
    attempts: int
    last_error: str
    last_try_at: datetime | None
    delivered_at: datetime | None


@dataclass
class PartnerDeliveries:
    slug: str
    name: str
    how: str
    pending: list[Line] = field(default_factory=list)
    failed: list[Line] = field(default_factory=list)
    delivered: list[Line] = field(default_factory=list)
    delivered_count: int = 0


def _what(handoff: Handoff | None, order: Order | None, notice: PartnerNotice | None) -> str:
    if handoff is not None:
        return f"Bestelgegevens van bestelling {order.number if order else '?'}"
    if notice is not None:
        numbers = notice.order_numbers.replace(",", ", ")
        return f"Bericht: {notice.kind.label} (bestelling {numbers})"
    return "Bericht"


def _lines(session: Session, *where, limit: int | None = None) -> list[tuple[str, Line]]:
    query = (
        select(PartnerDelivery, Handoff, Order, PartnerNotice)
        .outerjoin(Handoff, col(Handoff.id) == PartnerDelivery.handoff_id)
        .outerjoin(Order, col(Order.id) == Handoff.order_id)
        .outerjoin(PartnerNotice, col(PartnerNotice.id) == PartnerDelivery.notice_id)
        .where(*where)
        .order_by(col(PartnerDelivery.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        (
            d.partner_slug,
            Line(
                id=d.id or 0,
                what=_what(h, o, n),
                status=d.status,
                created_at=d.created_at,
                attempts=d.attempts,
                last_error=d.last_error,
                last_try_at=d.last_try_at,
                delivered_at=d.delivered_at,
            ),
        )
        for d, h, o, n in session.exec(query).all()
    ]


def overview(session: Session) -> list[PartnerDeliveries]:
    """Every partner of the catalogue (and any other that got deliveries), by name."""
    partners: dict[str, PartnerDeliveries] = {}

    def entry(slug: str) -> PartnerDeliveries:
        if slug not in partners:
            partner = service.catalogue().partners.get(slug)
            how = "niet meer in de winkel"
            if partner is not None:
                how = (
                    f"beveiligde koppeling ({partner.endpoint})"
                    if partner.endpoint
                    else f"e-mail aan {partner.delivery_email}"
                )
            partners[slug] = PartnerDeliveries(slug, service.partner_name(slug), how)
        return partners[slug]

    for slug in service.catalogue().partners:
        entry(slug)
    waiting = [DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    for slug, line in _lines(session, col(PartnerDelivery.status).in_(waiting)):
        target = entry(slug)
        (target.pending if line.status == DeliveryStatus.PENDING else target.failed).append(line)
    counts = session.exec(
        select(PartnerDelivery.partner_slug, func.count())
        .where(PartnerDelivery.status == DeliveryStatus.DELIVERED)
        .group_by(PartnerDelivery.partner_slug)
    ).all()
    for slug, count in counts:
        target = entry(slug)
        target.delivered_count = count
        target.delivered = [
            line
            for _, line in _lines(
                session,
                PartnerDelivery.status == DeliveryStatus.DELIVERED,
                PartnerDelivery.partner_slug == slug,
                limit=RECENT,
            )
        ]
    return sorted(partners.values(), key=lambda p: p.name.casefold())
