"""Privacy fixtures: a caregiver with a profile (health answers included), a paid order whose
data went to a partner, and the shop's real Mollie sandbox; and a caregiver whose every value
carries a canary, with the helpers that look for canaries on disk."""

from pathlib import Path

import pytest
from sqlmodel import col, select

from app.shop.models import Order
from tests.conftest import DEFAULT_PASSWORD, EXTERNAL_DB, database_files, pg_dump
from tests.profile.conftest import STEP_1, STEP_2, STEP_3, STEP_4
from tests.shop.conftest import ALARM, add, app, checkout, pay, sandbox  # noqa: F401

HEALTH = {"aandoening": ["dementie", "ouderdom"]}
PARTNER = "wakkerwijk-alarmering"


@pytest.fixture
def caregiver(client, make_user):
    user = make_user(
        email="carla@example.nl",
        name="Carla Mantel",
        phone="06 11122233",
    )
    client.submit("/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD})
    return user


@pytest.fixture
def profiled(client, caregiver):
    """The caregiver answered the questionnaire, health questions (with consent) included."""
    for number, data in enumerate((STEP_1, STEP_2, STEP_3, STEP_4), start=1):
        assert client.submit(f"/profiel/vragenlijst/{number}", data).status_code == 303
    assert client.submit("/profiel/vragenlijst/5", {"consent": "y"}).status_code == 303
    assert client.submit("/profiel/vragenlijst/5", HEALTH).status_code == 303
    return caregiver


def buy(client, session, **fields) -> Order:
    """Order the alarm (name, address and phone go to its partner) and pay for it."""
    add(client, ALARM)
    response = checkout(client, partners=(PARTNER,), **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    pay(response.headers["Location"], "paid")
    return session.exec(select(Order).order_by(col(Order.id).desc())).first()


@pytest.fixture
def ordered(client, session, caregiver):
    """The caregiver's paid order, handed off to the partner."""
    return buy(client, session)


NAME = "Quirijn Kanarievogel"
EMAIL = "quirijn.kanarie@example.nl"
PHONE = "06 13572468"
SITUATION = "Ik zorg voor tante Kanariebloem in Kanariedorp."
ADDRESS = {"street": "Kanarielaan", "city": "Kanariestad", "phone": "06 13572468"}
# A real municipality (the intake accepts no other), named nowhere else in what the site stores.
MUNICIPALITY = "Schiermonnikoog"
# Every value above holds one of these; nothing else the site stores does.
CANARIES = (b"kanarie", b"13572468", b"schiermonnikoog")


def canaries_in(blob: bytes) -> list[str]:
    """The canaries in `blob`, each with a little of what surrounds it."""
    lower, found = blob.lower(), []
    for canary in CANARIES:
        at = lower.find(canary)
        if at >= 0:
            found.append(blob[max(0, at - 30) : at + 40].decode("utf-8", errors="replace"))
    return found


def files_with_canaries(flask_app) -> dict[str, list[str]]:
    """Every place on disk still holding a canary: the database's own files (on PostgreSQL, a
    pg_dump of the database) and every file in the instance folder except the mail outbox,
    which the mail code looks after."""
    if EXTERNAL_DB:
        stored = {"pg_dump": pg_dump(EXTERNAL_DB).encode()}
    else:
        stored = dict(database_files(flask_app))
    outbox = Path(flask_app.config["OUTBOX_DIR"])
    for path in Path(flask_app.config["INSTANCE_DIR"]).rglob("*"):
        if path.is_file() and outbox not in path.parents and str(path) not in stored:
            stored[str(path)] = path.read_bytes()
    return {name: hits for name, blob in stored.items() if (hits := canaries_in(blob))}


@pytest.fixture
def canary(client, make_user, session):
    """A caregiver who chose cookies before logging in, answered the questionnaire (health
    answers and a municipality included), asked the Hulplijn a question about their situation,
    ordered with an address and made a download: every value of theirs carries a canary."""
    client.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/")
    user = make_user(email=EMAIL, name=NAME, phone=PHONE)
    assert client.submit("/inloggen", {"email": EMAIL, "password": DEFAULT_PASSWORD}).status_code
    steps = (STEP_1, STEP_2, STEP_3, {"onderwerpen": ["financien"], "gemeente": MUNICIPALITY})
    for number, data in enumerate(steps, start=1):
        assert client.submit(f"/profiel/vragenlijst/{number}", data).status_code == 303
    assert client.submit("/profiel/vragenlijst/5", {"consent": "y"}).status_code == 303
    assert client.submit("/profiel/vragenlijst/5", HEALTH).status_code == 303
    question = {"kind": "vraag", "name": NAME, "phone": PHONE, "email": EMAIL, "moment": "middag"}
    question |= {"explanation": SITUATION, "health_consent": "y"}
    assert client.submit("/hulplijn", question).status_code == 303
    buy(client, session, name=NAME, **ADDRESS)
    session.close()
    assert client.submit("/privacy/download", page="/privacy").status_code == 303
    return user


def erase(client) -> None:
    response = client.submit("/privacy/verwijderen", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)
