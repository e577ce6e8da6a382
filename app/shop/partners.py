"""What partners get: the details an order gives a partner, and the notices a partner must act
on after a correction, an erasure, a restriction or its lifting, or a withdrawn consent
(art. 19 AVG). The one place that says which order fields make up each detail a partner needs.
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from app.shop import delivery
from app.shop.models import Handoff, HandoffStatus, NoticeKind, Order, PartnerNotice

# Which order columns make up each detail a partner can need (see `Partner.needs`).
DETAILS = {
    "name": ("customer_name",),
    "email": ("customer_email",),
    "phone": ("customer_phone",),
    "address": ("street", "house_number", "postcode", "city"),
}


def details(order: Order) -> dict[str, str | None]:
    """Each detail a partner can need, as the order holds it now."""
    return {
        name: " ".join(filter(None, (getattr(order, column) for column in columns))) or None
        for name, columns in DETAILS.items()
    }


def detail_of(column: str) -> str | None:
    """Which detail an order column belongs to."""
    return next((name for name, columns in DETAILS.items() if column in columns), None)


def reached(session: Session, user_id: int) -> dict[str, list[str]]:
    """Partner -> the order numbers of this person whose data that partner received."""
    rows = session.exec(
        select(Handoff.partner_slug, Order.number)
        .join(Order, col(Order.id) == Handoff.order_id)
        .where(Order.user_id == user_id, Handoff.status == HandoffStatus.READY)
        .order_by(col(Order.id))
    ).all()
    found: dict[str, list[str]] = {}
    for slug, number in rows:
        numbers = found.setdefault(slug, [])
        if number is not None and number not in numbers:
            numbers.append(number)
    return found


def notify(
    session: Session,
    *,
    user_id: int,
    kind: NoticeKind,
    only: str | None = None,
    payloads: dict[str, dict] | None = None,
    to: dict[str, list[str]] | None = None,
) -> list[PartnerNotice]:
    """One notice per partner that received data of this person (or only `only`, or the
    partners in `to` with the order numbers they know)."""
    targets = reached(session, user_id) if to is None else to
    notices = []
    for slug, numbers in targets.items():
        if only is not None and slug != only:
            continue
        notice = PartnerNotice(
            user_id=user_id,
            partner_slug=slug,
            kind=kind,
            order_numbers=",".join(numbers)[:400],
            payload=json.dumps((payloads or {}).get(slug, {}), ensure_ascii=False),
        )
        session.add(notice)
        delivery.queue_notice(session, notice)
        notices.append(notice)
    return notices


def notices_of(session: Session, user_id: int) -> list[PartnerNotice]:
    return list(
        session.exec(
            select(PartnerNotice)
            .where(PartnerNotice.user_id == user_id)
            .order_by(col(PartnerNotice.created_at).desc(), col(PartnerNotice.id).desc())
        )
    )


def told(notices: list[PartnerNotice]) -> str | None:
    """The note for the request log, or None when no partner was told anything."""
    if not notices:
        return None
    return "bericht aan partners klaargezet: " + ", ".join(
        sorted({n.partner_slug for n in notices})
    )
