"""After a failed, canceled or expired payment the customer can try again. The basket is kept
until paid: at checkout the ordered products wait with the order, and when its payment ends
unpaid they are back in the basket by themselves. "Opnieuw betalen" on the order page puts
them back too (for an older order, or another browser) and goes on to the checkout, where they
become a new order: the ended order itself is never paid (a plain form, no JavaScript needed)."""

import re

import pytest
from sqlmodel import col, select

from app.shop import service, waiting
from app.shop.lines import shown
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
def test_an_order_that_ended_unpaid_is_back_in_the_basket(client, buyer, session, outcome):
    add(client, ALARM)
    add(client, MEALS, 2)
    pay(
        checkout(client, partners=("wakkerwijk-alarmering", "soepterrine")).headers["Location"],
        outcome,
    )
    (order,) = orders(session)
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    # The basket was kept: the products are in it again, and the page says so.
    assert 'De producten staan nog in je <a class="utrecht-link" href="/winkel/mandje">' in page
    assert 'class="zg-cart-count">3<' in page  # the header counts them too
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input[^>]+csrf_token', page)
    assert form and form.group(1) == f"/winkel/bestelling/{order.number}/opnieuw"
    assert ">Opnieuw betalen</button>" in page
    assert basket_quantities(client) == {ALARM: "1", MEALS: "2"}

    # "Opnieuw betalen" goes on to the checkout with them (twice is the same as once).
    response = reorder(client, order)
    assert response.status_code == 303 and response.headers["Location"] == "/winkel/afrekenen"
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    assert f"De producten van bestelling {order.number} staan in je mandje" in page
    reorder(client, order)
    assert basket_quantities(client) == {ALARM: "1", MEALS: "2"}

    # And the products can be ordered and paid, as a new order; then the basket is empty.
    again = checkout(client, partners=("wakkerwijk-alarmering", "soepterrine"))
    assert basket_quantities(client) == {}  # while the new order waits for its payment
    pay(again.headers["Location"], "paid")
    first, second = orders(session)
    assert (first.status, second.status) == (outcome, "paid")
    assert second.total_cents == first.total_cents
    assert basket_quantities(client) == {}
    with client.session_transaction() as cookie:
        assert cookie.get("cart_waiting") == []  # nothing waits any more


def test_the_button_also_puts_back_what_is_no_longer_in_the_basket(client, buyer, session):
    """An older order, or one paid for in another browser, has nothing in this basket."""
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "failed")
    (order,) = orders(session)
    client.submit("/winkel/mandje", {"product": ALARM, "actie": "verwijderen"}, page="/winkel")
    assert basket_quantities(client) == {}
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    assert "De producten staan nog in je" not in page and ">Opnieuw betalen</button>" in page
    assert reorder(client, order).headers["Location"] == "/winkel/afrekenen"
    assert basket_quantities(client) == {ALARM: "1"}


def test_what_is_already_in_the_basket_stays(client, buyer, session):
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "failed")
    (order,) = orders(session)
    add(client, ALARM, 3)  # on top of the one that came back
    add(client, MEALS)
    assert reorder(client, order).headers["Location"] == "/winkel/afrekenen"
    assert basket_quantities(client) == {ALARM: "4", MEALS: "1"}


def test_while_the_payment_is_open_the_basket_says_where_the_products_are(client, buyer, session):
    add(client, ALARM)
    add(client, MEALS)
    checkout(client)  # consent for the alarm's partner only; the payment is not finished
    (order,) = orders(session)
    page = client.get("/winkel/mandje").get_data(as_text=True)
    assert f"Je bestelling {order.number} wacht nog op je betaling" in page
    assert f'href="/winkel/bestelling/{order.number}"' in page
    assert basket_quantities(client) == {MEALS: "1"}  # the alarm waits with the order
    # An empty basket's checkout leads to the basket, which says why.
    client.submit("/winkel/mandje", {"product": MEALS, "actie": "verwijderen"}, page="/winkel")
    assert client.get("/winkel/afrekenen").headers["Location"] == "/winkel/mandje"


def test_a_number_that_is_not_this_accounts_order_is_dropped(app, client, buyer, make_user):
    other = make_user(email="ander@example.nl")
    stranger = app.test_client()
    stranger.submit("/inloggen", {"email": other.email, "password": "een lange zin als wachtwoord"})
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "failed")
    with client.session_transaction() as cookie:
        number = cookie["cart_waiting"][0]
    with stranger.session_transaction() as cookie:
        cookie["cart_waiting"] = [number, 7, None]
    assert basket_quantities(stranger) == {}  # nothing of someone else's order
    with stranger.session_transaction() as cookie:
        assert cookie["cart_waiting"] == []


def test_remember_keeps_the_newest_few():
    numbers = None
    for n in range(8):
        numbers = waiting.remember(numbers, f"ZG2026-{n:06d}")
    assert numbers == [f"ZG2026-{n:06d}" for n in range(3, 8)]
    assert waiting.remember(["a", "b"], "a") == ["b", "a"]
    junk: list = [3, "b"]  # whatever a tampered session holds
    assert waiting.remember(junk, "c") == ["b", "c"]


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
            shown(line)
            for line in [
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
        ]
        cart, missing = service.reorder({}, order, lines)
    assert cart == {ALARM: 1} and missing == ["Oud alarm"]
