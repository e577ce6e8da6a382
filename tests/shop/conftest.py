"""Shop fixtures: the site talks to a real sandbox over HTTP with the real Mollie client; the
sandbox delivers its webhooks straight into the shop app."""

import re
import shutil
from typing import Any

import pytest
import requests
from sqlmodel import select

from app.accounts.models import Role
from app.shop.models import Order
from tests.conftest import PROJECT_ROOT, AuthActions, Client, build_app
from tools.mollie_sandbox.server import SandboxServer

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


class ShopSandbox(SandboxServer):
    """The sandbox with what its webhook deliveries share with the test: the shop app, whether
    a webhook gets lost, and the status codes the deliveries got."""

    holder: dict[str, Any]


@pytest.fixture
def sandbox():
    holder: dict[str, Any] = {}

    def deliver(url: str, payment_id: str):
        if holder.get("lost"):
            return None  # a webhook that never arrives
        response = holder["app"].test_client().post("/betalen/webhook", data={"id": payment_id})
        holder.setdefault("deliveries", []).append(response.status_code)
        return response.status_code

    server = ShopSandbox(deliver_webhook=deliver)
    server.holder = holder
    server.start()
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
    AuthActions(client).login(user.email)
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
    form_token = token
    if not form_token:
        found = re.search(r'id="token" name="token" type="hidden" value="([^"]*)"', page)
        assert found, "the checkout page has no order token"
        form_token = found.group(1)
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


def fake(sandbox: SandboxServer, path: str, payload: dict | None = None) -> tuple[int, Any]:
    """POST to the sandbox's /_fake/ controls; the status and the JSON answer (if any)."""
    with requests.post(f"{sandbox.url}/_fake/{path}", json=payload, timeout=10) as response:
        return response.status_code, response.json() if response.content else None


def api_calls(sandbox: SandboxServer, method: str, path_start: str) -> list[dict[str, Any]]:
    """The shop's calls to the sandbox's Mollie API, as the sandbox logged them."""
    with requests.get(f"{sandbox.url}/_fake/api-log", timeout=10) as response:
        calls = response.json()["calls"]
    return [c for c in calls if c["method"] == method and c["path"].startswith(path_start)]


def lose_next_answer(sandbox: SandboxServer) -> None:
    """The next Mollie call does its work, but its answer never reaches the shop."""
    status, _ = fake(
        sandbox,
        "next-error",
        {
            "http_status": 504,
            "body": {"status": 504, "title": "Gateway Timeout", "detail": "Geen antwoord"},
            "after": True,
        },
    )
    assert status == 204


@pytest.fixture
def paid_order(client, buyer, session):
    """An order for the alarm and the meals, paid in the sandbox."""
    add(client, ALARM)
    add(client, MEALS)
    pay(
        checkout(client, partners=("wakkerwijk-alarmering", "soepterrine")).headers["Location"],
        "paid",
    )
    return session.exec(select(Order)).one()


@pytest.fixture
def staff(app, make_user):
    """A client logged in as staff."""
    user = make_user(role=Role.STAFF, email="medewerker@example.nl")
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


@pytest.fixture
def content_dir(tmp_path):
    """A content folder of the test's own: the real site settings and shop, no articles."""
    root = tmp_path / "content"
    for folder in ("artikelen", "videos", "paginas"):
        (root / folder).mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "content" / "site.toml", root / "site.toml")
    shutil.copytree(PROJECT_ROOT / "content" / "vragenlijsten", root / "vragenlijsten")
    shutil.copytree(PROJECT_ROOT / "content" / "winkel", root / "winkel")
    return root


@pytest.fixture
def content_app(tmp_path, database_url, content_dir, sandbox):
    """The site reading `content_dir`."""
    app = build_app(
        tmp_path, database_url, CONTENT_DIR=str(content_dir), MOLLIE_API_ENDPOINT=sandbox.url
    )
    yield app
    app.extensions["db_engine"].dispose()
