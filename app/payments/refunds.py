"""Refunds of paid payables: ask Mollie for one, and copy Mollie's later word on each refund
(pending, processing, refunded, failed, canceled) onto our rows.

A refund that failed or was canceled moved no money, so it does not count in the refunded
total, and that amount can be refunded again. Mollie announces refund changes through the
payment's webhook (with the payment's id), so whoever fetches a payment also fetches its
refunds: the webhook, the order page and `flask shop sync-payments`.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from mollie.api.error import Error as MollieError
from mollie.api.objects.payment import Payment
from mollie.api.objects.refund import Refund
from sqlmodel import Session, col, select

from app.db import changed_one
from app.payments import mollie
from app.payments.models import PaymentRow, PaymentStatus, RefundRow, RefundStatus
from app.payments.payables import Payable, payables

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


def apply(session: Session, payment: PaymentRow, found: list[Refund]) -> list[RefundRow]:
    """Copy the statuses in `found` (the refunds of `payment`) onto our refund rows, and tell
    the payable's feature which rows moved and what is refunded now. Returns the rows this
    call moved.

    Each move is a compare-and-set on the row's old status, so when two deliveries of the same
    news arrive at once only one of them moves the row (and only that one tells the feature).
    A refund in a final state never moves again; refunds made outside the site (the Mollie
    dashboard) are not ours and are left alone."""
    statuses = {refund.id: refund.status for refund in found}
    rows = of(session, payment.order_id)
    moved = []
    for row in rows:
        raw = statuses.get(row.mollie_refund_id)
        if raw is None or raw == row.status or row.status.is_final:
            continue
        status = RefundStatus.parse(raw)
        if status is None:
            log.warning("refund %s has an unknown status %r", row.mollie_refund_id, raw)
            continue
        if changed_one(
            session,
            sa.update(RefundRow)
            .where(col(RefundRow.id) == row.id, col(RefundRow.status) == row.status)
            .values(status=status),
        ):
            moved.append(row)
    for row in rows:  # as the database has them now, whoever moved them
        session.refresh(row)
    payables().refunds_moved(session, payment.order_id, moved, _counted(rows))
    return moved


def unsettled(session: Session, payable_id: int) -> bool:
    """Whether a refund of this payable may still change (so it is worth asking Mollie)."""
    may_change = [status for status in RefundStatus if status.unsettled]
    return (
        session.exec(
            select(RefundRow.id).where(
                RefundRow.order_id == payable_id, col(RefundRow.status).in_(may_change)
            )
        ).first()
        is not None
    )


def paying_payment(session: Session, payable: Payable) -> PaymentRow | None:
    """The payment that paid `payable` (not an extra payment that came in after it)."""
    if payable.paid_with is not None:
        return session.exec(
            select(PaymentRow).where(PaymentRow.mollie_id == payable.paid_with)
        ).first()
    return session.exec(
        select(PaymentRow)
        .where(
            PaymentRow.order_id == payable.id,
            PaymentRow.status == PaymentStatus.PAID,
            col(PaymentRow.surplus_at).is_(None),
        )
        .order_by(col(PaymentRow.id))
    ).first()


def refund(
    session: Session,
    payment: PaymentRow,
    payable: Payable,
    *,
    amount_cents: int,
    staff_id: int,
    reason: str,
) -> tuple[RefundRow, bool]:
    """Refund `amount_cents` of `payment` (the payment that paid `payable`) through Mollie, and
    keep the refund; the caller checks the amount and commits. Returns the refund and whether
    this call stored it (False: Mollie replayed a refund that a parallel request stored).

    The idempotency key (the payable's random key and its refunds so far) makes a retry after
    a lost answer get the same refund back, while a new refund after a failed one is really
    made. Raises RefundUnavailable (Mollie unreachable or refusing)."""
    earlier = of(session, payable.id)
    try:
        created = mollie.payment_stub(mollie.client(), payment.mollie_id).refunds.create(
            {
                "amount": mollie.amount(amount_cents),
                "description": f"Terugbetaling {payable.reference}"[:140],
            },
            idempotency_key=(f"zorggenoot-{payable.key}-refund-{len(earlier) + 1}-{amount_cents}"),
        )
    except MollieError as error:
        log.error("refund for %s failed: %s", payable.reference, type(error).__name__)
        raise RefundUnavailable from error
    known = session.exec(select(RefundRow).where(RefundRow.mollie_refund_id == created.id)).first()
    if known is not None:
        return known, False
    status = RefundStatus.parse(created.status)
    if status is None:  # not documented by Mollie; it is asked again until it settles
        log.warning("refund %s has an unknown status %r", created.id, created.status)
        status = RefundStatus.PENDING
    row = RefundRow(
        order_id=payable.id,
        mollie_refund_id=created.id,
        amount_cents=amount_cents,
        status=status,
        reason=reason[:200],
        staff_id=staff_id,
    )
    session.add(row)
    return row, True


def of(session: Session, payable_id: int) -> list[RefundRow]:
    """The refunds of a payable, oldest first."""
    return list(
        session.exec(
            select(RefundRow).where(RefundRow.order_id == payable_id).order_by(col(RefundRow.id))
        )
    )


def refunded_cents(session: Session, payable_id: int) -> int:
    """What is refunded of a payable, or on its way: failed and canceled refunds do not
    count."""
    return _counted(of(session, payable_id))


def _counted(rows: list[RefundRow]) -> int:
    return sum(row.amount_cents for row in rows if row.status.moved_money)
