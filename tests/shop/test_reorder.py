"""After a failed, canceled or expired payment the customer can try again: "Opnieuw bestellen"
puts the order's products back in the basket (a plain form, no JavaScript needed)."""

import re

import pytest
from sqlmodel import col, select

from app.shop import service
from app.shop.models import Order, OrderLine
from tests.shop.conftest import ALARM, MEALS, add, checkout, pay


def orders(session):
    return session.exec(select(Order).order_by(col(Order.id))).all()


def reorder(client, order):
    return client.submit(
        f"/winkel/bestelling/{order.number}/opnieuw", {}, page=f"/winkel/bestelling/{order.number}"
    )


def basket_quantities(client):
    page = client.get("/winkel/mandje").get_data(as_text=True)
    boxes = re.findall(r'<input [^>]*name="aantal"[^>]*>', page)
    return dict(re.findall(r'id="aantal-([^"]+)"[^>]*value="(\d+)"', " ".join(boxes)))


@pytest.mark.parametrize("outcome", ["failed", "canceled", "expired"])
def test_an_order_that_ended_unpaid_goes_back_in_the_basket(client, buyer, session, outcome):
    add(client, ALARM)
    add(client, MEALS, 2)
    pay(
        checkout(client, partners=("wakkerwijk-alarmering", "soepterrine")).headers["Location"],
        outcome,
    )
    (order,) = orders(session)
    assert basket_quantities(client) == {}  # the checkout emptied the basket

    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input[^>]+csrf_token', page)
    assert form and form.group(1) == f"/winkel/bestelling/{order.number}/opnieuw"
    assert ">Opnieuw bestellen</button>" in page
    # The link the page calls "mandje" goes to the basket.
    assert 'href="/winkel/mandje">mandje</a>' in page

    response = reorder(client, order)
    assert response.status_code == 303 and response.headers["Location"] == "/winkel/mandje"
    basket = client.get("/winkel/mandje").get_data(as_text=True)
    assert f"De producten van bestelling {order.number} staan weer in je mandje" in basket
    assert basket_quantities(client) == {ALARM: "1", MEALS: "2"}
    reorder(client, order)  # twice is the same as once
    assert basket_quantities(client) == {ALARM: "1", MEALS: "2"}

    # And the products can be ordered and paid, as a new order.
    again = checkout(client, partners=("wakkerwijk-alarmering", "soepterrine"))
    pay(again.headers["Location"], "paid")
    first, second = orders(session)
    assert (first.status, second.status) == (outcome, "paid")
    assert second.total_cents == first.total_cents


def test_what_is_already_in_the_basket_stays(client, buyer, session):
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "failed")
    (order,) = orders(session)
    add(client, ALARM, 3)
    add(client, MEALS)
    assert reorder(client, order).headers["Location"] == "/winkel/mandje"
    assert basket_quantities(client) == {ALARM: "3", MEALS: "1"}


@pytest.mark.parametrize(
    ("outcome", "said"),
    [("paid", "Deze bestelling is betaald"), (None, "wacht nog op je betaling")],
)
def test_a_paid_or_waiting_order_is_not_put_back(client, buyer, session, outcome, said):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    if outcome:
        pay(checkout_url, outcome)
    (order,) = orders(session)
    response = reorder(client, order)
    assert response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    assert said in client.get(response.headers["Location"]).get_data(as_text=True)
    assert basket_quantities(client) == {}


def test_someone_elses_order_cannot_be_put_back(app, client, buyer, session, make_user):
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "failed")
    (order,) = orders(session)
    other = make_user(email="ander@example.nl")
    stranger = app.test_client()
    stranger.submit("/inloggen", {"email": other.email, "password": "een lange zin als wachtwoord"})
    response = stranger.submit(f"/winkel/bestelling/{order.number}/opnieuw", {}, page="/")
    assert response.status_code == 404


def test_a_product_no_longer_for_sale_is_named(app, client, buyer, session):
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "failed")
    (order,) = orders(session)
    with app.app_context():
        lines = [
            *session.exec(select(OrderLine)).all(),
            OrderLine(
                order_id=order.id,
                product_slug="uit-de-handel",
                partner_slug="wakkerwijk-alarmering",
                title="Oud alarm",
                quantity=1,
                unit_price_cents=100,
                vat_rate=21,
                line_total_cents=100,
            ),
        ]
        cart, missing = service.reorder({}, order, lines)
    assert cart == {ALARM: 1} and missing == ["Oud alarm"]
