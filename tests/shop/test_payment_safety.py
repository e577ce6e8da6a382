"""The shop's side of paying safely: the order page checks less and less often while it waits
for a payment, and one checkout form sent twice at the same moment makes one order. (The
payments themselves are tested in tests/payments.)"""

import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from app.shop import service
from app.shop.models import Order
from tests.conftest import htmx_headers
from tests.shop.conftest import ALARM, add, checkout


def orders(session):
    return session.exec(select(Order).order_by(col(Order.id))).all()


def test_the_order_page_checks_less_and_less_often_and_then_stops(client, buyer, session):
    add(client, ALARM)
    checkout(client)
    order = orders(session)[0]
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    delays = []
    while match := re.search(r'data-hx-get="([^"]+)" data-hx-trigger="load delay:(\d+)s"', page):
        delays.append(int(match.group(2)))
        assert len(delays) <= 50, "the page never stops checking"
        answer = client.get(match.group(1), headers=htmx_headers("betaalstatus"))
        page = answer.get_data(as_text=True)
        assert page.lstrip().startswith('<section id="betaalstatus"')  # only the fragment
    assert delays[0] == 3 and delays == sorted(delays) and delays[-1] >= 60
    assert sum(delays) < 20 * 60  # it gives up within twenty minutes
    assert "Deze pagina kijkt nu niet meer vanzelf" in page and "Pagina vernieuwen" in page
    assert "Betalen (opnieuw proberen)" in page


@pytest.mark.parametrize("poll", ["", "abc", "-1", "²", "9" * 40, "%00"])
def test_an_odd_check_number_is_the_first_check(client, buyer, session, poll):
    add(client, ALARM)
    checkout(client)
    order = orders(session)[0]
    response = client.get(f"/winkel/bestelling/{order.number}?poging={poll}")
    assert response.status_code == 200
    assert 'data-hx-trigger="load delay:3s"' in response.get_data(as_text=True)


def test_two_checkouts_of_one_form_at_the_same_moment_make_one_order(app, buyer, session):
    """The second request looked for an order with the form's token just before the first one
    stored it: the database refuses the second order, and the second request gets the first's."""
    engine = app.extensions["db_engine"]
    data = service.CheckoutData(
        token="een-formulier",
        consented={"wakkerwijk-alarmering"},
        name="Koos Koper",
        phone="06 12345678",
        street="Europalaan",
        house_number="500",
        postcode="3526 KS",
        city="Utrecht",
    )
    first: dict = {}

    def the_first_click_stores_its_order_now(conn, cursor, statement, *_args):
        if first or "FROM shop_order" not in statement or "checkout_token" not in statement:
            return
        first["started"] = True
        with DbSession(engine, expire_on_commit=False) as other:
            order, _ = service.place_order(other, user=buyer, cart={ALARM: 1}, data=data)
            other.commit()
            first["id"] = order.id

    sa.event.listen(engine, "after_cursor_execute", the_first_click_stores_its_order_now)
    try:
        with app.app_context(), DbSession(engine, expire_on_commit=False) as second:
            order, placed = service.place_order(second, user=buyer, cart={ALARM: 1}, data=data)
            second.commit()
    finally:
        sa.event.remove(engine, "after_cursor_execute", the_first_click_stores_its_order_now)
    assert first["id"] == order.id and placed == []
    assert [o.id for o in orders(session)] == [order.id]
