"""Starting a payment: what Mollie receives, no payment for an order that no longer waits for
one (also when its last payment ended while the webhook is on its way), and idempotency keys
that make a retry, a double click or a second environment safe."""

import re
import threading
from typing import cast

import pytest
import requests
import sqlalchemy as sa
from sqlmodel import select

from app import db
from app.accounts import service as accounts
from app.payments.models import PaymentRow
from app.shop.models import Order
from app.tables import metadata
from tests.conftest import DEFAULT_PASSWORD, Client, build_app
from tests.payments.conftest import form_token, orders, press_betalen
from tests.shop.conftest import ALARM, MEALS, add, api_calls, checkout, fake, lose_next_answer, pay


def test_the_payment_mollie_receives(client, buyer, session, sandbox, app):
    add(client, ALARM)
    response = checkout(client)
    payment_id = response.headers["Location"].rsplit("/", 1)[-1]
    order = orders(session)[0]
    with requests.get(
        f"{sandbox.url}/v2/payments/{payment_id}",
        timeout=5,
        headers={"Authorization": f"Bearer {app.config['MOLLIE_API_KEY']}"},
    ) as fetched:
        data = fetched.json()
    assert data["amount"] == {"currency": "EUR", "value": "129.00"}
    assert data["description"] == f"Bestelling {order.number} bij Zorggenoot"
    assert data["redirectUrl"] == f"http://localhost/winkel/bestelling/{order.number}"
    assert data["webhookUrl"] == "http://localhost/betalen/webhook"
    assert data["locale"] == "nl_NL"
    assert data["metadata"] == {"order_id": order.id, "order_number": order.number}


def test_the_idempotency_key_comes_from_the_order_so_a_retry_makes_no_second_payment(
    client, buyer, session, sandbox
):
    add(client, ALARM)
    lose_next_answer(sandbox)  # Mollie makes the payment, but its answer never arrives
    response = checkout(client)
    order = orders(session)[0]
    assert response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    assert session.exec(select(PaymentRow)).all() == []
    assert len(sandbox.state.list_payments("test")) == 1

    retry = client.submit(
        f"/winkel/bestelling/{order.number}/betalen", {}, page=f"/winkel/bestelling/{order.number}"
    )
    (payment,) = sandbox.state.list_payments("test")
    assert retry.status_code == 303
    assert retry.headers["Location"] == f"{sandbox.url}/checkout/{payment.id}"
    creates = api_calls(sandbox, "POST", "/v2/payments")
    key = f"zorggenoot-{order.idempotency_key}-1"  # the order's random key, not its number
    assert [c["idempotency_key"] for c in creates] == [key] * 2
    assert [c["replayed"] for c in creates] == [False, True]
    assert [row.mollie_id for row in session.exec(select(PaymentRow))] == [payment.id]


def test_paying_an_already_paid_order_makes_no_new_payment(client, buyer, session, sandbox):
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "paid")
    order = orders(session)[0]
    again = client.submit(
        f"/winkel/bestelling/{order.number}/betalen", {}, page=f"/winkel/bestelling/{order.number}"
    )
    assert again.status_code == 303
    assert again.headers["Location"] == f"/winkel/bestelling/{order.number}"
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "wacht niet meer op betaling" in page and "Je betaling is ontvangen" in page
    assert len(api_calls(sandbox, "POST", "/v2/payments")) == 1
    assert len(sandbox.state.list_payments("test")) == 1
    assert len(session.exec(select(PaymentRow)).all()) == 1
    assert session.get(Order, order.id).status == "paid"


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        ("canceled", "de betaling is geannuleerd"),
        ("expired", "de tijd om te betalen is verlopen"),
        ("failed", "de betaling is mislukt"),
    ],
)
def test_betalen_after_the_payment_ended_at_mollie_makes_no_new_payment(
    client, buyer, session, sandbox, outcome, reason
):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    order = orders(session)[0]
    sandbox.holder["lost"] = True  # the webhook is late
    pay(checkout_url, outcome)
    assert session.get(Order, order.id).status == "pending"

    response = press_betalen(client, order)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    assert session.get(Order, order.id).status == outcome
    assert len(sandbox.state.list_payments("test")) == 1
    assert len(api_calls(sandbox, "POST", "/v2/payments")) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        f"Deze bestelling wacht niet meer op betaling: {reason}, en er is niets afgeschreven."
        in page
    )
    assert "Opnieuw betalen" in page


def test_sending_the_checkout_again_after_the_payment_ended_makes_no_new_payment(
    client, buyer, session, sandbox
):
    add(client, ALARM)
    token = form_token(client)
    checkout_url = checkout(client, token=token).headers["Location"]
    order = orders(session)[0]
    sandbox.holder["lost"] = True
    pay(checkout_url, "canceled")

    add(client, ALARM)  # back in the browser, and the same form sent again
    again = checkout(client, token=token)
    assert again.status_code == 303
    assert again.headers["Location"] == f"/winkel/bestelling/{order.number}"
    assert len(orders(session)) == 1
    assert session.get(Order, order.id).status == "canceled"
    assert len(sandbox.state.list_payments("test")) == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "de betaling is geannuleerd" in page


