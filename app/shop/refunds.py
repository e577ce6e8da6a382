"""Refunds of paid orders: staff ask Mollie for one, and Mollie's later word on each refund
(pending, processing, refunded, failed, canceled) is copied onto our rows.

A refund that failed or was canceled moved no money, so it does not count in the refunded total
that staff and the customer see, and that amount can be refunded again. Mollie announces refund
changes through the payment's webhook (with the payment's id), so whoever fetches a payment also
fetches its refunds: the webhook, the order page and `flask shop sync-payments`.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from mollie.api.error import Error as MollieError
from mollie.api.objects.payment import Payment
from mollie.api.objects.refund import Refund
from sqlmodel import Session, select

from app.mail import service as mail
from app.payments import mollie
from app.shop import service
from app.shop.models import (
    PAID,
    REFUND_FINAL,
    REFUND_NO_MONEY,
    REFUND_STATUSES,
    REFUND_UNSETTLED,
    Order,
    PaymentRow,
    RefundRow,
)
from app.shop.money import mollie_amount
from app.urls import public_url

log = logging.getLogger(__name__)

PAGE_SIZE = 250  # Mollie's maximum


class RefundUnavailable(Exception):
    """Mollie could not be reached or refused the refund; nothing was refunded."""


def fetch(payment: Payment) -> list[Refund]:
    """Every refund of `payment` as Mollie has it now (GET /v2/payments/{id}/refunds, all
    pages). No call when the payment has no refunds link. Raises mollie's Error."""
    if not payment.has_refunds():
        return []
    page = payment.refunds.list(limit=PAGE_SIZE)
    found = list(page)
    while page.has_next():
        page = page.get_next()
        found.extend(page)
    return found


