"""Invoice and credit-note numbers, and credit notes for refunds.

An invoice exists when an order is paid: only then does it get an invoice number, in the same
transaction that marks it paid, so an order that is never paid leaves no gap. A refund gets a
credit note, with a number of its own series, when Mollie has carried it out (status
"refunded"): a refund that fails or is canceled moved no money and gets none. Numbers run per
calendar year in Dutch time (Europe/Amsterdam): `F2026-000001` for invoices, `C2026-000001`
for credit notes.

The next number comes from one counter row per series and year, taken with a single
insert-or-update that returns the new value. The row stays locked until the transaction ends,
so concurrent payments take numbers one after the other, and a transaction that rolls back
gives its number back with everything else it did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.db import changed_one, id_of, utcnow
from app.payments.models import RefundRow, RefundStatus
from app.shop.models import CreditNote, InvoiceCounter, Order, OrderLine
from app.shop.money import VatLine, vat_in_gross

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
INVOICE = "F"
CREDIT_NOTE = "C"


def local_year(moment: datetime) -> int:
    """The calendar year of a moment in Dutch time."""
    return moment.astimezone(AMSTERDAM).year


def number_text(series: str, year: int, sequence: int) -> str:
    return f"{series}{year}-{sequence:06d}"


def next_number(session: Session, series: str, year: int) -> str:
    """Take the next number of `series` in `year` (the caller's transaction keeps the counter
    row locked until it ends; a rollback gives the number back)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = InvoiceCounter.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(series=series, year=year, last=1)
        .on_conflict_do_update(
            index_elements=["series", "year"], set_={"last": table.c["last"] + 1}
        )
        .returning(table.c["last"])
    )
    sequence = session.execute(statement).scalar_one()
    return number_text(series, year, sequence)


def assign_invoice_number(session: Session, order: Order) -> str | None:
    """Give a paid order its invoice number, once (the caller commits). Returns the number, or
    None for an order that is not paid."""
    if order.invoice_number is not None:
        return order.invoice_number
    if order.paid_at is None:
        return None
    number = next_number(session, INVOICE, local_year(order.paid_at))
    if not changed_one(
        session,
        sa.update(Order)
        .where(col(Order.id) == order.id, col(Order.invoice_number).is_(None))
        .values(invoice_number=number),
    ):  # pragma: no cover - the paid transition happens once, so this cannot be
        raise RuntimeError(f"order {order.number} already has an invoice number")
    session.refresh(order)
    return number


def split_by_rate(
    amount_cents: int, gross: dict[int, int], credited: dict[int, int]
) -> dict[int, int]:
    """What a refund of `amount_cents` takes back per BTW rate: in proportion to what is still
    open per rate (`gross` paid minus `credited` before), rounded so the parts add up to the
    amount exactly (the largest remainders get the spare cents) and never more than is open."""
    open_ = {rate: gross[rate] - credited.get(rate, 0) for rate in gross}
    total_open = sum(open_.values())
    if not 0 < amount_cents <= total_open:
        raise ValueError(f"cannot credit {amount_cents} of {total_open}")
    parts = {rate: amount_cents * left // total_open for rate, left in open_.items()}
    spare = amount_cents - sum(parts.values())
    by_remainder = sorted(
        open_, key=lambda rate: (-(amount_cents * open_[rate] % total_open), -rate)
    )
    for rate in by_remainder:
        if spare == 0:
            break
        if parts[rate] < open_[rate]:
            parts[rate] += 1
            spare -= 1
    return {rate: cents for rate, cents in parts.items() if cents}


def rates_of(note: CreditNote) -> dict[int, int]:
    return {int(rate): int(cents) for rate, cents in json.loads(note.rates).items()}


def vat_lines(gross_by_rate: dict[int, int]) -> list[VatLine]:
    """BTW per rate of gross amounts per rate, highest rate first."""
    return [
        VatLine(rate, cents, vat_in_gross(cents, rate))
        for rate, cents in sorted(gross_by_rate.items(), reverse=True)
    ]


def gross_by_rate(lines: list[OrderLine]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for line in lines:
        totals[line.vat_rate] = totals.get(line.vat_rate, 0) + line.line_total_cents
    return totals


def credit_notes(session: Session, order_id: int) -> list[CreditNote]:
    """The credit notes of an order, oldest first."""
    return list(
        session.exec(
            select(CreditNote).where(CreditNote.order_id == order_id).order_by(col(CreditNote.id))
        )
    )


def issue_credit_note(session: Session, order: Order, refund: RefundRow) -> CreditNote | None:
    """The credit note of a refund that Mollie carried out, made once (the caller commits).
    None while the refund is not done, or for an order without an invoice."""
    if refund.status != RefundStatus.REFUNDED or order.invoice_number is None:
        return None
    existing = session.exec(select(CreditNote).where(CreditNote.refund_id == refund.id)).first()
    if existing is not None:
        return existing
    lines = list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id)))
    credited: dict[int, int] = {}
    for earlier in credit_notes(session, id_of(order)):
        for rate, cents in rates_of(earlier).items():
            credited[rate] = credited.get(rate, 0) + cents
    parts = split_by_rate(refund.amount_cents, gross_by_rate(lines), credited)
    issued_at = utcnow()
    note = CreditNote(
        number=next_number(session, CREDIT_NOTE, local_year(issued_at)),
        order_id=id_of(order),
        refund_id=id_of(refund),
        amount_cents=refund.amount_cents,
        rates=json.dumps({str(rate): cents for rate, cents in parts.items()}),
        issued_at=issued_at,
    )
    session.add(note)
    session.flush()
    return note


@dataclass(frozen=True)
class CreditNoteView:
    note: CreditNote
    vat: list[VatLine]
    reference: str


def credit_note_for(session: Session, order: Order, number: str) -> CreditNoteView | None:
    """One credit note of this order by its number (None when it is not this order's)."""
    found = session.exec(
        select(CreditNote, RefundRow)
        .join(RefundRow, col(RefundRow.id) == col(CreditNote.refund_id))
        .where(CreditNote.number == number, CreditNote.order_id == order.id)
    ).first()
    if found is None:
        return None
    note, refund = found
    return CreditNoteView(note, vat_lines(rates_of(note)), refund.mollie_refund_id)
