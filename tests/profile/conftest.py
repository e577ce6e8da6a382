"""Helpers to fill in the questionnaire as a caregiver would."""

import pytest

from app.accounts.models import Role

STEP_1 = {"relatie": "ouder", "woonsituatie": "zelfstandig", "personalisation": "y"}
STEP_2 = {"uren": "20", "duur": "kort"}
STEP_3 = {"leeftijd": "25-64", "bezigheden": ["werk"]}
STEP_4 = {"onderwerpen": ["financien", "werk"], "gemeente": "Zwolle"}


@pytest.fixture
def caregiver(login_as):
    return login_as(Role.CAREGIVER)


@pytest.fixture
def fill(client):
    """fill(step, data) posts one step with a valid CSRF token; returns the response."""

    def post(step: int, data: dict, **extra):
        return client.submit(f"/profiel/vragenlijst/{step}", {**data, **extra})

    return post


@pytest.fixture
def filled(caregiver, fill):
    """A caregiver who answered steps 1–4 and consented to personalisation."""
    for number, data in enumerate((STEP_1, STEP_2, STEP_3, STEP_4), start=1):
        assert fill(number, data).status_code == 303
    return caregiver
