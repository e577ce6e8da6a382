"""The shop's part in the privacy centre (registered with `app.core.personal_data`).

What partners received and were told, correcting the details on an order (partners that
received them get the corrected values), withdrawing a partner consent, restriction and
erasure (partners are told), and the retention rule for orders that were never paid: no fiscal
need for the customer's details, so they go 30 days after the order ended.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlmodel import Session, col, select

from app.core.formatting import euro
from app.core.personal_data import (
    Asking,
    Correction,
    DataHandler,
    Panel,
    RetentionLine,
    category_for,
)
from app.db import id_of, table_of
from app.payments.models import PaymentRow, PaymentStatus, RefundStatus
from app.privacy import requests
from app.privacy.models import PrivacyRequest, RequestKind
from app.shop import delivery, lines, partners, service
from app.shop.catalogue import FIELD_NAMES, field_names
from app.shop.models import (
    DeliveryChannel,
    DeliveryStatus,
    Handoff,
    HandoffStatus,
    NoticeKind,
    Order,
    OrderStatus,
    PartnerDelivery,
)

UNPAID_DETAILS = timedelta(days=30)
UNPAID = "niet betaald: naam, e-mailadres, telefoon en adres verwijderd, 30 dagen na afloop"


def consent_label(slug: str) -> str:
    """How the consent to hand data to a partner is named in the privacy centre."""
    return f"Gegevens doorgeven aan {service.partner_name(slug)} voor bestellingen"


def received(session: Session, user_id: int) -> list[tuple[Handoff, Order]]:
    """Which partner received what, and when."""
    return list(
        session.exec(
            select(Handoff, Order)
            .join(Order, col(Order.id) == Handoff.order_id)
            .where(Order.user_id == user_id)
            .order_by(col(Handoff.created_at).desc())
        )
    )


def correctable_orders(session: Session, user_id: int) -> list[Order]:
    """Orders with contact or delivery details the caregiver gave."""
    return list(
        session.exec(
            select(Order)
            .where(Order.user_id == user_id, col(Order.number).is_not(None))
            .order_by(col(Order.id).desc())
        )
    )


def correctable_columns(order: Order) -> list[str]:
    """The details this order holds (a detail never given is not added afterwards)."""
    return [
        column
        for columns in partners.DETAILS.values()
        for column in columns
        if getattr(order, column) is not None
    ]


def correct_order(
    session: Session,
    user: Any,
    order: Order,
    values: dict[str, str | None],
    *,
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> list[str]:
    """Change the details on an order; partners that received them get the corrected values
    (only the details each one received). Logged as a correction; returns the changed columns."""
    changed = []
    for column in correctable_columns(order):
        if column not in values:
            continue
        value = (values[column] or "").strip() or None
        if value != getattr(order, column):
            setattr(order, column, value)
            changed.append(column)
    if not changed:
        return []
    session.add(order)
    current = partners.details(order)
    touched = {partners.detail_of(column) for column in changed}
    to, payloads = {}, {}
    for handoff in service.handoffs(session, order):
        if handoff.status != HandoffStatus.READY:
            continue
        got = set(filter(None, handoff.fields.split(","))) & touched
        if got and order.number:
            to[handoff.partner_slug] = [order.number]
            payloads[handoff.partner_slug] = {detail: current[detail] for detail in sorted(got)}
    notices = partners.notify(
        session, user_id=user.id, kind=NoticeKind.CORRECTION, payloads=payloads, to=to
    )
    told = partners.told(notices)
    outcome = f"gegevens bij bestelling {order.number} gecorrigeerd"
    requests.record_done(
        session,
        user_id=user.id,
        kind=RequestKind.CORRECTION,
        outcome=outcome + (f"; {told}" if told else ""),
        by=by,
        request=request,
    )
    return changed


def _arrived(sent: PartnerDelivery | None) -> bool:
    """Only a delivery that succeeded counts as passed on."""
    return sent is not None and sent.status == DeliveryStatus.DELIVERED


class ShopData(DataHandler):
    def panels(self, session: Session, asking: Asking) -> list[Panel]:
        got = received(session, asking.user.id)
        notices = partners.notices_of(session, asking.user.id)
        sent = delivery.by_handoff(session, [id_of(h) for h, _ in got])
        told = delivery.by_notice(session, [id_of(n) for n in notices])
        rows = [
            {
                "wanneer": handoff.created_at,
                "partner": service.partner_name(handoff.partner_slug),
                "bestelling": order.number,
                "gegevens": handoff.fields.replace(",", ", "),
                "doorgegeven": _arrived(sent.get(id_of(handoff))),
            }
            for handoff, order in got
        ]
        rows += [
            {
                "wanneer": notice.created_at,
                "partner": service.partner_name(notice.partner_slug),
                "bestelling": notice.order_numbers.replace(",", ", "),
                "gegevens": f"bericht: {notice.kind}",
                "doorgegeven": _arrived(told.get(id_of(notice))),
            }
            for notice in notices
        ]
        # Only partners that have the data: what is still on its way is not "received".
        recipients = sorted(
            {
                service.partner_name(handoff.partner_slug)
                for handoff, _ in got
                if _arrived(sent.get(id_of(handoff)))
            }
        )
        return [
            Panel(
                key="partners",
                title="Wie kreeg je gegevens",
                template="shop/_privacy_received.html",
                rows=rows,
                context={
                    "received": got,
                    "notices": notices,
                    "sent": sent,
                    "told": told,
                    "partner_name": service.partner_name,
                    "field_names": field_names,
                },
                information={"ontvangers": {"partners die gegevens van je kregen": recipients}},
                export=False,
            )
        ]

    def withdraw(self, session: Session, user: Any, scope: str) -> str | None:
        if not scope.startswith("partner:"):
            return None
        delivery.cancel_handoffs(session, user.id, partner=scope.split(":", 1)[1])
        notices = partners.notify(
            session, user_id=user.id, kind=NoticeKind.WITHDRAWAL, only=scope.split(":", 1)[1]
        )
        return partners.told(notices)

    def corrections(self, session: Session, user: Any) -> list[Correction]:
        return [
            Correction(
                f"Naam, contact- en adresgegevens bij bestelling {order.number}",
                url_for("shop.correct_order", number=order.number),
            )
            for order in correctable_orders(session, user.id)
        ]

    def restriction_changed(self, session: Session, user: Any, *, on: bool) -> str | None:
        kind = NoticeKind.RESTRICTION if on else NoticeKind.LIFTING
        if on:
            delivery.cancel_handoffs(session, user.id)
        return partners.told(partners.notify(session, user_id=user.id, kind=kind))

    def before_erasure(self, session: Session, user: Any) -> str | None:
        delivery.cancel_handoffs(session, user.id)
        return partners.told(partners.notify(session, user_id=user.id, kind=NoticeKind.ERASURE))

    def retention(self, session: Session, *, now: datetime, dry_run: bool) -> list[RetentionLine]:
        """Orders never paid lose the customer's details 30 days after they ended.

        An order ended when its last payment last changed (failed, cancelled or expired at
        Mollie), or when it was made if no payment was ever started. One still waiting for a
        payment that is under way at Mollie has not ended."""
        category = category_for(Order.__tablename__)
        if category is None or not category.anonymise:
            return []
        table = table_of(Order)
        payments = table_of(PaymentRow)
        last_change = (
            sa.select(sa.func.max(payments.c.updated_at))
            .where(payments.c.order_id == table.c.id)
            .scalar_subquery()
        )
        under_way = sa.exists().where(
            payments.c.order_id == table.c.id,
            payments.c.status.in_([s for s in PaymentStatus if s.is_open]),
        )
        ended = sa.func.coalesce(last_change, table.c.created_at)
        where = sa.and_(
            table.c.status != OrderStatus.PAID,
            sa.not_(sa.and_(table.c.status == OrderStatus.PENDING, under_way)),
            ended <= now - UNPAID_DETAILS,
            sa.or_(*(table.c[name].is_not(None) for name in category.anonymise)),
        )
        connection = session.connection()
        if dry_run:
            counted = connection.execute(sa.select(sa.func.count()).select_from(table).where(where))
            would = f"zou(den) worden ingekort ({UNPAID})"
            return [RetentionLine(category, counted.scalar_one(), would)]
        values = dict.fromkeys(category.anonymise)
        count = connection.execute(sa.update(table).where(where).values(**values)).rowcount
        session.commit()
        return [RetentionLine(category, count, f"ingekort ({UNPAID})")]


# --- how the shop's rows read on the access page and in the download ----------------------------

METHODS = {"ideal": "iDEAL", "creditcard": "creditcard", "bancontact": "Bancontact"}


def _amounts(row: dict) -> dict:
    """Every amount in cents as euros ("€ 129,00")."""
    return {
        key: euro(value) if key.endswith("_cents") and isinstance(value, int) else value
        for key, value in row.items()
    }


def _readable_payload(raw: object) -> str:
    """{"name": "Koos", "phone": "06…"} as "naam: Koos; telefoonnummer: 06…"."""
    try:
        data = json.loads(str(raw or "{}"))
    except ValueError:
        return str(raw)
    if not isinstance(data, dict):
        return str(raw)
    return "; ".join(f"{FIELD_NAMES.get(k, k)}: {v}" for k, v in data.items()) or "niets"


def present_order(row: dict) -> dict:
    status = OrderStatus.parse(row.get("status"))
    return {**_amounts(row), "status": status.label if status else row.get("status")}


def present_payment(row: dict) -> dict:
    status = PaymentStatus.parse(row.get("status"))
    method = row.get("method")
    return {
        **_amounts(row),
        "status": status.label if status else row.get("status"),
        "method": METHODS.get(str(method), method),
    }


def present_refund(row: dict) -> dict:
    status = RefundStatus.parse(row.get("status"))
    return {**_amounts(row), "status": status.label if status else row.get("status")}


def present_handoff(row: dict) -> dict:
    status = HandoffStatus.parse(row.get("status"))
    return {
        **row,
        "status": status.label if status else row.get("status"),
        "fields": field_names(row.get("fields")),
        "payload": _readable_payload(row.get("payload")),
    }


def present_notice(row: dict) -> dict:
    return {**row, "payload": _readable_payload(row.get("payload"))}


def present_delivery(row: dict) -> dict:
    status = DeliveryStatus.parse(row.get("status"))
    channel = DeliveryChannel.parse(row.get("channel"))
    return {
        **row,
        "status": status.label if status else row.get("status"),
        "channel": channel.label if channel else row.get("channel"),
    }


PRESENTERS = {
    "shop_order": present_order,
    "shop_order_line": lambda row: _amounts(lines.present_row(row)),
    "shop_payment": present_payment,
    "shop_refund": present_refund,
    "shop_handoff": present_handoff,
    "privacy_partner_notice": present_notice,
    "shop_partner_delivery": present_delivery,
}
