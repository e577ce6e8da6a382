"""Extra payments: a paid payment that its payable did not need (it was paid with another one,
or this one could not pay it). It is marked once, refunded whole through Mollie, and the
payable's feature is told (it tells the customer and staff).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from mollie.api.error import Error as MollieError
from mollie.api.objects.refund import Refund
from sqlmodel import Session, col, select

from app.db import changed_one, utcnow
from app.payments import mollie
from app.payments.models import PaymentRow, RefundStatus
from app.payments.payables import payables

log = logging.getLogger(__name__)


def claim(session: Session, row: PaymentRow) -> bool:
    """Mark a paid payment as not needed. True for the one call that marked it: that call has
    staff told."""
    if row.is_surplus:
        return False
    claimed = changed_one(
        session,
        sa.update(PaymentRow)
        .where(col(PaymentRow.id) == row.id, col(PaymentRow.surplus_at).is_(None))
        .values(surplus_at=utcnow()),
    )
    session.refresh(row)
    if claimed:
        log.warning("payment %s (payable %s) was not needed", row.mollie_id, row.order_id)
    return claimed


def settle(session: Session, row: PaymentRow, found: list[Refund], *, new: bool) -> None:
    """After the commit: refund an extra payment that has no refund yet, and tell the
    payable's feature when it was refunded now or found extra now (`new`)."""
    if not row.is_surplus:
        return
    refunded_now = row.surplus_refund_id is None and _refund(session, row, found)
    if refunded_now or new:
        payables().extra_payment(session, row.order_id, row, refunded=refunded_now, new=new)
    session.commit()


def _refund(session: Session, row: PaymentRow, found: list[Refund]) -> bool:
    """Give an extra payment back in full through Mollie. True when this call recorded the
    refund. A refund Mollie already has for it (an answer that got lost) is taken as it is."""
    made = next((refund for refund in found if _moved_money(refund)), None)
    if made is None:
        payable = payables().payable(session, row.order_id)
        try:
            made = mollie.payment_stub(mollie.client(), row.mollie_id).refunds.create(
                {
                    "amount": mollie.amount(row.amount_cents),
                    "description": f"Dubbele betaling {payable.reference}"[:140],
                },
                idempotency_key=f"zorggenoot-{payable.key}-extra-{row.mollie_id}",
            )
        except MollieError as error:
            log.error(
                "extra payment for %s not refunded: %s", payable.reference, type(error).__name__
            )
            return False
    recorded = changed_one(
        session,
        sa.update(PaymentRow)
        .where(col(PaymentRow.id) == row.id, col(PaymentRow.surplus_refund_id).is_(None))
        .values(surplus_refund_id=made.id),
    )
    session.commit()
    session.refresh(row)
    return recorded


def _moved_money(refund: Refund) -> bool:
    status = RefundStatus.parse(refund.status)
    return status is None or status.moved_money


def payments_of(session: Session, payable_id: int) -> list[PaymentRow]:
    """The extra payments of a payable (paid when it no longer needed them)."""
    return list(
        session.exec(
            select(PaymentRow)
            .where(PaymentRow.order_id == payable_id, col(PaymentRow.surplus_at).is_not(None))
            .order_by(col(PaymentRow.id))
        )
    )


def marked(session: Session, payable_ids: list[int]) -> set[int]:
    """Which of these payables had a payment too many (staff see a mark on them)."""
    if not payable_ids:
        return set()
    return set(
        session.exec(
            select(PaymentRow.order_id).where(
                col(PaymentRow.order_id).in_(payable_ids), col(PaymentRow.surplus_at).is_not(None)
            )
        )
    )
