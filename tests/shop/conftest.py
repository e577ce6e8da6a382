"""Shop fixtures: the site talks to a real sandbox over HTTP with the real Mollie client; the
sandbox delivers its webhooks straight into the shop app."""

import re

import pytest
import requests

from app.payments.sandbox import SandboxServer
from tests.conftest import DEFAULT_PASSWORD, Client, build_app

ALARM = "personenalarm-met-valdetectie"  # wakkerwijk-alarmering: name, address, phone; ships
MEALS = "tien-verse-maaltijden"  # soepterrine: name, address, phone; ships
ADVICE = "adviesgesprek-volmacht-levenstestament"  # ruggensteun-raad-en-recht: name, email, phone

ADDRESS = {
    "street": "Europalaan",
    "house_number": "500",
    "postcode": "3526ks",
    "city": "Utrecht",
    "phone": "06 12345678",
}


@pytest.fixture
def sandbox():
    holder = {}

    def deliver(url: str, payment_id: str):
        if holder.get("lost"):
            return None  # a webhook that never arrives
        response = holder["app"].test_client().post("/betalen/webhook", data={"id": payment_id})
        holder.setdefault("deliveries", []).append(response.status_code)
        return response.status_code

    server = SandboxServer(deliver_webhook=deliver).start()
    server.holder = holder
    yield server
    server.stop()


@pytest.fixture
def app(tmp_path, database_url, sandbox):
    app = build_app(tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url)
    app.test_client_class = Client
    sandbox.holder["app"] = app
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def buyer(client, make_user):
    user = make_user(email="koper@example.nl", name="Koos Koper")
    client.submit("/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD})
    return user


def add(client, slug, quantity=1):
    return client.submit(
        "/winkel/mandje",
        {"product": slug, "aantal": str(quantity), "actie": "toevoegen"},
        page="/winkel",
    )


def checkout(client, *, partners=("wakkerwijk-alarmering",), token=None, **fields):
    """Fill in the checkout form like a browser; returns the response to the POST."""
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    form_token = token or re.search(
        r'id="token" name="token" type="hidden" value="([^"]*)"', page
    ).group(1)
    data = {
        "csrf_token": client.csrf_token("/winkel/afrekenen"),
        "token": form_token,
        "name": "Koos Koper",
        **ADDRESS,
        **fields,
    }
    for slug in partners:
        data[f"partner_{slug}"] = "y"
    return client.post("/winkel/afrekenen", data=data)


def pay(checkout_url: str, outcome: str = "paid") -> requests.Response:
    """Click a button on the sandbox's hosted checkout page."""
    with requests.post(
        checkout_url, data={"status": outcome}, allow_redirects=False, timeout=10
    ) as response:
        return response


def order_number(location: str) -> str:
    return location.rstrip("/").split("/")[-1]
