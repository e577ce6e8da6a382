"""Whole sets of answers and the six recommendations they give: an answer to a one-choice
question rules out what is meant only for another answer (issue: "kind met een beperking" for
someone caring for a parent), and health answers given with consent count."""

import pytest

from tests.profile.test_recommendations import titles

# The expected top six, looked at and judged right for each person; then what must be in it
# and what may never be (meant for another answer, or a condition nobody named).
EXPECTED = {
    "daughter of a father with dementia, nearby, working": [
        "zorgtechnologie-thuis",
        "casemanager-dementie",
        "dementie-omgaan-met-gedrag",
        "dementie-eerste-signalen",
        "dagbesteding",
        "levenstestament",
    ],
    "partner at home, long and heavy care, retired": [
        "zorgen-voor-partner",
        "respijtzorg",
        "parkinson",
        "palliatieve-zorg-thuis",
        "lotgenotencontact",
        "hulp-vragen",
    ],
    "parent of a child with a disability": [
        "kind-met-beperking",
        "bewind-en-curatele",
        "gesprek-met-werkgever",
        "pgb-of-zorg-in-natura",
        "pgb-betaald-mantelzorger",
        "logeeropvang",
    ],
    "student caring for a mother far away": [
        "jonge-mantelzorgers",
        "wmo-aanvraag-keukentafelgesprek",
        "mantelzorg-en-studie",
        "personenalarmering",
        "volmacht",
        "zorg-op-afstand",
    ],
}
NEVER = {
    "daughter of a father with dementia, nearby, working": {
        "kind-met-beperking",
        "zorg-op-afstand",
        "parkinson",
        "palliatieve-zorg-thuis",
        "zorgen-voor-partner",
    },
    "partner at home, long and heavy care, retired": {
        "kind-met-beperking",
        "zorg-op-afstand",
        "jonge-mantelzorgers",
        "mantelzorg-en-studie",
    },
    "parent of a child with a disability": {
        "dementie-eerste-signalen",
        "dementie-omgaan-met-gedrag",
        "casemanager-dementie",
        "zorgen-voor-partner",
        "zorg-op-afstand",
        "parkinson",
    },
    "student caring for a mother far away": {
        "kind-met-beperking",
        "zorgen-voor-partner",
        "palliatieve-zorg-thuis",
    },
}

ANSWER_SETS = {
    "daughter of a father with dementia, nearby, working": (
        {"relatie": "ouder", "woonsituatie": "zelfstandig", "personalisation": "y"},
        {"uren": "12", "duur": "jaren"},
        {"leeftijd": "25-64", "bezigheden": ["werk"]},
        {"onderwerpen": ["zorg", "balans"]},
        {"aandoening": ["dementie"]},
    ),
    "partner at home, long and heavy care, retired": (
        {"relatie": "partner", "woonsituatie": "samen", "personalisation": "y"},
        {"uren": "40", "duur": "lang"},
        {"leeftijd": "65-plus", "bezigheden": ["geen"]},
        {"onderwerpen": ["balans", "wonen"]},
        None,
    ),
    "parent of a child with a disability": (
        {"relatie": "kind", "woonsituatie": "samen", "personalisation": "y"},
        {"uren": "30", "duur": "lang"},
        {"leeftijd": "25-64", "bezigheden": ["werk"]},
        {"onderwerpen": ["financien"]},
        {"aandoening": ["verstandelijk"]},
    ),
    "student caring for a mother far away": (
        {"relatie": "ouder", "woonsituatie": "ver", "personalisation": "y"},
        {"uren": "6", "duur": "kort"},
        {"leeftijd": "jonger-25", "bezigheden": ["studie"]},
        {"onderwerpen": ["werk"]},
        None,
    ),
}


def top_six(client, fill, answers) -> list[str]:
    *steps, health = answers
    for number, data in enumerate(steps, start=1):
        assert fill(number, data).status_code == 303
    if health is not None:
        fill(5, {"consent": "y"})
        assert fill(5, health).status_code == 303
    page = client.get("/artikelen/").get_data(as_text=True)
    return [href.removeprefix("/artikelen/") for href in titles(page)]


@pytest.mark.parametrize("name", ANSWER_SETS)
def test_p14_whole_answer_sets_give_the_expected_top_six(client, caregiver, fill, name):
    shown = top_six(client, fill, ANSWER_SETS[name])
    assert not set(shown) & NEVER[name]
    assert shown == EXPECTED[name]


def test_an_article_for_another_answer_is_never_recommended(app, client, caregiver, fill):
    """Not only out of the top six: nowhere in the recommendations."""
    from app import db
    from app.hub.service import visible
    from app.profile import scoring, service

    top_six(client, fill, ANSWER_SETS["daughter of a father with dementia, nearby, working"])
    with app.test_request_context():
        profile = service.build_profile(
            db.session(), user_id=caregiver.id, personalise=True, health=True
        )
        every = scoring.recommend(visible("article"), profile, limit=1000)
    slugs = {r.item.slug for r in every}
    assert "kind-met-beperking" not in slugs and "zorg-op-afstand" not in slugs
    assert "parkinson" not in slugs and "palliatieve-zorg-thuis" not in slugs
    assert "casemanager-dementie" in slugs