def test_betalen_when_the_payment_was_paid_meanwhile_confirms_the_order(
    client, buyer, session, sandbox, outbox
):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    order = orders(session)[0]
    sandbox.holder["lost"] = True
    pay(checkout_url, "paid")

    response = press_betalen(client, order)
    assert response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    assert session.get(Order, order.id).status == "paid"
    assert len(sandbox.state.list_payments("test")) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "je betaling is al binnen" in page and "Je betaling is ontvangen" in page
    confirmations = [m for m in outbox.messages() if "Bevestiging" in m["Subject"]]
    assert len(confirmations) == 1


def test_a_double_click_on_checkout_sends_both_clicks_to_the_same_payment(
    app, client, buyer, session, sandbox
):
    """Both clicks get the same payment from Mollie (the same idempotency key); the first is
    about to store it when the second click stores it and answers. The first must still
    answer with the checkout page, not an error."""
    engine = app.extensions["db_engine"]
    add(client, ALARM)
    token = form_token(client)
    second_click = app.test_client()
    second_click.set_cookie("session", client.get_cookie("session").value)
    first_at_store, second_done = threading.Event(), threading.Event()
    answers = {}

    def the_second_click_stores_first(conn, cursor, statement, *_args):
        if statement.startswith("INSERT INTO shop_payment") and not first_at_store.is_set():
            first_at_store.set()
            second_done.wait(20)

    def first_click():
        answers["first"] = checkout(client, token=token)

    sa.event.listen(engine, "before_cursor_execute", the_second_click_stores_first)
    thread = threading.Thread(target=first_click)
    try:
        thread.start()
        assert first_at_store.wait(20)
        answers["second"] = checkout(second_click, token=token)
        second_done.set()
        thread.join(20)
    finally:
        second_done.set()
        sa.event.remove(engine, "before_cursor_execute", the_second_click_stores_first)

    (payment,) = sandbox.state.list_payments("test")
    creates = api_calls(sandbox, "POST", "/v2/payments")
    assert [c["replayed"] for c in creates] == [False, True]
    for click in ("first", "second"):
        assert answers[click].status_code == 303, click
        assert answers[click].headers["Location"] == f"{sandbox.url}/checkout/{payment.id}"
    assert len(orders(session)) == 1
    assert [row.mollie_id for row in session.exec(select(PaymentRow))] == [payment.id]


def test_betalen_while_the_same_payment_is_being_made_shows_the_order_page(
    client, buyer, session, sandbox
):
    add(client, ALARM)
    status, _ = fake(
        sandbox,
        "next-error",
        {
            "http_status": 409,
            "body": {
                "status": 409,
                "title": "Conflict",
                "detail": "A request with this Idempotency-Key is still in progress.",
            },
        },
    )
    assert status == 204
    response = checkout(client)
    order = orders(session)[0]
    assert response.status_code == 303
    assert response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je betaling wordt op dit moment al klaargezet" in page
    again = press_betalen(client, order)
    assert again.status_code == 303 and "/checkout/tr_" in again.headers["Location"]


def test_every_order_has_its_own_random_key_for_mollie(client, buyer, session, sandbox):
    add(client, ALARM)
    checkout(client)
    add(client, MEALS)
    checkout(client, partners=("soepterrine",))
    first, second = orders(session)
    assert re.fullmatch(r"[0-9a-f]{32}", first.idempotency_key)
    assert first.idempotency_key != second.idempotency_key
    keys = [c["idempotency_key"] for c in api_calls(sandbox, "POST", "/v2/payments")]
    assert keys == [f"zorggenoot-{o.idempotency_key}-1" for o in (first, second)]
    assert not any(o.number in key for o in (first, second) for key in keys)


def test_a_second_environment_with_the_same_order_numbers_can_still_pay(
    client, buyer, session, sandbox, tmp_path
):
    """A restored backup or a test environment, on the same Mollie account, numbers its orders
    from the same start: their keys for Mollie must differ all the same."""
    add(client, ALARM)
    assert checkout(client).status_code == 303
    (order,) = orders(session)

    other_url = f"sqlite:///{tmp_path / 'tweede.db'}"
    engine = db.make_engine(other_url)
    metadata.create_all(engine)
    engine.dispose()
    other = build_app(tmp_path / "tweede", other_url, MOLLIE_API_ENDPOINT=sandbox.url)
    other.test_client_class = Client
    try:
        with other.app_context():
            accounts.register_user(
                db.session(),
                name="Tineke Tweede",
                email="tweede@example.nl",
                password=DEFAULT_PASSWORD,
                verified=True,
            )
            db.session().commit()
        browser = cast(Client, other.test_client())
        browser.submit("/inloggen", {"email": "tweede@example.nl", "password": DEFAULT_PASSWORD})
        add(browser, MEALS)
        response = checkout(browser, partners=("soepterrine",))
        with other.app_context():
            (elsewhere,) = db.session().exec(select(Order)).all()
            number = elsewhere.number
    finally:
        other.extensions["db_engine"].dispose()
    assert number == order.number  # the same number in both databases
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{sandbox.url}/checkout/tr_")
    assert len(sandbox.state.list_payments("test")) == 2
