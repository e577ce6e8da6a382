"""Catching up on missed webhooks (`flask shop sync-payments`, from cron every 15 minutes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from mollie.api.error import Error as MollieError
from sqlmodel import Session, col, select

from app.db import utcnow
from app.payments import mollie
from app.payments.models import PaymentRow, PaymentStatus, RefundRow, RefundStatus
from app.payments.payables import payables
from app.payments.service import fetch, settle

RECONCILE_AFTER = timedelta(minutes=15)


def reconcile(session: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Fetch what a missed webhook would have told us: for anything older than 15 minutes,
    payments still open and paid payments with a refund still under way; and, whatever their
    age, paid payments that did not settle their payable (a paid payment on a payable that is
    not paid, or an extra payment not yet refunded)."""
    cutoff = (now or utcnow()) - RECONCILE_AFTER
    waiting = select(PaymentRow).where(
        col(PaymentRow.status).in_([status for status in PaymentStatus if status.is_open]),
        col(PaymentRow.created_at) < cutoff,
    )
    refunding = select(PaymentRow).where(
        PaymentRow.status == PaymentStatus.PAID,
        col(PaymentRow.order_id).in_(
            select(RefundRow.order_id).where(
                col(RefundRow.status).in_([status for status in RefundStatus if status.unsettled]),
                col(RefundRow.created_at) < cutoff,
            )
        ),
    )
    unsettled = select(PaymentRow).where(
        PaymentRow.status == PaymentStatus.PAID,
        col(PaymentRow.surplus_refund_id).is_(None),
        col(PaymentRow.mollie_id).not_in(payables().paying_payments()),
    )
    rows = {
        row.id: row
        for query in (waiting, refunding, unsettled)
        for row in session.exec(query).all()
    }
    counts = {"checked": 0, "changed": 0, "errors": 0, "refunds": 0, "extra": 0}
    client = mollie.client()
    for row in rows.values():
        counts["checked"] += 1
        before, was_surplus = row.status, row.is_surplus
        try:
            payment, found = fetch(client, row.mollie_id)
        except MollieError:
            counts["errors"] += 1
            continue
        _, refunds_changed = settle(session, payment, found)
        session.refresh(row)
        counts["changed"] += payment.status != before
        counts["refunds"] += refunds_changed
        counts["extra"] += row.is_surplus and not was_surplus
    return counts
