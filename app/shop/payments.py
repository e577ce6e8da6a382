"""Paying an order with Mollie: create the payment, apply what Mollie says (with the state of
its refunds, see `refunds.py`), and catch up on missed webhooks.

Invariant 7: the webhook trusts nothing but the API. It reads only the id, fetches the payment,
and applies the status idempotently: an order moves out of "pending" once, with a
compare-and-set update, so two deliveries at the same moment make one transition and one e-mail.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import NotFoundError
from mollie.api.objects.payment import Payment
from mollie.api.objects.refund import Refund
from sqlmodel import Session, select

from app.db import utcnow
from app.mail import service as mail
from app.payments import mollie
from app.shop import refunds, service
from app.shop.models import (
    CANCELED,
    EXPIRED,
    FAILED,
    PAID,
    PENDING,
    REFUND_UNSETTLED,
    Order,
    PaymentRow,
    RefundRow,
)
from app.shop.money import mollie_amount
from app.urls import public_url

log = logging.getLogger(__name__)

PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{1,40}$")
FINAL_PAYMENT = {"paid": PAID, "failed": FAILED, "canceled": CANCELED, "expired": EXPIRED}
OPEN_PAYMENT = ("open", "pending", "authorized")
RECONCILE_AFTER = timedelta(minutes=15)


class PaymentUnavailable(Exception):
    """Mollie could not be reached or refused the request; nothing is lost, try again."""


def start(session: Session, order: Order) -> str:
    """The checkout URL for an order waiting for payment: the open payment if there is one,
    otherwise a new payment. The idempotency key comes from the order and attempt, so a retry
    after a lost answer never creates a second payment. Raises PaymentUnavailable."""
    if order.status != PENDING:
        raise service.ShopError("Deze bestelling wacht niet meer op betaling.")
    client = mollie.client()
    latest = _latest(session, order)
    try:
        if latest is not None and latest.status in OPEN_PAYMENT:
            payment = client.payments.get(latest.mollie_id)
            apply(session, payment)
            if payment.status == "open" and payment.checkout_url:
                return payment.checkout_url
            if latest.status in OPEN_PAYMENT:
                raise service.ShopError(
                    "Je betaling wordt nog verwerkt door je bank. Wacht even en vernieuw de pagina."
                )
        attempt = latest.attempt + 1 if latest is not None else 1
        payment = client.payments.create(
            {
                "amount": mollie_amount(order.total_cents),
                "description": f"Bestelling {order.number} bij Zorggenoot",
                "redirectUrl": public_url("shop.order", number=order.number),
                "webhookUrl": public_url("shop.webhook"),
                "locale": "nl_NL",
                "metadata": {"order_id": order.id, "order_number": order.number},
            },
            idempotency_key=f"zorggenoot-{order.number}-{attempt}",
        )
    except MollieError as error:
        # No personal data in the log: the order number and the kind of failure are enough.
        log.error(
            "payment for order %s could not be started: %s", order.number, type(error).__name__
        )
        raise PaymentUnavailable from error
    row = session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment.id)).first()
    if row is None:
        session.add(
            PaymentRow(
                order_id=order.id,
                mollie_id=payment.id,
                attempt=attempt,
                status=payment.status,
                amount_cents=order.total_cents,
            )
        )
    order.payment_attempts = attempt
    if not payment.checkout_url:
        raise PaymentUnavailable
    return payment.checkout_url


def _latest(session: Session, order: Order) -> PaymentRow | None:
    return session.exec(
        select(PaymentRow)
        .where(PaymentRow.order_id == order.id)
        .order_by(PaymentRow.attempt.desc(), PaymentRow.id.desc())
    ).first()


def apply(session: Session, payment: Payment) -> bool:
    """Apply a payment as fetched from Mollie. Returns True when this call moved the order to
    paid (so the caller sends the confirmation, once). Safe twice and out of order."""
    row = session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment.id)).first()
    if row is None:
        return False
    row.status, row.method, row.updated_at = payment.status, payment.method, utcnow()
    order = session.get(Order, row.order_id)
    target = FINAL_PAYMENT.get(payment.status)
    if target is None:
        return False
    if target != PAID and row.attempt < order.payment_attempts:
        return False  # an older attempt failing does not touch a newer one
    moved = (
        session.execute(
            sa.update(Order)
            .where(Order.id == order.id, Order.status == PENDING)
            .values(status=target, paid_at=utcnow() if target == PAID else None)
        ).rowcount
        == 1
    )
    session.refresh(order)
    if moved and target == PAID:
        service.hand_off(session, order)
    return moved and target == PAID


def _fetch(client: Client, payment_id: str) -> tuple[Payment, list[Refund]]:
    """A payment and its refunds as Mollie has them now. Raises mollie's Error."""
    payment = client.payments.get(payment_id)
    return payment, refunds.fetch(payment)


