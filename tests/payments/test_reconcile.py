"""`flask shop sync-payments`: what a missed webhook would have told, fetched after 15 minutes,
and paid payments that settled nothing, settled at once."""

from datetime import UTC, datetime, timedelta

from app.shop.models import Order
from tests.payments.conftest import (
    ORGANISATION,
    mails_to,
    orders,
    payment_id,
    payment_row,
    stray_payment,
)
from tests.shop.conftest import ALARM, add, checkout, pay


def test_reconciliation_applies_payments_after_15_minutes(
    app, client, buyer, session, sandbox, runner, time_machine
):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    sandbox.holder["lost"] = True
    pay(checkout_url, "paid")
    order = orders(session)[0]
    assert (
        app.test_cli_runner()
        .invoke(args=["shop", "sync-payments"])
        .output.startswith("Betalingen: 0 nagekeken")
    )
    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=16))
    result = app.test_cli_runner().invoke(args=["shop", "sync-payments"])
    assert "1 nagekeken, 1 gewijzigd" in result.output
    assert session.get(Order, order.id).status == "paid"


def test_sync_payments_refunds_an_extra_payment_whose_webhook_was_lost(
    app, client, buyer, session, sandbox, outbox, time_machine
):
    add(client, ALARM)
    first = checkout(client).headers["Location"]
    order = orders(session)[0]
    second = stray_payment(app, session, order)
    pay(first, "paid")
    sandbox.holder["lost"] = True
    pay(second, "paid")
    assert sandbox.state.list_refunds(None, "test") == []

    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=16))
    runner = app.test_cli_runner()
    output = runner.invoke(args=["shop", "sync-payments"]).output
    assert (
        "1 nagekeken, 1 gewijzigd, 0 zonder antwoord van Mollie, 0 terugbetalingen bijgewerkt, "
        "1 dubbele betalingen" in output
    )
    (refund,) = sandbox.state.list_refunds(None, "test")
    assert refund.payment_id == payment_id(second)
    assert len(mails_to(outbox, ORGANISATION)) == 1
    assert "0 nagekeken" in runner.invoke(args=["shop", "sync-payments"]).output


def test_sync_payments_settles_a_paid_payment_left_on_an_ended_order(
    app, client, buyer, session, sandbox, outbox
):
    add(client, ALARM)
    first = checkout(client).headers["Location"]
    order = orders(session)[0]
    pay(first, "canceled")
    second = stray_payment(app, session, order)
    sandbox.holder["lost"] = True
    pay(second, "paid")
    # The state an earlier version left: the payment applied, the order still canceled.
    row = payment_row(session, payment_id(second))
    row.status = "paid"
    session.add(row)
    session.commit()

    output = app.test_cli_runner().invoke(args=["shop", "sync-payments"]).output
    assert "1 nagekeken, 0 gewijzigd" in output  # at once: this is not a late webhook
    assert session.get(Order, order.id).status == "paid"
    assert [m["Subject"] for m in mails_to(outbox, buyer.email)] == [
        f"Bevestiging van je bestelling {order.number}"
    ]
