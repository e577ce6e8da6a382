"""Money: integer cents everywhere and BTW per rate. (Amounts as Mollie writes them are in
`app.payments.mollie`.)"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

VAT_RATES = (21, 9, 0)


def decimal_euros(cents: int) -> str:
    """Cents as euros with two decimals and a point, as machines read prices: `"12.50"`."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def comma_euros(cents: int) -> str:
    """Cents as euros with a decimal comma and no thousands mark, as a Dutch spreadsheet
    reads a number: `"-1234,50"`."""
    return decimal_euros(cents).replace(".", ",")


def vat_in_gross(gross_cents: int, rate: int) -> int:
    """The BTW contained in a price that includes BTW (rounded half up to a cent)."""
    if rate not in VAT_RATES:
        raise ValueError(f"unknown VAT rate {rate}")
    return (gross_cents * rate * 2 + (100 + rate)) // (2 * (100 + rate))


@dataclass(frozen=True)
class VatLine:
    rate: int
    gross_cents: int
    vat_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.vat_cents


def vat_breakdown(lines: Iterable[tuple[int, int]]) -> list[VatLine]:
    """BTW per rate for (gross cents, rate) pairs, highest rate first."""
    gross: dict[int, int] = defaultdict(int)
    for amount, rate in lines:
        gross[rate] += amount
    return [
        VatLine(rate, g, vat_in_gross(g, rate)) for rate, g in sorted(gross.items(), reverse=True)
    ]
