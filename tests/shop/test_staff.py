"""W6: staff see orders and hand-offs, and refund through Mollie; customers are told."""

import pytest
from sqlmodel import col, select

from app import db
from app.accounts.models import User
from app.core.formatting import euro
from app.payments.models import PaymentRow, RefundRow
from app.privacy import erasure
from app.shop.models import Order
from app.shop.staff import parse_euro


def confirmed(staff, url: str, data: dict):
    """A refund as staff send it after the confirmation step ("Ja, stort … terug")."""
    return staff.submit(url, data | {"confirmed": "ja"})


def test_staff_see_orders_and_handoffs(staff, paid_order):
    assert paid_order.number in staff.get("/staff/bestellingen").get_data(as_text=True)
    page = staff.get(f"/staff/bestellingen/{paid_order.number}").get_data(as_text=True)
    assert "Wakkerwijk Alarmering: naam, adres, telefoonnummer" in page
    assert "Soepterrine Thuismaaltijden: naam, adres, telefoonnummer" in page
    assert "wakkerwijk-alarmering" not in page and "name, address" not in page


def test_a_refund_is_shown_for_confirmation_before_it_goes_to_mollie(
    staff, paid_order, session, outbox
):
    url = f"/staff/bestellingen/{paid_order.number}"
    before = len(outbox.messages())
    asked = staff.submit(url, {"amount": "10,00", "reason": "beschadigd"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Klopt dit bedrag?" in page and f"Ja, stort {euro(1000)} terug" in page
    assert f"nog {euro(paid_order.total_cents - 1000)} open" in page
    assert session.exec(select(RefundRow)).all() == [] and len(outbox.messages()) == before
    # "Bedrag wijzigen" brings back the form with what was typed, and still refunds nothing.
    back = staff.submit(url, {"amount": "10,00", "reason": "beschadigd", "confirmed": "wijzig"})
    page = back.get_data(as_text=True)
    assert back.status_code == 200 and 'value="10,00"' in page and 'value="beschadigd"' in page
    assert "Klopt dit bedrag?" not in page
    assert session.exec(select(RefundRow)).all() == []
    # Too much is refused at the first step, before any confirmation.
    too_much = staff.submit(url, {"amount": f"{paid_order.total_cents // 100 + 1},00"})
    assert too_much.status_code == 422 and "Klopt dit bedrag?" not in too_much.get_data(True)
    # Only "Ja" sends it.
    done = staff.submit(url, {"amount": "10,00", "reason": "beschadigd", "confirmed": "ja"})
    assert done.status_code == 303
    assert [r.amount_cents for r in session.exec(select(RefundRow))] == [1000]


def test_partial_then_full_refund(staff, paid_order, session, outbox):
    url = f"/staff/bestellingen/{paid_order.number}"
    assert confirmed(staff, url, {"amount": "10,00", "reason": "beschadigd"}).status_code == 303
    assert session.get(Order, paid_order.id).refunded_cents == 1000
    assert "Terugbetaling" in outbox.last()["Subject"]
    rest = paid_order.total_cents - 1000
    too_much = confirmed(staff, url, {"amount": f"{rest // 100 + 1},00"})
    assert too_much.status_code == 422 and "resterende bedrag" in too_much.get_data(as_text=True)
    euros, cents = divmod(rest, 100)
    assert confirmed(staff, url, {"amount": f"{euros},{cents:02d}"}).status_code == 303
    refunded = session.get(Order, paid_order.id)
    assert refunded.refunded_cents == refunded.total_cents
    assert [
        r.amount_cents for r in session.exec(select(RefundRow).order_by(col(RefundRow.id)))
    ] == [
        1000,
        rest,
    ]
    assert "Verder naar controleren" not in staff.get(url).get_data(as_text=True)


@pytest.mark.parametrize("amount", ["", "abc", "-5", "1,234", "10.000,00", "0", "99999999"])
def test_bad_refund_amounts(staff, paid_order, amount):
    url = f"/staff/bestellingen/{paid_order.number}"
    for data in ({"amount": amount}, {"amount": amount, "confirmed": "ja"}):
        assert staff.submit(url, data).status_code == 422


def test_customers_cannot_refund(client, paid_order):
    assert client.get("/staff/bestellingen").status_code == 403
    assert client.get(f"/staff/bestellingen/{paid_order.number}").status_code == 403


def test_parse_euro():
    assert parse_euro("12,50") == 1250 and parse_euro("€ 3") == 300 and parse_euro("0,5") == 50
    assert parse_euro("12.50") == 1250
    for bad in ("", "1,2,3", "abc", "-1", "1,234"):
        assert parse_euro(bad) is None


def test_staff_see_payment_and_refund_statuses_in_dutch(staff, paid_order, session):
    confirmed(staff, f"/staff/bestellingen/{paid_order.number}", {"amount": "10,00"})
    page = staff.get(f"/staff/bestellingen/{paid_order.number}").get_data(as_text=True)
    (payment,) = session.exec(select(PaymentRow)).all()
    assert f"{payment.mollie_id} (poging 1): betaald," in page
    assert ": aangevraagd" in page and "Stand</dt><dd>betaald<" in page


def test_refund_after_the_account_was_erased_mails_no_one(staff, paid_order, app, session, outbox):
    """The order stays for the tax rules without the customer's address: the refund goes
    ahead, and no message is queued to an address that is no longer there."""
    with app.app_context():
        erasure.erase_account(db.session(), db.session().get_one(User, paid_order.user_id))
        db.session().commit()
    before = len(outbox.messages())
    url = f"/staff/bestellingen/{paid_order.number}"
    assert confirmed(staff, url, {"amount": "10,00", "reason": "beschadigd"}).status_code == 303
    assert session.get(Order, paid_order.id).refunded_cents == 1000
    assert [message["To"] for message in outbox.messages()[before:]] == []
