"""Privacy fixtures: a caregiver with a profile (health answers included), a paid order whose
data went to a partner, and the shop's real Mollie sandbox."""

import pytest
from sqlmodel import select

from app.shop.models import Order
from tests.conftest import DEFAULT_PASSWORD
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
        situation="Ik zorg voor mijn moeder in Deventer.",
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
    return session.exec(select(Order).order_by(Order.id.desc())).first()


@pytest.fixture
def ordered(client, session, caregiver):
    """The caregiver's paid order, handed off to the partner."""
    return buy(client, session)
