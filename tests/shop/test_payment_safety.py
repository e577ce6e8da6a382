"""Payments that cannot go silent, a slow Mollie that cannot block the site, and double clicks
that never show an error page.

Each test runs the real Mollie client over HTTP against the sandbox; where Mollie must be slow
or hang, a MollieProxy sits in between (`mollie_proxy.py`), and the tests count the calls it
received instead of measuring time.
"""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session as DbSession
from sqlmodel import select

from app import db
from app.accounts import service as accounts
from app.payments import mollie
from app.shop import service
from app.shop.models import Handoff, Order, PaymentRow
from app.shop.money import mollie_amount
from app.tables import metadata
from app.urls import public_url
from tests.conftest import DEFAULT_PASSWORD, Client, build_app, htmx_headers
from tests.shop.conftest import (
    ALARM,
    MEALS,
    add,
    api_calls,
    checkout,
    fake,
    pay,
)

ORGANISATION = "info@zorggenoot.nl"  # content/site.toml


def orders(session):
    return session.exec(select(Order).order_by(Order.id)).all()


def payment_row(session, payment_id):
    return session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment_id)).one()


def order_payment(session):
    (row,) = session.exec(select(PaymentRow)).all()
    return row.mollie_id


def payment_id(checkout_url):
    return checkout_url.rsplit("/", 1)[-1]


def form_token(client):
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    return re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page).group(1)


def press_betalen(client, order):
    """The "Betalen" button, with a CSRF token from another page (so the order page itself,
    which asks Mollie too, is not loaded first)."""
    return client.submit(f"/winkel/bestelling/{order.number}/betalen", {}, page="/")


def stray_payment(app, session, order):
    """A second payment for `order`, as the shop made one before this was fixed (after the
    first had ended at Mollie while its webhook was late). Returns its checkout URL."""
    with app.app_context():
        created = mollie.client().payments.create(
            {
                "amount": mollie_amount(order.total_cents),
                "description": f"Bestelling {order.number} bij Zorggenoot",
                "redirectUrl": public_url("shop.order", number=order.number),
                "webhookUrl": public_url("shop.webhook"),
            }
        )
    stored = session.get(Order, order.id)
    stored.payment_attempts += 1
    session.add(stored)
    session.add(
        PaymentRow(
            order_id=order.id,
            mollie_id=created.id,
            attempt=stored.payment_attempts,
            status="open",
            amount_cents=order.total_cents,
        )
    )
    session.commit()
    return created.checkout_url


def mails_to(outbox, address):
    return [m for m in outbox.messages() if m["To"] == address]


def second_worker(tmp_path, database_url, client, **config):
    """Another process of the site: its own app, engine and memory, on the same database, with
    the same logged-in browser."""
    other = build_app(tmp_path / "tweede", database_url, **config)
    other.test_client_class = Client
    browser = other.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    return other, browser


# 1. Charged while the order stays cancelled ------------------------------------------------


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
    assert "Opnieuw bestellen" in page


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
    assert staff.submit(f"/staff/bestellingen/{order.number}", {"amount": "10,00"}).status_code
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
    assert "checked 1, changed 0, errors 0, refunds 0, extra 0" in output
    (refund,) = sandbox.state.list_refunds(None, "test")
    assert refund.payment_id == payment_id(second)
    assert payment_row(session, payment_id(second)).surplus_refund_id == refund.id
    assert len(mails_to(outbox, ORGANISATION)) == 1  # staff were told once
    assert "checked 0" in app.test_cli_runner().invoke(args=["shop", "sync-payments"]).output


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
    assert "checked 1, changed 1, errors 0, refunds 0, extra 1" in output
    (refund,) = sandbox.state.list_refunds(None, "test")
    assert refund.payment_id == payment_id(second)
    assert len(mails_to(outbox, ORGANISATION)) == 1
    assert "checked 0" in runner.invoke(args=["shop", "sync-payments"]).output


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
    assert "checked 1, changed 0" in output  # at once: this is not a late webhook
    assert session.get(Order, order.id).status == "paid"
    assert [m["Subject"] for m in mails_to(outbox, buyer.email)] == [
        f"Bevestiging van je bestelling {order.number}"
    ]


# 2. A slow Mollie must not block the site ---------------------------------------------------


def test_the_mollie_client_gives_up_within_a_few_seconds(app):
    with app.app_context():
        connect, read = mollie.client().timeout
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


def test_the_order_page_checks_less_and_less_often_and_then_stops(client, buyer, session):
    add(client, ALARM)
    checkout(client)
    order = orders(session)[0]
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    delays = []
    while match := re.search(r'hx-get="([^"]+)" hx-trigger="load delay:(\d+)s"', page):
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
    assert 'hx-trigger="load delay:3s"' in response.get_data(as_text=True)


# 3. Double clicks and idempotency keys --------------------------------------------------------


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
                situation="Ik zorg voor mijn moeder.",
            )
            db.session().commit()
        browser = other.test_client()
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
