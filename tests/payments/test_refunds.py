"""W6: a refund's status follows Mollie (webhook, order page, sync-payments), and a refund that
failed does not count as refunded for staff or the customer."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from app import db
from app.payments import mollie, refunds, service
from app.payments.models import PaymentRow, RefundRow
from app.shop.models import Order
from tests.shop.conftest import api_calls, fake, lose_next_answer


def refund(staff, order, amount="10,00"):
    return staff.submit(
        f"/staff/bestellingen/{order.number}", {"amount": amount, "confirmed": "ja"}
    )


def refund_rows(session):
    return session.exec(select(RefundRow).order_by(col(RefundRow.id))).all()


def paid_payment_id(session):
    return session.exec(select(PaymentRow).where(PaymentRow.status == "paid")).one().mollie_id


def move_refund(sandbox, refund_id, status):
    """Move the refund at 'Mollie', which then calls the shop's webhook with the payment id."""
    code, answer = fake(sandbox, f"refunds/{refund_id}/status", {"status": status})
    assert code == 200
    return answer


def test_refund_status_follows_the_webhook_to_refunded(staff, client, paid_order, session, sandbox):
    assert refund(staff, paid_order).status_code == 303
    (row,) = refund_rows(session)
    assert row.status == "pending"
    page = staff.get(f"/staff/bestellingen/{paid_order.number}").get_data(as_text=True)
    assert "€\xa010,00 op" in page and ": aangevraagd" in page

    assert move_refund(sandbox, row.mollie_refund_id, "processing")["webhook_status_code"] == 200
    assert refund_rows(session)[0].status == "processing"
    assert move_refund(sandbox, row.mollie_refund_id, "refunded")["webhook_status_code"] == 200
    assert refund_rows(session)[0].status == "refunded"
    assert session.get(Order, paid_order.id).refunded_cents == 1000
    page = staff.get(f"/staff/bestellingen/{paid_order.number}").get_data(as_text=True)
    assert ": terugbetaald" in page and "waarvan €\xa010,00 terugbetaald" in page
    own = client.get(f"/winkel/bestelling/{paid_order.number}").get_data(as_text=True)
    assert "Terugbetaald: €\xa010,00." in own


def test_a_failed_refund_does_not_count_and_can_be_made_again(
    staff, client, paid_order, session, sandbox, outbox
):
    refund(staff, paid_order)
    (row,) = refund_rows(session)
    move_refund(sandbox, row.mollie_refund_id, "failed")
    assert refund_rows(session)[0].status == "failed"
    told = [m for m in outbox.messages() if "niet gelukt" in m["Subject"]]
    assert [m["To"] for m in told] == [paid_order.customer_email]  # told once, by the webhook
    assert session.get(Order, paid_order.id).refunded_cents == 0
    page = staff.get(f"/staff/bestellingen/{paid_order.number}").get_data(as_text=True)
    assert ": mislukt" in page and "terugbetaald</dd>" not in page
    assert "Verder naar controleren" in page  # the whole amount can be refunded again
    own = client.get(f"/winkel/bestelling/{paid_order.number}").get_data(as_text=True)
    assert "Terugbetaald:" not in own

    # The same amount again is a new refund at Mollie, not a replay of the failed one.
    assert refund(staff, paid_order).status_code == 303
    first, second = refund_rows(session)
    assert first.mollie_refund_id != second.mollie_refund_id
    assert (first.status, second.status) == ("failed", "pending")
    assert session.get(Order, paid_order.id).refunded_cents == 1000
    keys = [c["idempotency_key"] for c in api_calls(sandbox, "POST", "/v2/payments/tr_")]
    assert len(set(keys)) == 2


def test_a_refund_moved_by_another_delivery_meanwhile_is_announced_once(
    app, staff, paid_order, session, sandbox, outbox
):
    # Two deliveries of the same news, interleaved by hand: the second has read the refund as
    # pending before the first moves it to failed and commits.
    refund(staff, paid_order)
    (row,) = refund_rows(session)
    sandbox.holder["lost"] = True
    move_refund(sandbox, row.mollie_refund_id, "failed")
    with app.app_context():
        payment, found = service.fetch(mollie.client(), paid_payment_id(session))
        with Session(db.engine()) as first, Session(db.engine()) as second:
            seen = refunds.of(second, paid_order.id)  # held: the identity map is weak
            assert [r.status for r in seen] == ["pending"]
            assert service.settle(first, payment, found) == (False, 1)
            assert service.settle(second, payment, found) == (False, 0)
    assert refund_rows(session)[0].status == "failed"
    assert session.get(Order, paid_order.id).refunded_cents == 0
    assert len([m for m in outbox.messages() if "niet gelukt" in m["Subject"]]) == 1


def test_the_order_page_asks_mollie_when_the_webhook_is_lost(
    staff, client, paid_order, session, sandbox
):
    refund(staff, paid_order)
    (row,) = refund_rows(session)
    sandbox.holder["lost"] = True
    move_refund(sandbox, row.mollie_refund_id, "failed")
    assert refund_rows(session)[0].status == "pending"
    own = client.get(f"/winkel/bestelling/{paid_order.number}").get_data(as_text=True)
    assert refund_rows(session)[0].status == "failed"
    assert "Terugbetaald:" not in own
    # A settled refund is not asked about again.
    payment_calls = f"/v2/payments/{paid_payment_id(session)}"
    before = len(api_calls(sandbox, "GET", payment_calls))
    client.get(f"/winkel/bestelling/{paid_order.number}")
    assert len(api_calls(sandbox, "GET", payment_calls)) == before


def test_sync_payments_catches_up_on_refunds_after_15_minutes(
    app, staff, paid_order, session, sandbox, time_machine
):
    refund(staff, paid_order)
    (row,) = refund_rows(session)
    sandbox.holder["lost"] = True
    move_refund(sandbox, row.mollie_refund_id, "refunded")
    runner = app.test_cli_runner()
    assert "0 nagekeken" in runner.invoke(args=["shop", "sync-payments"]).output
    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=16))
    output = runner.invoke(args=["shop", "sync-payments"]).output
    assert (
        "1 nagekeken, 0 gewijzigd, 0 zonder antwoord van Mollie, 1 terugbetalingen bijgewerkt"
        in output
    )
    assert refund_rows(session)[0].status == "refunded"
    assert "0 nagekeken" in runner.invoke(args=["shop", "sync-payments"]).output  # settled


def test_a_lost_refund_answer_is_retried_without_refunding_twice(
    staff, paid_order, session, sandbox
):
    lose_next_answer(sandbox)
    response = refund(staff, paid_order)
    assert response.status_code == 422
    assert "Mollie gaf geen bruikbaar antwoord" in response.get_data(as_text=True)
    assert refund_rows(session) == []
    assert session.get(Order, paid_order.id).refunded_cents == 0
    assert refund(staff, paid_order).status_code == 303
    (row,) = refund_rows(session)
    assert len(sandbox.state.list_refunds(None, "test")) == 1
    creates = api_calls(sandbox, "POST", "/v2/payments/tr_")
    assert [c["replayed"] for c in creates] == [False, True]
    assert creates[0]["idempotency_key"] == creates[1]["idempotency_key"]
    assert session.get(Order, paid_order.id).refunded_cents == 1000
