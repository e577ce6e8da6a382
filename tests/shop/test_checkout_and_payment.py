"""W3–W7, P09, P21: checkout, consent per partner, paying, the order page, after payment. (The
webhook, idempotency and reconciliation are tested in tests/payments.)"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.consent.models import ConsentRecord
from app.payments.models import PaymentRow
from app.privacy import erasure
from app.shop import service
from app.shop.models import Handoff, Order
from tests.shop.conftest import (
    ADDRESS,
    ADVICE,
    ALARM,
    MEALS,
    add,
    checkout,
    pay,
)


def orders(session):
    return session.exec(select(Order)).all()


def test_checkout_needs_login_and_keeps_the_cart(client):
    add(client, ALARM)
    response = client.get("/winkel/afrekenen")
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")


def test_checkout_page_asks_consent_per_partner_unticked_and_shows_vat(client, buyer):
    add(client, ALARM)
    add(client, MEALS, 2)
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    boxes = re.findall(r'<input [^>]*id="partner_[^>]*>', page)
    assert len(boxes) == 2 and all('type="checkbox"' in box for box in boxes)
    assert not any("checked" in box for box in boxes)
    assert (
        "Ja, Zorggenoot mag je naam, je adres en je telefoonnummer doorgeven aan Wakkerwijk" in page
        or "doorgeven aan" in page
    )
    assert "Waarvan btw 21%" in page and "Waarvan btw 9%" in page
    assert "Bestellen en betalen" in page
    assert "herroepingsrecht" in page and "modelformulier" in page
    assert 'name="postcode"' in page  # something ships


def test_p09_no_address_asked_when_nothing_ships(client, buyer):
    add(client, ADVICE)
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    assert 'name="postcode"' not in page and 'name="street"' not in page


def test_p21_paying_hands_off_only_to_the_consented_partner(
    app, client, buyer, session, sandbox, outbox
):
    add(client, ALARM)
    add(client, MEALS, 2)
    response = checkout(client, partners=("wakkerwijk-alarmering",))
    assert response.status_code == 303
    checkout_url = response.headers["Location"]
    assert checkout_url.startswith(sandbox.url + "/checkout/tr_")
    order = orders(session)[0]
    assert order.total_cents == 12900  # only the alarm: the meals' partner got no consent
    with app.app_context():  # the alarm reveals health: its line is read decrypted
        assert [line.product_slug for line in service.order_lines(session, order)] == [ALARM]
    assert "Tien verse maaltijden" in client.get("/winkel/mandje").get_data(
        as_text=True
    )  # still in the cart
    # Nothing is handed to anyone before payment.
    assert session.exec(select(Handoff)).all() == []

    back = pay(checkout_url, "paid")
    assert back.status_code == 303 and back.headers["Location"].endswith(
        f"/winkel/bestelling/{order.number}"
    )
    assert sandbox.holder["deliveries"] == [200]
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    assert "Je betaling is ontvangen" in page

    handoffs = session.exec(select(Handoff)).all()
    assert [(h.partner_slug, h.fields) for h in handoffs] == [
        ("wakkerwijk-alarmering", "name,address,phone")
    ]
    assert '"name": "Koos Koper"' in handoffs[0].payload and "3526 KS" in handoffs[0].payload
    assert (
        "koper@example.nl" not in handoffs[0].payload
    )  # this partner does not need the e-mail address
    consent = session.get(ConsentRecord, handoffs[0].consent_id)
    assert consent.scope == "partner:wakkerwijk-alarmering" and consent.user_id == buyer.id

    confirmations = [m for m in outbox.messages() if "Bevestiging" in m["Subject"]]
    assert len(confirmations) == 1
    text = confirmations[0].get_body(preferencelist=("plain",)).get_content()
    assert (
        order.number in text
        and "Personenalarm met valdetectie" in text
        and "Waarvan btw 21%" in text
    )
    assert "14 dagen" in text and "modelformulier" in text.lower()
    history = client.get("/winkel/bestellingen").get_data(as_text=True)
    assert order.number in history and "betaald" in history
    invoice = client.get(f"/winkel/bestelling/{order.number}/factuur").get_data(as_text=True)
    assert "Factuur" in invoice and "92131530" in invoice and "Btw 21%" in invoice


@pytest.mark.parametrize(
    ("outcome", "message", "status"),
    [
        ("failed", "De betaling is mislukt.", "failed"),
        ("canceled", "Je hebt de betaling geannuleerd.", "canceled"),
        ("expired", "De tijd om te betalen is verlopen.", "expired"),
    ],
)
def test_failed_canceled_and_expired(client, buyer, session, outbox, outcome, message, status):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    pay(checkout_url, outcome)
    order = orders(session)[0]
    assert order.status == status
    assert message in client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    assert session.exec(select(Handoff)).all() == []
    assert outbox.messages() == []


def test_return_before_the_webhook_shows_pending_and_then_asks_mollie(
    client, buyer, session, sandbox, time_machine
):
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    order = orders(session)[0]
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(as_text=True)
    assert "We wachten op de bevestiging" in page and 'data-hx-trigger="load delay:3s"' in page
    sandbox.holder["lost"] = True  # the webhook never arrives
    pay(checkout_url, "paid")
    assert session.get(Order, order.id).status == "pending"
    # The page just asked Mollie; a while later it asks again.
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=10))
    page = client.get(f"/winkel/bestelling/{order.number}").get_data(
        as_text=True
    )  # a fresh API fetch
    assert "Je betaling is ontvangen" in page
    assert session.get(Order, order.id).status == "paid"


def test_double_submit_makes_one_order_and_one_payment(client, buyer, session):
    add(client, ALARM)
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    import re

    found = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    assert found, "the checkout page has no order token"
    token = found.group(1)
    first = checkout(client, token=token)
    add(client, ALARM)  # the cart was emptied; a second click still carries the same token
    second = checkout(client, token=token)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(orders(session)) == 1
    assert len(session.exec(select(PaymentRow)).all()) == 1


def test_mollie_unreachable_keeps_the_order_and_offers_a_retry(client, buyer, session, sandbox):
    add(client, ALARM)
    with requests.post(
        f"{sandbox.url}/_fake/next-error",
        timeout=5,
        json={
            "http_status": 503,
            "body": '{"status": 503, "title": "x", "detail": "Onderhoud"}',
            "content_type": "application/hal+json",
        },
    ):
        pass
    response = checkout(client)
    order = orders(session)[0]
    assert response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Betalen lukt op dit moment niet" in page and "opnieuw proberen" in page.lower()
    assert order.status == "pending"
    retry = client.submit(
        f"/winkel/bestelling/{order.number}/betalen", {}, page=f"/winkel/bestelling/{order.number}"
    )
    assert retry.status_code == 303 and "/checkout/tr_" in retry.headers["Location"]


def test_paying_again_after_failure_creates_a_new_attempt(client, buyer, session):
    add(client, ALARM)
    pay(checkout(client).headers["Location"], "failed")
    order = orders(session)[0]
    response = client.submit(
        f"/winkel/bestelling/{order.number}/betalen", {}, page=f"/winkel/bestelling/{order.number}"
    )
    assert (
        response.status_code == 303
        and response.headers["Location"] == f"/winkel/bestelling/{order.number}"
    )
    assert "wacht niet meer op betaling" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_someone_elses_order_is_404(app, client, buyer, make_user, session):
    add(client, ALARM)
    checkout(client)
    number = orders(session)[0].number
    other = make_user(email="ander@example.nl")
    stranger = app.test_client()
    stranger.submit("/inloggen", {"email": other.email, "password": "een lange zin als wachtwoord"})
    for path in (f"/winkel/bestelling/{number}", f"/winkel/bestelling/{number}/factuur"):
        assert stranger.get(path).status_code == 404
    assert stranger.submit(f"/winkel/bestelling/{number}/betalen", {}, page="/").status_code == 404


def test_invoice_only_for_paid_orders(client, buyer, session):
    add(client, ALARM)
    checkout(client)
    assert client.get(f"/winkel/bestelling/{orders(session)[0].number}/factuur").status_code == 404


def test_address_is_validated_and_kept(client, buyer, session):
    add(client, ALARM)
    response = checkout(client, postcode="12345", house_number="nul", street="", phone="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul een Nederlandse postcode in" in html and "Vul een huisnummer in" in html
    assert "Vul je straat in" in html and "Vul je telefoonnummer in" in html
    assert 'value="12345"' in html and 'value="Utrecht"' in html
    assert orders(session) == []


def test_refusing_every_partner_orders_nothing_and_says_why(client, buyer, session):
    add(client, ALARM)
    response = checkout(client, partners=())
    assert response.status_code == 422
    assert "Je gaf voor geen enkele partner toestemming" in response.get_data(as_text=True)
    assert orders(session) == []


def test_p21_no_handoff_when_processing_is_restricted(client, buyer, session, sandbox):
    from app.accounts.models import User

    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    user = session.get(User, buyer.id)
    user.restricted = True
    session.add(user)
    session.commit()
    pay(checkout_url, "paid")
    handoff = session.exec(select(Handoff)).one()
    assert handoff.status == "tegengehouden" and handoff.payload == "{}"


def test_cart_line_without_shipping_and_email_partner(client, buyer, session):
    add(client, ADVICE)
    response = checkout(
        client, partners=("ruggensteun-raad-en-recht",), **{k: "" for k in ADDRESS if k != "phone"}
    )
    assert response.status_code == 303
    order = orders(session)[0]
    assert order.street is None and order.postcode is None


def test_paid_after_the_account_was_erased_confirms_to_no_one(app, client, buyer, session, outbox):
    """The caregiver erases their account while a payment is under way, then pays: the order
    is paid and kept for the tax rules, but there is no address left to confirm it to."""
    add(client, ALARM)
    checkout_url = checkout(client).headers["Location"]
    with app.app_context():
        erasure.erase_account(db.session(), db.session().get_one(User, buyer.id))
        db.session().commit()
    before = len(outbox.messages())
    pay(checkout_url, "paid")
    order = orders(session)[0]
    assert order.status == "paid" and order.customer_email is None
    assert [message["To"] for message in outbox.messages()[before:]] == []
