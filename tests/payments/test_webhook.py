"""Mollie's webhook: it reads only the id, fetches the payment from Mollie and applies it once,
also when deliveries repeat or arrive together; unknown ids get 200, and 503 asks Mollie to try
again later when Mollie or the database cannot be reached."""

import threading

import pytest
from mollie.api.objects.payment import Payment
from sqlmodel import select

from app import db
from app.payments import service
from app.shop.models import Handoff, Order
from tests.conftest import build_app
from tests.payments.conftest import orders
from tests.shop.conftest import ALARM, add, checkout, fake, pay


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"id": ""},
        {"id": "tr_"},
        {"id": "xx_123"},
        {"id": "tr_../../etc"},
        {"id": "tr_onbekend12"},
        {"id": "tr_" + "a" * 500},
    ],
)
def test_webhook_with_no_bad_or_unknown_id_answers_200(client, body, session):
    response = client.post("/betalen/webhook", data=body)  # no CSRF token: Mollie has none
    assert response.status_code == 200
    assert orders(session) == []


def test_duplicate_webhooks_make_one_transition_and_one_email(
    app, client, buyer, session, sandbox, outbox
):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    payment_id = checkout_url.rsplit("/", 1)[-1]
    pay(checkout_url, "paid")
    for _ in range(5):
        assert (
            app.test_client().post("/betalen/webhook", data={"id": payment_id}).status_code == 200
        )
    assert len([m for m in outbox.messages() if "Bevestiging" in m["Subject"]]) == 1
    assert len(session.exec(select(Handoff)).all()) == 1


def test_a_final_state_never_goes_back(app, client, buyer, session, sandbox):
    add(client, ALARM)
    first_url = checkout(client).headers["Location"]
    pay(first_url, "paid")
    order = orders(session)[0]
    with app.app_context():
        stale = Payment({"id": first_url.rsplit("/", 1)[-1], "status": "expired"}, None)
        assert service.apply(db.session(), stale) is None
        db.session().commit()
    assert session.get(Order, order.id).status == "paid"


def test_concurrent_webhooks_make_one_transition_and_one_email(
    app, client, buyer, session, sandbox, outbox
):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    payment_id = checkout_url.rsplit("/", 1)[-1]
    sandbox.holder["lost"] = True
    pay(checkout_url, "paid")
    barrier = threading.Barrier(4)
    codes = []

    def deliver():
        barrier.wait()
        codes.append(
            app.test_client().post("/betalen/webhook", data={"id": payment_id}).status_code
        )

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) in (
        [200] * 4,
        [200, 200, 200, 503],
        [200, 200, 503, 503],
        [200, 503, 503, 503],
    )
    assert session.get(Order, orders(session)[0].id).status == "paid"
    assert len([m for m in outbox.messages() if "Bevestiging" in m["Subject"]]) == 1
    assert len(session.exec(select(Handoff)).all()) == 1


def test_the_webhook_answers_503_while_mollie_is_unreachable_and_mollie_tries_again(
    app, client, buyer, session, sandbox, outbox
):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    payment_id = checkout_url.rsplit("/", 1)[-1]
    sandbox.holder["lost"] = True
    pay(checkout_url, "paid")
    status, _ = fake(
        sandbox,
        "next-error",
        {"http_status": 503, "body": {"status": 503, "title": "x", "detail": "Onderhoud"}},
    )
    assert status == 204
    webhook = app.test_client()
    assert webhook.post("/betalen/webhook", data={"id": payment_id}).status_code == 503
    assert session.get(Order, orders(session)[0].id).status == "pending"
    assert webhook.post("/betalen/webhook", data={"id": payment_id}).status_code == 200
    assert session.get(Order, orders(session)[0].id).status == "paid"
    assert len([m for m in outbox.messages() if "Bevestiging" in m["Subject"]]) == 1


def test_the_webhook_answers_503_while_the_database_is_unreachable(tmp_path):
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    try:
        response = app.test_client().post("/betalen/webhook", data={"id": "tr_abc123"})
        assert response.status_code == 503
        assert response.get_data() == b""
    finally:
        app.extensions["db_engine"].dispose()


def test_a_payment_is_applied_together_with_its_confirmation_or_not_at_all(
    app, client, buyer, session, sandbox, outbox
):
    """The order's move to paid, the hand-off and the confirmation are one transaction: when
    the confirmation cannot be written, nothing is applied, Mollie is asked to try again, and
    the next delivery does it all."""
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    payment_id = checkout_url.rsplit("/", 1)[-1]
    sandbox.holder["lost"] = True
    pay(checkout_url, "paid")
    order = orders(session)[0]
    order.customer_email = "koper@example.nl\r\nBcc: iemand@example.nl"  # no message fits
    session.add(order)
    session.commit()

    webhook = app.test_client()
    assert webhook.post("/betalen/webhook", data={"id": payment_id}).status_code != 200
    assert session.get(Order, order.id).status == "pending"
    assert session.exec(select(Handoff)).all() == []

    order = session.get(Order, order.id)
    order.customer_email = buyer.email
    session.add(order)
    session.commit()
    assert webhook.post("/betalen/webhook", data={"id": payment_id}).status_code == 200
    assert session.get(Order, order.id).status == "paid"
    assert len(session.exec(select(Handoff)).all()) == 1
    confirmations = [m for m in outbox.messages() if "Bevestiging" in m["Subject"]]
    assert [m["To"] for m in confirmations] == [buyer.email]