def apply(session: Session, payment_id: str, found: list[Refund]) -> list[RefundRow]:
    """Copy the statuses in `found` (the refunds of payment `payment_id`) onto our refund rows
    and recount the order's refunded total. Returns the rows this call moved.

    Each move is a compare-and-set on the row's old status, so when two deliveries of the same
    news arrive at once only one of them moves the row (and only that one tells the customer,
    through `tell_undone` after the commit). A refund in a final state never moves again;
    refunds made outside the shop (the Mollie dashboard) are not ours and are left alone."""
    payment_row = session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment_id)).first()
    if payment_row is None:
        return []
    statuses = {refund.id: refund.status for refund in found}
    rows = _rows(session, payment_row.order_id)
    moved = []
    for row in rows:
        status = statuses.get(row.mollie_refund_id)
        if status is None or status == row.status or row.status in REFUND_FINAL:
            continue
        if status not in REFUND_STATUSES:
            log.warning("refund %s has an unknown status %r", row.mollie_refund_id, status)
            continue
        won = session.execute(
            sa.update(RefundRow)
            .where(RefundRow.id == row.id, RefundRow.status == row.status)
            .values(status=status)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won == 1:
            moved.append(row)
    for row in rows:  # as the database has them now, whoever moved them
        session.refresh(row)
    order = session.get(Order, payment_row.order_id)
    if order is not None:
        order.refunded_cents = _counted(rows)
        session.add(order)
    return moved


def tell_undone(session: Session, moved: list[RefundRow]) -> None:
    """Queue, in the transaction that moved them, a message to the customer for each refund in
    `moved` that failed or was canceled (they were told it was on its way)."""
    for row in moved:
        if row.status in REFUND_NO_MONEY:
            tell_customer(session, session.get(Order, row.order_id), row.amount_cents, failed=True)


def unsettled(session: Session, order: Order) -> bool:
    """Whether a refund of this order may still change (so it is worth asking Mollie)."""
    return (
        session.exec(
            select(RefundRow.id).where(
                RefundRow.order_id == order.id, RefundRow.status.in_(REFUND_UNSETTLED)
            )
        ).first()
        is not None
    )


def paying_payment(session: Session, order: Order) -> PaymentRow | None:
    """The payment that paid `order` (not an extra payment that came in after it)."""
    if order.paid_with is not None:
        return session.exec(
            select(PaymentRow).where(PaymentRow.mollie_id == order.paid_with)
        ).first()
    return session.exec(
        select(PaymentRow)
        .where(
            PaymentRow.order_id == order.id,
            PaymentRow.status == "paid",
            PaymentRow.surplus_at.is_(None),
        )
        .order_by(PaymentRow.id)
    ).first()


def refund(
    session: Session, *, order: Order, amount_cents: int, staff_id: int, reason: str
) -> RefundRow:
    """Refund part or all of a paid order through Mollie, and tell the customer.

    The idempotency key (the order's random key and its refunds so far) makes a retry after a
    lost answer get the same refund back, while a new refund after a failed one is really
    made. Only the payment that paid the order is refunded here, never an extra payment (that
    one goes back whole, see `payments.py`). Raises ShopError
    (not paid, wrong amount) or RefundUnavailable (Mollie unreachable or refusing)."""
    if order.status != PAID:
        raise service.ShopError("Alleen een betaalde bestelling kan worden terugbetaald.")
    remaining = order.total_cents - order.refunded_cents
    if not 0 < amount_cents <= remaining:
        raise service.ShopError("Het bedrag moet tussen € 0,01 en het resterende bedrag liggen.")
    paid = paying_payment(session, order)
    if paid is None:
        raise service.ShopError("Er is geen betaling gevonden om terug te betalen.")
    earlier = _rows(session, order.id)
    client = mollie.client()
    try:
        created = mollie.payment_stub(client, paid.mollie_id).refunds.create(
            {
                "amount": mollie_amount(amount_cents),
                "description": f"Terugbetaling {order.number}"[:140],
            },
            idempotency_key=(
                f"zorggenoot-{order.idempotency_key}-refund-{len(earlier) + 1}-{amount_cents}"
            ),
        )
    except MollieError as error:
        log.error("refund for order %s failed: %s", order.number, type(error).__name__)
        raise RefundUnavailable from error
    known = session.exec(select(RefundRow).where(RefundRow.mollie_refund_id == created.id)).first()
    if known is not None:  # Mollie replayed a refund that a parallel request already stored
        return known
    row = RefundRow(
        order_id=order.id,
        mollie_refund_id=created.id,
        amount_cents=amount_cents,
        status=created.status,
        reason=reason[:200],
        staff_id=staff_id,
    )
    session.add(row)
    order.refunded_cents = _counted([*earlier, row])
    session.add(order)
    tell_customer(session, order, amount_cents, failed=False)
    session.commit()
    return row


def tell_customer(
    session: Session, order: Order, amount_cents: int, *, failed: bool, surplus: bool = False
) -> None:
    """Queue an e-mail telling the customer that a refund is on its way, or that it did not
    happen; `surplus` for the refund of a payment the order did not need (paid twice). The
    caller commits."""
    subject = f"Terugbetaling voor bestelling {order.number}"
    template = "order_refund_failed" if failed else "order_refund"
    if surplus:
        subject, template = (
            f"Je betaalde twee keer voor bestelling {order.number}",
            "order_surplus_refund",
        )
    mail.send(
        session,
        to=order.customer_email,
        user_id=order.user_id,
        subject=f"{subject} is niet gelukt" if failed else subject,
        template=template,
        order=order,
        amount_cents=amount_cents,
        order_url=public_url("shop.order", number=order.number),
    )


def _rows(session: Session, order_id: int) -> list[RefundRow]:
    return list(
        session.exec(select(RefundRow).where(RefundRow.order_id == order_id).order_by(RefundRow.id))
    )


def _counted(rows: list[RefundRow]) -> int:
    return sum(row.amount_cents for row in rows if row.status not in REFUND_NO_MONEY)
