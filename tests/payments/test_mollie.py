"""Amounts as Mollie writes them: a string with two decimals, never a float."""

import pytest

from app.payments import mollie


def test_amounts_for_mollie_and_back():
    assert mollie.amount(12900) == {"currency": "EUR", "value": "129.00"}
    assert mollie.amount(5) == {"currency": "EUR", "value": "0.05"}
    assert mollie.cents({"value": "129.00"}) == 12900 and mollie.cents({"value": "0.5"}) == 50
    with pytest.raises(ValueError, match="positive"):
        mollie.amount(0)
