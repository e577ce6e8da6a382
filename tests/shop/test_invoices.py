"""L2: invoices as the law wants them. Every invoice names the btw-nummer; invoice numbers are
given when an order is paid and run per calendar year (Dutch time) without gaps, also when
payments come in at once on PostgreSQL; every refund Mollie carried out gets a credit note with
a number series of its own."""

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from app.payments.models import RefundRow
from app.shop import invoices
from app.shop.models import CreditNote, Order
from tests.conftest import DEFAULT_PASSWORD, EXTERNAL_DB
from tests.shop.conftest import ALARM, MEALS, add, checkout, fake, order_number, pay

VAT_NUMBER = "NL000000000B01"


def buy(client, outcome="paid", *, slug=ALARM):
    """Order one product and end its payment at the sandbox with `outcome`; the order number."""
    add(client, slug)
    partner = "wakkerwijk-alarmering" if slug == ALARM else "soepterrine"
    location = checkout(client, partners=(partner,)).headers["Location"]
    back = pay(location, outcome)  # the sandbox sends the customer back to the order page
    assert back.status_code == 303
    return order_number(back.headers["Location"])


def by_number(session, number):
    session.expire_all()
    return session.exec(select(Order).where(Order.number == number)).one()


def test_only_paid_orders_get_an_invoice_number_and_the_numbers_have_no_gaps(
    client, buyer, session
):
    first = buy(client, "paid")
    abandoned = buy(client, "canceled")
    failed = buy(client, "failed", slug=MEALS)
    second = buy(client, "paid", slug=MEALS)
    year = datetime.now(UTC).astimezone(invoices.AMSTERDAM).year
    assert by_number(session, first).invoice_number == f"F{year}-000001"
    assert by_number(session, second).invoice_number == f"F{year}-000002"
    assert by_number(session, abandoned).invoice_number is None
    assert by_number(session, failed).invoice_number is None

    page = client.get(f"/winkel/bestelling/{second}/factuur").get_data(as_text=True)
    assert f"Factuur F{year}-000002" in page
    assert f"Btw-nummer {VAT_NUMBER}" in page and f"Bestelnummer</dt><dd>{second}" in page
    assert client.get(f"/winkel/bestelling/{abandoned}/factuur").status_code == 404


