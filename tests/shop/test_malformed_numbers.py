"""Numbers typed in the shop are read as the digits 0-9 only: '²' and '①' pass str.isdigit()
but not int(), '٣' passes both; each gets a Dutch message instead of a server error."""

import pytest

from app.shop.staff import parse_euro
from tests.shop.conftest import ALARM


def add(client, aantal, **headers):
    return client.submit(
        "/winkel/mandje",
        {"product": ALARM, "aantal": aantal, "actie": "toevoegen"},
        page="/winkel",
        headers=headers,
    )


@pytest.mark.parametrize("aantal", ["²", "①", "٣", "1²", "-²", "１", "1_0", "+1"])
def test_a_quantity_in_other_digits_gets_a_dutch_message(client, aantal):
    response = add(client, aantal)
    assert response.status_code == 422
    assert "Vul een aantal in met cijfers" in response.get_data(as_text=True)
    assert "Je mandje is leeg" in client.get("/winkel/mandje").get_data(as_text=True)


def test_the_htmx_basket_answers_the_same(client):
    response = add(client, "②", **{"HX-Request": "true", "HX-Target": "mandje-melding"})
    assert response.status_code == 422
    assert "met cijfers" in response.get_data(as_text=True)


@pytest.mark.parametrize("amount", ["²", "1,²", "①,50", "٣", "３,00"])
def test_refund_amounts_in_other_digits_are_refused(staff, paid_order, amount):
    assert parse_euro(amount) is None
    url = f"/staff/bestellingen/{paid_order.number}"
    for data in ({"amount": amount}, {"amount": amount, "confirmed": "ja"}):
        assert staff.submit(url, data).status_code == 422
