"""A slow Mollie must not block the site: short client timeouts, and a payment asked about at
most once per few seconds by all workers together."""

from datetime import UTC, datetime, timedelta

from app.payments import mollie
from app.shop.models import Order
from tests.conftest import htmx_headers
from tests.payments.conftest import order_payment, orders, press_betalen, second_worker
from tests.shop.conftest import ALARM, add, checkout


def test_the_mollie_client_gives_up_within_a_few_seconds(app):
    with app.app_context():
        timeout = mollie.client().timeout
    assert isinstance(timeout, tuple)
    connect, read = timeout
    assert connect <= 2 and read <= 3


def test_a_hanging_mollie_is_asked_once_per_payment_per_few_seconds_by_all_workers(
    app, client, buyer, session, sandbox, mollie_proxy, tmp_path, database_url, time_machine
):
    add(client, ALARM)
    checkout(client)
    order = orders(session)[0]
    url = f"/winkel/bestelling/{order.number}"
    mollie_proxy.hanging = True
    app.config["MOLLIE_TIMEOUT"] = 0.5  # the test need not wait the real few seconds
    time_machine.move_to(datetime.now(UTC), tick=False)  # the site's clock stands still
    other, other_browser = second_worker(
        tmp_path, database_url, client, MOLLIE_API_ENDPOINT=mollie_proxy.url, MOLLIE_TIMEOUT=0.5
    )
    try:
        page = client.get(url)
        assert page.status_code == 200
        assert "We wachten op de bevestiging" in page.get_data(as_text=True)
        assert len(mollie_proxy.calls("GET")) == 1
        # More looks at the page, by its own checks and from another worker: nobody asks again.
        for browser in (client, other_browser, other_browser, client):
            poll = browser.get(f"{url}?poging=1", headers=htmx_headers("betaalstatus"))
            assert poll.status_code == 200
            assert "We wachten op de bevestiging" in poll.get_data(as_text=True)
        assert len(mollie_proxy.calls("GET")) == 1
        # A few seconds later one of them asks again.
        time_machine.move_to(datetime.now(UTC) + timedelta(seconds=10))
        assert other_browser.get(url).status_code == 200
        assert client.get(url).status_code == 200
        assert len(mollie_proxy.calls("GET")) == 2
    finally:
        other.extensions["db_engine"].dispose()
    assert session.get(Order, order.id).status == "pending"


def test_betalen_with_a_hanging_mollie_keeps_the_order_and_says_so(
    app, client, buyer, session, sandbox, mollie_proxy, time_machine
):
    add(client, ALARM)
    checkout(client)
    order = orders(session)[0]
    mollie_proxy.hanging = True
    app.config["MOLLIE_TIMEOUT"] = 0.5
    time_machine.move_to(datetime.now(UTC), tick=False)
    response = press_betalen(client, order)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Betalen lukt op dit moment niet" in page
    # One question about the open payment, given up; the page after it did not ask again,
    # and no second payment was started.
    assert mollie_proxy.calls("GET") == [("GET", f"/v2/payments/{order_payment(session)}")]
    assert len(mollie_proxy.calls("POST")) == 1  # the checkout's own
    assert len(sandbox.state.list_payments("test")) == 1
