"""A site with something in it for every role, for tests that crawl or fuzz the whole site.

The caregiver has accepted cookies, answered the questionnaire (health questions included,
after consent), paid an order in the Mollie sandbox, has another product in the basket and a
download ready. A privacy request by phone waits in the staff queue. Staff, an editor and an
administrator are logged in with their own test clients.

Building it takes a second or two, so the tests that use it share one per module
(`populated_site` is module-scoped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast

import requests
from flask import Flask
from sqlmodel import Session, select

from app import db
from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.privacy import requests as privacy_requests
from app.privacy.models import ExportFile, PrivacyRequest
from app.shop.models import Order
from app.tables import metadata
from tests.conftest import (
    DEFAULT_PASSWORD,
    EXTERNAL_DB,
    AuthActions,
    Client,
    build_app,
    empty_all_tables,
    enrol_for_tests,
)
from tools.mollie_sandbox.server import SandboxServer

ROLES = ("anonymous", "caregiver", "staff", "editor", "admin")
ALARM = "personenalarm-met-valdetectie"
ADVICE = "adviesgesprek-volmacht-levenstestament"
STEPS: tuple[dict[str, str | list[str]], ...] = (
    {"relatie": "ouder", "woonsituatie": "zelfstandig", "personalisation": "y"},
    {"uren": "20", "duur": "kort"},
    {"leeftijd": "25-64", "bezigheden": ["werk"]},
    {"onderwerpen": ["financien", "werk"], "gemeente": "Zwolle"},
)
HEALTH = {"aandoening": ["dementie", "ouderdom"]}
ADDRESS = {
    "name": "Carla Mantel",
    "street": "Europalaan",
    "house_number": "500",
    "postcode": "3526 KS",
    "city": "Utrecht",
    "phone": "06 12345678",
}
# Where each role starts: its own pages are not all linked from the home page.
SEEDS = {
    "anonymous": ["/", "/sitemap.xml", "/inloggen", "/registreren", "/wachtwoord-vergeten"],
    "caregiver": [
        "/",
        "/account",
        "/profiel",
        "/profiel/vragenlijst/1",
        "/privacy",
        "/winkel/mandje",
        "/winkel/afrekenen",
        "/winkel/bestellingen",
    ],
    "staff": ["/", "/account", "/staff/privacy", "/staff/bestellingen"],
    "editor": ["/", "/account", "/redactie"],
    "admin": ["/", "/account", "/redactie", "/staff/privacy", "/staff/bestellingen"],
}


@dataclass
class PopulatedSite:
    app: Flask
    sandbox: SandboxServer
    clients: dict[str, Client]
    users: dict[str, User]
    order_number: str = ""
    export_id: int = 0
    request_id: int = 0
    emails: dict[str, str] = field(default_factory=dict)

    def session(self) -> Session:
        return Session(self.app.extensions["db_engine"], expire_on_commit=False)

    def login(self, role: str) -> Client:
        """Log `role`'s client in again (after a fuzzed request logged it out); when the
        account is gone (erased) or its password changed, a new account takes its place."""
        client = self.clients[role]
        if role == "anonymous":
            return client
        email = self.emails[role]
        response = AuthActions(client).login(email)
        if response.status_code != 303:
            email = self.emails[role] = f"{role}-{len(self.emails)}-nieuw@example.nl"
            self.users[role] = make_user(self.app, Role(role), email)
            response = AuthActions(client).login(email)
        assert response.status_code == 303, f"{role} could not log in again"
        return client


def make_user(app: Flask, role: Role, email: str, **details) -> User:
    with app.app_context():
        session = db.session()
        user = accounts.register_user(
            session,
            name=details.pop("name", f"Test {role.label}"),
            email=email,
            password=DEFAULT_PASSWORD,
            role=role,
            verified=True,
            phone=details.pop("phone", None),
        )
        session.flush()
        enrol_for_tests(session, user)
        session.commit()
        return user


def _checkout(client: Client) -> str:
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    found = re.search(r'id="token" name="token" type="hidden" value="([^"]*)"', page)
    assert found, "the checkout page has no order token"
    token = found.group(1)
    data = {
        "csrf_token": client.csrf_token("/winkel/afrekenen"),
        "token": token,
        "partner_wakkerwijk-alarmering": "y",
        **ADDRESS,
    }
    response = client.post("/winkel/afrekenen", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _fill(app: Flask, site: PopulatedSite) -> None:
    caregiver = site.clients["caregiver"]
    chosen = caregiver.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/")
    assert chosen.status_code == 303
    for number, data in enumerate(STEPS, start=1):
        assert caregiver.submit(f"/profiel/vragenlijst/{number}", data).status_code == 303
    assert caregiver.submit("/profiel/vragenlijst/5", {"consent": "y"}).status_code == 303
    assert caregiver.submit("/profiel/vragenlijst/5", HEALTH).status_code == 303
    add = {"product": ALARM, "aantal": "1", "actie": "toevoegen"}
    assert caregiver.submit("/winkel/mandje", add, page="/winkel").status_code == 303
    checkout_url = _checkout(caregiver)
    with requests.post(
        checkout_url, data={"status": "paid"}, allow_redirects=False, timeout=10
    ) as paid:
        assert paid.status_code in (302, 303)
    add = {"product": ADVICE, "aantal": "2", "actie": "toevoegen"}
    assert caregiver.submit("/winkel/mandje", add, page="/winkel").status_code == 303
    assert caregiver.submit("/privacy/download", page="/privacy").status_code == 303
    with site.session() as s:
        order = s.exec(select(Order)).one()
        assert order.status == "paid" and order.number is not None
        site.order_number = order.number
        export_id = s.exec(select(ExportFile.id)).one()
        assert export_id is not None
        site.export_id = export_id
        request = privacy_requests.open_request(
            s,
            user_id=site.users["caregiver"].id,
            kind="inzage",
            channel="telefoon",
            detail="Belde de Hulplijn.",
            handled_by=site.users["staff"].id,
        )
        s.commit()
        site.request_id = db.id_of(request)
        assert s.exec(select(PrivacyRequest)).all()
    # A disclosure to an authority the caregiver may see (the access page links to its page).
    disclosure = {
        "email": site.users["caregiver"].email,
        "authority": "Belastingdienst",
        "legal_basis": "art. 53 Algemene wet inzake rijksbelastingen",
        "what": "naam en de factuur van de bestelling",
        "disclosed_on": date.today().isoformat(),
    }
    assert site.clients["staff"].submit("/staff/verstrekkingen", disclosure).status_code == 303


@contextmanager
def populated_site(tmp_path: Path, database_url: str, **overrides) -> Iterator[PopulatedSite]:
    """The site with data for every role, its own Mollie sandbox, and a client per role."""
    holder: dict[str, Flask] = {}

    def deliver(url: str, payment_id: str) -> int:
        client = holder["app"].test_client()
        return client.post("/betalen/webhook", data={"id": payment_id}).status_code

    sandbox = SandboxServer(deliver_webhook=deliver).start()
    app = build_app(tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url, **overrides)
    app.test_client_class = Client
    holder["app"] = app
    try:
        site = PopulatedSite(app=app, sandbox=sandbox, clients={}, users={})
        for role in ROLES:
            site.clients[role] = cast(Client, app.test_client())  # the app's test_client_class
            if role == "anonymous":
                continue
            site.emails[role] = f"{role}@example.nl"
            site.users[role] = make_user(
                app,
                Role(role),
                site.emails[role],
                name="Carla Mantel" if role == "caregiver" else f"Test {role}",
                phone="06 11122233" if role == "caregiver" else None,
            )
            site.login(role)
        _fill(app, site)
        yield site
    finally:
        app.extensions["db_engine"].dispose()
        sandbox.stop()


@contextmanager
def module_database(tmp_path: Path, external_engine) -> Iterator[str]:
    """A database for a whole test module: a SQLite file, or the PostgreSQL test database
    (emptied afterwards, as the per-test fixture does)."""
    if external_engine is not None:
        try:
            yield EXTERNAL_DB
        finally:
            empty_all_tables(external_engine)
        return
    url = f"sqlite:///{tmp_path / 'site.db'}"
    engine = db.make_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    yield url
