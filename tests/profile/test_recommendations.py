"""P2, P3, P11, P14: the profile shapes what is shown first, says why, and stops at once on
objection, restriction or without consent."""

import re

from sqlmodel import select

from app import db
from app.profile import service
from app.profile.models import ReadTopic


def titles(html: str, section_id: str = "voor-jou-kop") -> list[str]:
    if section_id not in html:
        return []
    part = html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'class="zg-card__title"><a class="utrecht-link" href="([^"]+)"', part)


def list_order(html: str) -> list[str]:
    part = html.split('id="artikelen-lijst"', 1)[1]
    return re.findall(r'class="zg-card__title"><a class="utrecht-link" href="([^"]+)"', part)


def test_p14_a_profile_puts_matching_articles_first_and_says_why(client, filled):
    page = client.get("/artikelen/").get_data(as_text=True)
    recommended = titles(page)
    assert recommended
    assert "/artikelen/gesprek-met-werkgever" in recommended[:6]
    assert "Waarom zie ik dit?" in page
    assert "Omdat je aangaf:" in page and "werkende mantelzorger" in page
    assert 'href="/profiel"' in page  # a way to change the answers
    home = client.get("/").get_data(as_text=True)
    assert "Aanbevolen voor jou" in home and titles(home)


def test_the_explanation_names_the_answers_behind_it(app, filled):
    with app.test_request_context():
        profile = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=False
        )
        from app.hub.service import visible

        recs = service.recommend(visible("article"), profile)
    top = recs[0]
    expected = {
        "zorg voor je vader of moeder",
        "werkende mantelzorger",
        "veel uren zorg per week",
        "je net mantelzorger",
        "je zoekt hulp bij financiën",
        "je zoekt hulp bij werk en studie",
        "je naaste woont zelfstandig",
        "je bent net mantelzorger",
    }
    assert set(top.reasons) <= expected and top.reasons
    for tag in set(top.item.meta.audience) & set(profile.weights):
        assert profile.reasons[tag] in top.reasons


def test_switch_between_recommended_and_all(client, filled):
    everything = client.get("/artikelen/?weergave=alles").get_data(as_text=True)
    assert 'aria-current="true">Alles</a>' in everything
    assert "voor-jou-kop" not in everything


def test_p11_objection_gives_exactly_the_anonymous_order_and_records_nothing(
    app, client, filled, session
):
    anonymous = app.test_client().get("/artikelen/").get_data(as_text=True)
    from app.accounts.models import User

    user = session.get(User, filled.id)
    user.objects_profiling = True
    session.add(user)
    session.commit()
    page = client.get("/artikelen/").get_data(as_text=True)
    assert titles(page) == [] and "Aanbevolen voor jou" not in page
    assert list_order(page) == list_order(anonymous)
    client.get("/artikelen/respijtzorg")
    assert session.exec(select(ReadTopic)).all() == []


def test_restriction_also_stops_personalisation(client, filled, session):
    from app.accounts.models import User

    user = session.get(User, filled.id)
    user.restricted = True
    session.add(user)
    session.commit()
    assert "Aanbevolen voor jou" not in client.get("/artikelen/").get_data(as_text=True)


def test_without_consent_nothing_is_scored_or_recorded(client, caregiver, fill, session):
    from tests.profile.conftest import STEP_1, STEP_3

    fill(1, {**STEP_1, "personalisation": ""})
    fill(2, {})
    fill(3, STEP_3)
    assert "Aanbevolen voor jou" not in client.get("/").get_data(as_text=True)
    client.get("/artikelen/respijtzorg")
    assert session.exec(select(ReadTopic)).all() == []


def test_p11_reading_counts_only_with_consent(client, filled, session):
    client.get("/artikelen/respijtzorg")
    rows = {r.topic: r.reads for r in session.exec(select(ReadTopic))}
    assert rows == {"zorg": 1, "balans": 1}
    client.submit("/profiel/toestemming/personalisation", {"aan": "0"}, page="/profiel")
    assert session.exec(select(ReadTopic)).all() == []  # withdrawing also forgets the reading
    client.get("/artikelen/respijtzorg")
    assert session.exec(select(ReadTopic)).all() == []


def test_p05_health_answers_feed_content_only_with_consent_and_never_the_shop(
    app, client, filled, fill, session
):
    fill(5, {"consent": "y"})
    fill(5, {"aandoening": ["dementie"]})
    with app.test_request_context():
        with_health = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=True
        )
        without = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=False
        )
        shop = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=True, for_shop=True
        )
    assert "dementie" in with_health.weights
    assert "dementie" not in without.weights
    assert "dementie" not in shop.weights and "werkend" in shop.weights


def test_anonymous_visitors_get_no_scoring(client):
    page = client.get("/artikelen/").get_data(as_text=True)
    assert "Aanbevolen voor jou" not in page and "weergave=" not in page


def test_ties_are_broken_deterministically():
    from datetime import date
    from types import SimpleNamespace

    def item(title, published, featured=False):
        meta = SimpleNamespace(
            audience=["werkend"], topics=[], published=published, featured=featured
        )
        return SimpleNamespace(meta=meta, title=title)

    profile = service.Profile(
        weights={"werkend": 1.0}, reasons={"werkend": "werkende mantelzorger"}
    )
    items = [
        item("B", date(2026, 1, 1)),
        item("A", date(2026, 1, 1)),
        item("C", date(2026, 3, 1)),
        item("D", date(2025, 1, 1), featured=True),
    ]
    order = [r.item.title for r in service.recommend(items, profile)]
    assert order == ["D", "C", "A", "B"]
    assert service.recommend(items, service.Profile()) == []