def _apply_fetched(session: Session, payment: Payment, found: list[Refund]) -> tuple[bool, int]:
    """Apply a fetched payment and its refunds, and commit. Returns (paid now, refunds changed)."""
    paid_now = apply(session, payment)
    moved = refunds.apply(session, payment.id, found)
    refunds.tell_undone(session, moved)
    session.commit()
    return paid_now, len(moved)


def handle_webhook(session: Session, payment_id: str) -> int:
    """The HTTP status for Mollie: 200 for done, unknown or malformed ids; 503 when Mollie or
    the database is unreachable, so Mollie tries again later. Mollie calls this for refund
    changes too (with the payment's id), so the refunds are fetched with the payment."""
    if not PAYMENT_ID.match(payment_id or ""):
        return 200
    if session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment_id)).first() is None:
        return 200
    try:
        payment, found = _fetch(mollie.client(), payment_id)
    except NotFoundError:
        return 200
    except MollieError as error:
        log.warning("webhook: payment could not be fetched: %s", type(error).__name__)
        return 503
    paid_now, _ = _apply_fetched(session, payment, found)
    if paid_now:
        row = session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment_id)).one()
        send_confirmation(session, session.get(Order, row.order_id))
    return 200


def refresh(session: Session, order: Order) -> None:
    """Ask Mollie about what may still change: the newest payment while the order waits for
    it (the return page), the paid payment while a refund is under way (the order page)."""
    latest = _latest(session, order)
    if latest is None:
        return
    if latest.status not in OPEN_PAYMENT:
        latest = _paid(session, order) if refunds.unsettled(session, order) else None
        if latest is None:
            return
    try:
        payment, found = _fetch(mollie.client(), latest.mollie_id)
    except MollieError as error:
        log.warning("order page: payment could not be fetched: %s", type(error).__name__)
        return
    paid_now, _ = _apply_fetched(session, payment, found)
    if paid_now:
        send_confirmation(session, order)


def _paid(session: Session, order: Order) -> PaymentRow | None:
    return session.exec(
        select(PaymentRow).where(PaymentRow.order_id == order.id, PaymentRow.status == "paid")
    ).first()


def send_confirmation(session: Session, order: Order) -> bool:
    """Queue the order confirmation exactly once (a compare-and-set on the order guards it,
    in the same transaction as the queued message)."""
    claimed = (
        session.execute(
            sa.update(Order)
            .where(Order.id == order.id, Order.confirmation_sent_at.is_(None))
            .values(confirmation_sent_at=utcnow())
        ).rowcount
        == 1
    )
    if not claimed:
        session.commit()
        return False
    session.refresh(order)
    lines = service.order_lines(session, order)
    catalogue = service.catalogue()
    mail.send(
        session,
        to=order.customer_email,
        user_id=order.user_id,
        subject=f"Bevestiging van je bestelling {order.number}",
        template="order_confirmation",
        order=order,
        lines=lines,
        vat=service.order_vat(lines),
        partners={line.partner_slug: catalogue.partners.get(line.partner_slug) for line in lines},
        products={line.product_slug: catalogue.products.get(line.product_slug) for line in lines},
        order_url=public_url("shop.order", number=order.number),
        withdrawal_url=public_url("hub.page", slug="herroepingsrecht"),
    )
    session.commit()
    return True


def reconcile(session: Session, *, now=None) -> dict[str, int]:
    """Fetch what a missed webhook would have told us, for anything older than 15 minutes:
    payments still open, and paid payments with a refund still under way."""
    cutoff = (now or utcnow()) - RECONCILE_AFTER
    waiting = select(PaymentRow).where(
        PaymentRow.status.in_(OPEN_PAYMENT), PaymentRow.created_at < cutoff
    )
    refunding = select(PaymentRow).where(
        PaymentRow.status == "paid",
        PaymentRow.order_id.in_(
            select(RefundRow.order_id).where(
                RefundRow.status.in_(REFUND_UNSETTLED), RefundRow.created_at < cutoff
            )
        ),
    )
    rows = [*session.exec(waiting).all(), *session.exec(refunding).all()]
    counts = {"checked": 0, "changed": 0, "errors": 0, "refunds": 0}
    client = mollie.client()
    for row in rows:
        counts["checked"] += 1
        before = row.status
        try:
            payment, found = _fetch(client, row.mollie_id)
        except MollieError:
            counts["errors"] += 1
            continue
        paid_now, refunds_changed = _apply_fetched(session, payment, found)
        counts["changed"] += payment.status != before
        counts["refunds"] += refunds_changed
        if paid_now:
            send_confirmation(session, session.get(Order, row.order_id))
    return counts
