"""The sales journal of a year (every invoice and credit note with net, BTW and gross per rate)
and the BTW totals per quarter for the btw-aangifte.

Amounts are integer cents; BTW is worked out per document and per rate, exactly as the invoice
and the credit note show it, so the quarter totals add up to the documents to the cent. An
invoice counts in the quarter of its date (the payment), a credit note in the quarter of its
own date (when Mollie carried out the refund), with negative amounts.

The CSV is written for Dutch spreadsheets: UTF-8 with a byte-order mark (so Excel reads the
accents), `;` between fields, a decimal comma, dates as dd-mm-jjjj, CRLF line ends. The last
column describes what an invoice sold; a product that reveals health is only "hulpmiddel" there
(see `app.shop.lines`), so the journal never names it, before or after an erasure.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlmodel import Session, col, func, select

from app.db import utcnow
from app.payments.models import RefundRow
from app.shop.invoices import (
    AMSTERDAM,
    CREDIT_NOTE,
    INVOICE,
    local_year,
    rates_of,
    vat_lines,
)
from app.shop.lines import fiscal_description
from app.shop.models import CreditNote, Order, OrderLine
from app.shop.money import VAT_RATES, VatLine, comma_euros, vat_breakdown

BOM = "\ufeff"
KINDS = {INVOICE: "factuur", CREDIT_NOTE: "creditnota"}
# Where each rate goes in the btw-aangifte.
RUBRIEKEN = {
    21: "rubriek 1a (hoog tarief, 21%)",
    9: "rubriek 1b (laag tarief, 9%)",
    0: "0% of vrijgesteld",
}
ZERO_RATE_NOTE = (
    "Omzet die vrijgesteld is van btw (zoals zorg) vul je in de aangifte niet in; alleen omzet "
    "tegen het 0%-tarief hoort in rubriek 1e."
)


@dataclass(frozen=True)
class Entry:
    """One invoice or credit note in the journal; a credit note's amounts are negative."""

    kind: str
    number: str
    day: date
    order_number: str
    invoice_number: str
    reference: str
    vat: dict[int, VatLine]
    # What was sold, as stored: a product that reveals health only as "hulpmiddel".
    description: str = ""

    @property
    def quarter(self) -> int:
        return (self.day.month - 1) // 3 + 1

    @property
    def net_cents(self) -> int:
        return sum(line.net_cents for line in self.vat.values())

    @property
    def vat_cents(self) -> int:
        return sum(line.vat_cents for line in self.vat.values())

    @property
    def gross_cents(self) -> int:
        return sum(line.gross_cents for line in self.vat.values())


@dataclass
class Quarter:
    number: int
    net: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    vat: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def vat_cents(self) -> int:
        return sum(self.vat.values())


def _negated(line: VatLine) -> VatLine:
    return VatLine(line.rate, -line.gross_cents, -line.vat_cents)


def entries(session: Session, year: int) -> list[Entry]:
    """Every invoice and credit note of `year` (by its number, which carries the year of its
    date in Dutch time): invoices first, each series in number order."""
    orders = list(
        session.exec(
            select(Order)
            .where(col(Order.invoice_number).startswith(f"{INVOICE}{year}-"))
            .order_by(col(Order.invoice_number))
        )
    )
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    ids = [order.id for order in orders]
    if ids:
        for line in session.exec(
            select(OrderLine).where(col(OrderLine.order_id).in_(ids)).order_by(col(OrderLine.id))
        ):
            lines[line.order_id].append(line)
    found = [
        Entry(
            kind=KINDS[INVOICE],
            number=cast(str, order.invoice_number),
            day=order.paid_at.astimezone(AMSTERDAM).date() if order.paid_at else date(year, 1, 1),
            order_number=order.number or "",
            invoice_number=cast(str, order.invoice_number),
            reference=order.paid_with or "",
            vat={
                v.rate: v
                for v in vat_breakdown((x.line_total_cents, x.vat_rate) for x in lines[order.id])
            },
            description=fiscal_description(lines[order.id]),
        )
        for order in orders
        if order.id is not None
    ]
    notes = session.exec(
        select(CreditNote, Order, RefundRow)
        .join(Order, col(Order.id) == col(CreditNote.order_id))
        .join(RefundRow, col(RefundRow.id) == col(CreditNote.refund_id))
        .where(col(CreditNote.number).startswith(f"{CREDIT_NOTE}{year}-"))
        .order_by(col(CreditNote.number))
    )
    for note, order, refund in notes:
        found.append(
            Entry(
                kind=KINDS[CREDIT_NOTE],
                number=note.number,
                day=note.issued_at.astimezone(AMSTERDAM).date(),
                order_number=order.number or "",
                invoice_number=order.invoice_number or "",
                reference=refund.mollie_refund_id,
                vat={v.rate: _negated(v) for v in vat_lines(rates_of(note))},
            )
        )
    return found


def quarters(found: Iterable[Entry]) -> list[Quarter]:
    """Net turnover and BTW per rate for each quarter of the year."""
    result = [Quarter(number) for number in range(1, 5)]
    for entry in found:
        quarter = result[entry.quarter - 1]
        for rate, line in entry.vat.items():
            quarter.net[rate] += line.net_cents
            quarter.vat[rate] += line.vat_cents
    return result


HEADER = [
    "soort",
    "nummer",
    "datum",
    "bestelnummer",
    "bij factuur",
    "betaalreferentie",
    *(f"{part} {rate}%" for rate in VAT_RATES for part in ("netto", "btw", "bruto")),
    "totaal netto",
    "totaal btw",
    "totaal bruto",
    "omschrijving",
]


def csv_text(found: Iterable[Entry]) -> str:
    """The journal as CSV text for Dutch spreadsheets (starts with the byte-order mark; encode
    it as UTF-8)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for entry in found:
        amounts = []
        for rate in VAT_RATES:
            line = entry.vat.get(rate, VatLine(rate, 0, 0))
            amounts += [line.net_cents, line.vat_cents, line.gross_cents]
        amounts += [entry.net_cents, entry.vat_cents, entry.gross_cents]
        writer.writerow(
            [
                entry.kind,
                entry.number,
                f"{entry.day:%d-%m-%Y}",
                entry.order_number,
                entry.invoice_number if entry.kind == KINDS[CREDIT_NOTE] else "",
                entry.reference,
                *(comma_euros(cents) for cents in amounts),
                entry.description,
            ]
        )
    return out.getvalue()


def filename(year: int) -> str:
    return f"verkoopdagboek-{year}.csv"


def years(session: Session, today: date) -> list[int]:
    """The years with invoices, and this year; newest first."""
    first, last = session.exec(
        select(func.min(Order.invoice_number), func.max(Order.invoice_number)).where(
            col(Order.invoice_number).startswith(INVOICE)
        )
    ).one()
    start = int(first[1:5]) if first else today.year
    end = int(last[1:5]) if last else today.year
    return list(range(max(today.year, end), min(today.year, start) - 1, -1))


def this_year() -> int:
    """The current year in Dutch time."""
    return local_year(utcnow())
