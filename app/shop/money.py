"""Money: integer cents everywhere, BTW per rate, and the strings Mollie wants. The one helper."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

VAT_RATES = (21, 9, 0)


def vat_in_gross(gross_cents: int, rate: int) -> int:
    """The BTW contained in a price that includes BTW (rounded half up to a cent)."""
    if rate not in VAT_RATES:
        raise ValueError(f"unknown VAT rate {rate}")
    return (gross_cents * rate * 2 + (100 + rate)) // (2 * (100 + rate))


def mollie_amount(cents: int) -> dict[str, str]:
    """{"currency": "EUR", "value": "12.34"}: a string with exactly two decimals, never a float."""
    if cents <= 0:
        raise ValueError("an amount to pay must be positive")
    return {"currency": "EUR", "value": f"{cents // 100}.{cents % 100:02d}"}


def cents_from_mollie(amount: dict | None) -> int:
    """Mollie's {"value": "12.34"} back to 1234 (without floats)."""
    if not amount:
        return 0
    whole, _, fraction = str(amount["value"]).partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((fraction + "00")[:2]))


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
