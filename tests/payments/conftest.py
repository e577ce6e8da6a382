"""Payments are tested through the shop, the one feature that registers payables: the site
talks to the sandbox over HTTP with the real Mollie client, and the sandbox delivers its
webhooks straight into the site. Where Mollie must fail or hang, a MollieProxy sits in between
(`mollie_proxy.py`), and the tests count the calls it received instead of measuring time."""

import re

import pytest
from sqlmodel import col, select

from app.payments import mollie
from app.payments.models import PaymentRow, PaymentStatus
from app.shop.models import Order
from app.urls import public_url
from tests.conftest import Client, build_app
from tests.payments.mollie_proxy import MollieProxy
from tests.shop.conftest import app, buyer, paid_order, sandbox, staff  # noqa: F401

ORGANISATION = "info@zorggenoot.nl"  # content/site.toml


@pytest.fixture
def mollie_proxy(app, sandbox):  # noqa: F811
    """The site reaches the sandbox through a MollieProxy, which counts, holds back or hangs."""
    proxy = MollieProxy(sandbox.url).start()
    app.config["MOLLIE_API_ENDPOINT"] = proxy.url
    yield proxy
    proxy.stop()


def orders(session):
    return session.exec(select(Order).order_by(col(Order.id))).all()


def payment_row(session, payment_id):
    return session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment_id)).one()


def order_payment(session):
    (row,) = session.exec(select(PaymentRow)).all()
    return row.mollie_id


def payment_id(checkout_url):
    return checkout_url.rsplit("/", 1)[-1]


def form_token(client):
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    found = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    assert found, "the checkout page has no order token"
    return found.group(1)


def press_betalen(client, order):
    """The "Betalen" button, with a CSRF token from another page (so the order page itself,
    which asks Mollie too, is not loaded first)."""
    return client.submit(f"/winkel/bestelling/{order.number}/betalen", {}, page="/")


def stray_payment(app, session, order):  # noqa: F811 - the app under test
    """A second payment for `order`, as the shop made one before this was fixed (after the
    first had ended at Mollie while its webhook was late). Returns its checkout URL."""
    with app.app_context():
        created = mollie.client().payments.create(
            {
                "amount": mollie.amount(order.total_cents),
                "description": f"Bestelling {order.number} bij Zorggenoot",
                "redirectUrl": public_url("shop.order", number=order.number),
                "webhookUrl": public_url("payments.webhook"),
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
            status=PaymentStatus.OPEN,
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
    # Processes of one site share the database and the key store (KEY_STORE_URL).
    config.setdefault("KEY_STORE_URL", client.application.config["KEY_STORE_URL"])
    other = build_app(tmp_path / "tweede", database_url, **config)
    other.test_client_class = Client
    browser = other.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    return other, browser
