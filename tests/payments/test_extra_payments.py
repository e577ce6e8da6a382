"""No paid payment goes unnoticed: a late payment still pays an order that ended unpaid, and an
extra payment is refunded whole through Mollie, with the customer and staff told once."""

from sqlmodel import select

from app.shop.models import Handoff, Order
from tests.payments.conftest import (
    ORGANISATION,
    mails_to,
    orders,
    payment_id,
    payment_row,
    stray_payment,
)
from tests.shop.conftest import ALARM, add, checkout, fake, pay


def test_a_payment_paid_after_the_order_ended_unpaid_still_pays_it(
    app, client, buyer, session, sandbox, outbox
):
    add(client, ALARM)
    first = checkout(client).headers["Location"]
    order = orders(session)[0]
    pay(first, "canceled")
    assert session.get(Order, order.id).status == "canceled"
    second = stray_payment(app, session, order)

    pay(second, "paid")
    assert sandbox.holder["deliveries"] == [200, 200]
    stored = session.get(Order, order.id)
    assert stored.status == "paid" and stored.paid_with == payment_id(second)
    assert len(session.exec(select(Handoff)).all()) == 1
    confirmations = [m for m in outbox.messages() if "Bevestiging" in m["Subject"]]
    assert [m["To"] for m in confirmations] == [buyer.email]
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    assert "Je betaling is ontvangen" in page
    assert mails_to(outbox, ORGANISATION) == []  # nothing for staff to do
    assert sandbox.state.list_refunds(None, "test") == []


def test_an_extra_payment_is_refunded_and_staff_are_told(
    app, client, buyer, session, sandbox, outbox, staff
):
    add(client, ALARM)
    first = checkout(client).headers["Location"]
    order = orders(session)[0]
    second = stray_payment(app, session, order)  # two payments open for one order
    pay(first, "paid")
    pay(second, "paid")

    stored = session.get(Order, order.id)
    assert stored.status == "paid" and stored.paid_with == payment_id(first)
    assert stored.refunded_cents == 0  # the order itself was not refunded
    (refund,) = sandbox.state.list_refunds(None, "test")
    assert refund.payment_id == payment_id(second)
    assert refund.amount.to_json() == {"currency": "EUR", "value": "129.00"}
    assert payment_row(session, payment_id(second)).surplus_refund_id == refund.id

    (alert,) = mails_to(outbox, ORGANISATION)
    assert alert["Subject"] == f"Dubbele betaling voor bestelling {order.number}"
    text = alert.get_body(preferencelist=("plain",)).get_content()
    assert payment_id(second) in text and refund.id in text and "teruggestort" in text
    told = [m["Subject"] for m in mails_to(outbox, buyer.email)]
    assert f"Je betaalde twee keer voor bestelling {order.number}" in told

    listing = staff.get("/staff/bestellingen").get_data(as_text=True)
    assert "Let op: dubbel betaald" in listing
    page = staff.get(f"/staff/bestellingen/{order.number}").get_data(as_text=True)
    assert "voor deze bestelling is meer dan eens betaald" in page
    assert refund.id in page and "helemaal teruggestort via Mollie" in page

    # The same news again changes nothing.
    assert fake(sandbox, f"payments/{payment_id(second)}/webhook")[0] == 200
    assert len(sandbox.state.list_refunds(None, "test")) == 1
    assert len(mails_to(outbox, ORGANISATION)) == 1

    # A refund by staff goes to the payment that paid the order, not to the extra one.
    assert staff.submit(
        f"/staff/bestellingen/{order.number}", {"amount": "10,00", "confirmed": "ja"}
    ).status_code
    assert len(sandbox.state.list_refunds(payment_id(first), "test")) == 1
    assert session.get(Order, order.id).refunded_cents == 1000


def test_an_extra_payment_mollie_would_not_refund_is_said_to_staff_and_retried(
    app, client, buyer, session, sandbox, outbox, staff, mollie_proxy
):
    add(client, ALARM)
    first = checkout(client).headers["Location"]
    order = orders(session)[0]
    second = stray_payment(app, session, order)
    pay(first, "paid")
    mollie_proxy.fail_next("POST", f"/v2/payments/{payment_id(second)}/refunds")
    pay(second, "paid")

    assert sandbox.state.list_refunds(None, "test") == []
    (alert,) = mails_to(outbox, ORGANISATION)
    assert "nog NIET teruggestort" in alert.get_body(preferencelist=("plain",)).get_content()
    page = staff.get(f"/staff/bestellingen/{order.number}").get_data(as_text=True)
    assert "nog niet teruggestort" in page and "Let op" in page

    output = app.test_cli_runner().invoke(args=["shop", "sync-payments"]).output
    assert (
        "1 nagekeken, 0 gewijzigd, 0 zonder antwoord van Mollie, 0 terugbetalingen bijgewerkt, "
        "0 dubbele betalingen" in output
    )
    (refund,) = sandbox.state.list_refunds(None, "test")
    assert refund.payment_id == payment_id(second)
    assert payment_row(session, payment_id(second)).surplus_refund_id == refund.id
    assert len(mails_to(outbox, ORGANISATION)) == 1  # staff were told once
    assert "0 nagekeken" in app.test_cli_runner().invoke(args=["shop", "sync-payments"]).output
