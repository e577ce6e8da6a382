"""Invariant 3: one gate decides, taking consent, objection and restriction into account."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.consent.gate import Subject, UnknownPurpose, decide
from app.consent.models import ConsentRecord
from app.consent.service import CookieChoice
from app.db import utcnow


def user(**flags):
    base = {
        "restricted": False,
        "objects_profiling": False,
        "objects_marketing": False,
        "objects_open_tracking": False,
        "id": 1,
    }
    return SimpleNamespace(**{**base, **flags})


def granted(*scopes):
    return {
        s: ConsentRecord(
            consent_id="x", scope=s, accepted=s, method="custom", policy_version="1", text_hash="h"
        )
        for s in scopes
    }


def cookie(accepted=("analytical",), age_days=1, version="1"):
    return CookieChoice(
        consent_id="00000000-0000-0000-0000-000000000000",
        version=version,
        decided_at=utcnow() - timedelta(days=age_days),
        accepted=frozenset(accepted),
    )


def test_analytics_needs_a_current_cookie_choice():
    assert decide("analytics", Subject(choice=cookie()))
    assert not decide("analytics", Subject())
    assert not decide("analytics", Subject(choice=cookie(accepted=())))
    assert not decide("analytics", Subject(choice=cookie(age_days=183)))
    assert not decide("analytics", Subject(choice=cookie(version="0")))
    assert not decide("analytics", Subject(choice=cookie(), user=user(restricted=True)))


@pytest.mark.parametrize(
    "purpose", ["personalisation", "health", "newsletter", "partner:alarmhulp"]
)
def test_account_purposes_need_that_consent(purpose):
    assert decide(purpose, Subject(user=user(), consents=granted(purpose)))
    assert not decide(purpose, Subject(user=user(), consents={}))
    assert not decide(purpose, Subject(user=None, consents=granted(purpose)))
    assert not decide(purpose, Subject(user=user(restricted=True), consents=granted(purpose)))


def test_withdrawn_consent_is_no_consent():
    withdrawn = {
        "health": ConsentRecord(
            consent_id="x",
            scope="health",
            accepted="",
            refused="health",
            method="withdraw",
            policy_version="1",
            text_hash="h",
        )
    }
    assert not decide("health", Subject(user=user(), consents=withdrawn))


def test_objections_switch_off_profiling_marketing_and_open_tracking():
    consents = granted("personalisation", "newsletter")
    assert not decide(
        "personalisation", Subject(user=user(objects_profiling=True), consents=consents)
    )
    assert not decide("newsletter", Subject(user=user(objects_marketing=True), consents=consents))
    assert decide("open_tracking", Subject(user=user(), consents=consents))
    assert not decide(
        "open_tracking", Subject(user=user(objects_open_tracking=True), consents=consents)
    )


def test_unknown_purpose_is_an_error_not_a_yes():
    with pytest.raises(UnknownPurpose):
        decide("verkopen-aan-derden", Subject(user=user()))


def test_a_newsletter_subscriber_without_an_account_is_decided_from_their_own_consents():
    consents = granted("newsletter", "newsletter:zorg")
    subscriber = Subject(consents=consents, address_only=True)
    assert decide("newsletter", subscriber)
    assert decide("newsletter:zorg", subscriber)
    assert not decide("newsletter:wonen", subscriber)
    assert decide("open_tracking", subscriber)
    objected = Subject(consents=consents, address_only=True, objects_open_tracking=True)
    assert decide("newsletter", objected) and not decide("open_tracking", objected)
    # Only the newsletter: nothing else is ever allowed without an account.
    assert not decide(
        "personalisation", Subject(consents=granted("personalisation"), address_only=True)
    )
    assert not decide("newsletter", Subject(consents=granted("newsletter:zorg"), address_only=True))
    assert not decide(
        "newsletter:zorg", Subject(consents=granted("newsletter:zorg"), address_only=True)
    )


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, (True, True)),
        ({"objects_marketing": True}, (False, False)),
        ({"restricted": True}, (False, False)),
        ({"objects_open_tracking": True}, (True, False)),
    ],
)
def test_newsletter_topics_follow_the_account(flags, expected):
    subject = Subject(user=user(**flags), consents=granted("newsletter", "newsletter:zorg"))
    assert (decide("newsletter:zorg", subject), decide("open_tracking", subject)) == expected


def test_account_consents_are_read_only_when_a_purpose_needs_them(app, client, login_as):
    """Statistics ask the gate on every page but need only the cookie choice: a page that asks
    nothing else reads no consents of the account; an article (reading is noted) reads them."""
    from sqlalchemy import event

    login_as()
    asked: list[str] = []

    def note(conn, cursor, statement, *args):
        asked.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/onderwerpen/").status_code == 200
        on_topics = [s for s in asked if "consent_record" in s]
        asked.clear()
        assert client.get("/artikelen/respijtzorg").status_code == 200
        on_article = [s for s in asked if "consent_record" in s]
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert on_topics == []
    assert len(on_article) == 1