def test_the_numbering_starts_again_at_new_year_in_dutch_time(
    client, make_user, session, time_machine
):
    # 31 December, 23:30 in Amsterdam (22:30 UTC): still the old year.
    time_machine.move_to(datetime(2026, 12, 31, 22, 30, tzinfo=UTC))
    user = make_user(email="oudjaar@example.nl")
    client.submit("/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD})
    late = buy(client)
    # 1 January, 00:10 in Amsterdam, while it is still 31 December in UTC: the new year.
    time_machine.move_to(datetime(2026, 12, 31, 23, 10, tzinfo=UTC))
    early = buy(client, slug=MEALS)
    time_machine.move_to(datetime(2027, 1, 1, 8, 0, tzinfo=UTC))
    next_one = buy(client)
    assert by_number(session, late).invoice_number == "F2026-000001"
    assert by_number(session, early).invoice_number == "F2027-000001"
    assert by_number(session, next_one).invoice_number == "F2027-000002"


def test_a_number_taken_in_a_transaction_that_rolls_back_is_given_again(app):
    with Session(app.extensions["db_engine"]) as session:
        assert invoices.next_number(session, invoices.INVOICE, 2030) == "F2030-000001"
        session.rollback()
        assert invoices.next_number(session, invoices.INVOICE, 2030) == "F2030-000001"
        assert invoices.next_number(session, invoices.CREDIT_NOTE, 2030) == "C2030-000001"
        assert invoices.next_number(session, invoices.INVOICE, 2031) == "F2031-000001"
        session.commit()
        assert invoices.next_number(session, invoices.INVOICE, 2030) == "F2030-000002"
        session.commit()


@pytest.mark.skipif(not EXTERNAL_DB, reason="concurrent writers need PostgreSQL (DATABASE_URL)")
def test_concurrent_payments_on_postgresql_get_unique_numbers_without_gaps(app):
    """Eight workers take numbers at once; every third transaction fails after taking its
    number and rolls back. The numbers that stay are exactly 1..N, each once."""
    engine = app.extensions["db_engine"]
    kept: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            start.wait()
            for attempt in range(15):
                with Session(engine) as session:
                    number = invoices.next_number(session, invoices.INVOICE, 2040)
                    if (index + attempt) % 3 == 0:
                        session.rollback()  # the payment's transaction failed
                        continue
                    session.commit()
                with lock:
                    kept.append(int(number.split("-")[1]))
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(kept) == list(range(1, len(kept) + 1))
    assert len(kept) == 8 * 15 - sum(1 for i in range(8) for a in range(15) if (i + a) % 3 == 0)


def test_split_by_rate_is_proportional_and_adds_up_to_the_cent():
    gross = {21: 12100, 9: 10900, 0: 5000}
    # 1000 of 28000: 432.14, 389.29 and 178.57; the spare cent goes to the largest remainder.
    assert invoices.split_by_rate(1000, gross, {}) == {21: 432, 9: 389, 0: 179}
    # What is left is taken back exactly, whatever was credited before.
    assert invoices.split_by_rate(27000, gross, {21: 432, 9: 389, 0: 179}) == {
        21: 11668,
        9: 10511,
        0: 4821,
    }
    with pytest.raises(ValueError, match="cannot credit"):
        invoices.split_by_rate(28001, gross, {})


def refund(staff, order, amount):
    return staff.submit(
        f"/staff/bestellingen/{order.number}", {"amount": amount, "confirmed": "ja"}
    )


def move_refund(sandbox, session, status):
    row = session.exec(select(RefundRow).order_by(col(RefundRow.id).desc())).first()
    code, _ = fake(sandbox, f"refunds/{row.mollie_refund_id}/status", {"status": status})
    assert code == 200


def test_a_refund_mollie_carried_out_gets_a_credit_note(
    staff, client, paid_order, session, sandbox
):
    year = paid_order.paid_at.astimezone(invoices.AMSTERDAM).year
    assert refund(staff, paid_order, "10,00").status_code == 303
    assert session.exec(select(CreditNote)).all() == []  # pending: no money moved yet
    move_refund(sandbox, session, "refunded")
    (note,) = session.exec(select(CreditNote)).all()
    assert note.number == f"C{year}-000001" and note.amount_cents == 1000

    # A refund that fails gets no credit note and uses no number.
    assert refund(staff, paid_order, "5,00").status_code == 303
    move_refund(sandbox, session, "failed")
    assert len(session.exec(select(CreditNote)).all()) == 1

    session.expire_all()
    rest = paid_order.total_cents - 1000
    assert refund(staff, paid_order, f"{rest // 100},{rest % 100:02d}").status_code == 303
    move_refund(sandbox, session, "refunded")
    notes = session.exec(select(CreditNote).order_by(col(CreditNote.id))).all()
    assert [n.number for n in notes] == [f"C{year}-000001", f"C{year}-000002"]
    # Together the credit notes take back exactly what the invoice charged, per rate.
    credited: dict[int, int] = {}
    for n in notes:
        for rate, cents in invoices.rates_of(n).items():
            credited[rate] = credited.get(rate, 0) + cents
    lines = invoices.gross_by_rate(
        list(
            session.exec(
                select(invoices.OrderLine).where(invoices.OrderLine.order_id == paid_order.id)
            )
        )
    )
    assert credited == lines

    own = client.get(f"/winkel/bestelling/{paid_order.number}").get_data(as_text=True)
    link = f"/winkel/bestelling/{paid_order.number}/creditnota/C{year}-000001"
    assert link in own
    page = client.get(link).get_data(as_text=True)
    assert f"Creditnota C{year}-000001" in page and VAT_NUMBER in page
    assert f"Bij factuur</dt><dd>{paid_order.invoice_number}" in page
    staff_page = staff.get(f"/staff/bestellingen/{paid_order.number}").get_data(as_text=True)
    staff_link = f"/staff/bestellingen/{paid_order.number}/creditnota/C{year}-000002"
    assert staff_link in staff_page
    assert staff.get(staff_link).status_code == 200
    # Someone else's order, or a credit note of another order: not found.
    assert (
        client.get(f"/winkel/bestelling/{paid_order.number}/creditnota/C{year}-000009").status_code
        == 404
    )
