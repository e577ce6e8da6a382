"""Subscribing: public form and account page, always double opt-in; topics and every choice in
the consent log; one-click unsubscribe without a login; bad input never a 500."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.consent.models import ConsentRecord
from app.newsletter import service
from app.newsletter.models import Subscriber, SubscriberStatus
from app.privacy import export


def _path(link: str) -> str:
    return urlsplit(link).path


def _subscribe(client, outbox, email="lezer@example.nl", topics=("zorg",)):
    response = client.submit("/nieuwsbrief", {"email": email, "topics": list(topics)})
    assert response.status_code == 303
    return _path(outbox.last_link(to=email))


def test_public_form_needs_the_link_before_anything_is_sent(client, outbox, session):
    confirm = _subscribe(client, outbox, topics=("zorg", "wonen"))
    [row] = session.exec(select(Subscriber)).all()
    assert row.status == SubscriberStatus.PENDING and row.user_id is None
    assert session.exec(select(ConsentRecord)).all() == []

    page = client.get(confirm)  # a mail scanner only looks: nothing happens
    assert page.status_code == 200 and "Ja, meld mij aan" in page.get_data(as_text=True)
    assert session.get(Subscriber, row.id).status == SubscriberStatus.PENDING

    done = client.submit(confirm)
    assert done.status_code == 200 and "Je bent aangemeld" in done.get_data(as_text=True)
    assert session.get(Subscriber, row.id).status == SubscriberStatus.ACTIVE
    scopes = {r.scope: r for r in session.exec(select(ConsentRecord)).all()}
    assert set(scopes) == {"newsletter", "newsletter:zorg", "newsletter:wonen"}
    assert all(r.consent_id == row.consent_id and r.user_id is None for r in scopes.values())

    client.submit(confirm)  # clicking twice adds nothing to the log
    assert len(session.exec(select(ConsentRecord)).all()) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "topics": ["zorg"]}, "Vul je e-mailadres in."),
        ({"email": "geen-adres", "topics": ["zorg"]}, "Vul een geldig e-mailadres in"),
        ({"email": "a@example.nl"}, "Kies minstens één onderwerp."),
        ({"email": "a@example.nl", "topics": ["bestaat-niet"]}, "Kies onderwerpen uit de lijst."),
        ({"email": "ö" * 5000 + "@example.nl", "topics": ["zorg"]}, "Gebruik hoogstens"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_keeps_what_was_typed(client, data, message):
    response = client.submit("/nieuwsbrief", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    if data["email"] and len(data["email"]) < 100:
        assert f'value="{data["email"]}"' in html


def test_wrong_or_changed_tokens_are_a_dutch_404(client, outbox):
    confirm = _subscribe(client, outbox)
    for path in (
        confirm + "x",
        "/nieuwsbrief/bevestigen/" + "ä" * 3000,
        "/nieuwsbrief/afmelden/niets",
        "/nieuwsbrief/voorkeuren/niets",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "Deze link werkt niet" in response.get_data(as_text=True)
    assert client.post("/nieuwsbrief/afmelden/niets").status_code == 404


def test_one_click_unsubscribe_works_at_once_without_login(
    app, client, outbox, session, make_subscriber
):
    row = make_subscriber()
    with app.app_context():
        token = service.personal_token(row)
    page = client.get(f"/nieuwsbrief/afmelden/{token}")
    assert page.status_code == 200 and "Afmelden" in page.get_data(as_text=True)
    assert session.get(Subscriber, row.id).status == SubscriberStatus.ACTIVE

    # What a mail program sends for RFC 8058: a POST without cookies or CSRF token.
    response = client.post(f"/nieuwsbrief/afmelden/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert session.get(Subscriber, row.id).status == SubscriberStatus.ENDED
    last = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.scope == "newsletter")
        .order_by(ConsentRecord.id.desc())  # type: ignore[union-attr]
    ).first()
    assert last is not None and last.refused == "newsletter" and last.consent_id == row.consent_id
    assert client.post(f"/nieuwsbrief/afmelden/{token}").status_code == 200  # again: fine


def test_preferences_without_login_change_topics_in_the_log(app, client, session, make_subscriber):
    row = make_subscriber(topics=("zorg",))
    with app.app_context():
        token = service.personal_token(row)
    path = f"/nieuwsbrief/voorkeuren/{token}"
    assert client.submit(path, {"topics": []}).status_code == 422
    response = client.submit(path, {"topics": ["wonen"], "no_open_count": "y"})
    assert response.status_code == 303
    scopes = [
        (r.scope, r.accepted)
        for r in session.exec(select(ConsentRecord).order_by(ConsentRecord.id)).all()  # type: ignore[arg-type]
    ]
    assert scopes[-3:] == [
        ("newsletter:wonen", "newsletter:wonen"),
        ("newsletter:zorg", ""),
        ("open_tracking", ""),
    ]
    assert session.get(Subscriber, row.id).objects_open_tracking


def test_account_page_subscribes_by_double_opt_in_and_shows_in_the_privacy_centre(
    client, login_as, outbox, session
):
    user = login_as()
    page = client.get("/account/nieuwsbrief")
    assert page.status_code == 200 and "Aanmelden" in page.get_data(as_text=True)
    assert client.submit("/account/nieuwsbrief", {"topics": ["zorg"]}).status_code == 303
    assert "Klik op de link" in client.get("/account/nieuwsbrief").get_data(as_text=True)
    [row] = session.exec(select(Subscriber)).all()
    assert row.user_id == user.id and row.status == SubscriberStatus.PENDING
    client.submit(_path(outbox.last_link(to=user.email)))
    records = session.exec(select(ConsentRecord).where(ConsentRecord.user_id == user.id)).all()
    assert {r.scope for r in records} == {"newsletter", "newsletter:zorg"}

    centre = client.get("/privacy").get_data(as_text=True)
    assert "De nieuwsbrief ontvangen" in centre and "Nieuwsbrief over Zorg" in centre
    assert "Keuzes opslaan" in client.get("/account/nieuwsbrief").get_data(as_text=True)

    # Withdrawing in the privacy centre ends the subscription too.
    client.submit("/privacy/intrekken/newsletter", page="/privacy")
    assert session.get(Subscriber, row.id).status == SubscriberStatus.ENDED


def test_the_export_holds_the_subscription(client, login_as, outbox):
    user = login_as()
    client.submit("/account/nieuwsbrief", {"topics": ["zorg"]})
    client.submit(_path(outbox.last_link(to=user.email)))
    with client.application.app_context():
        session = db.session()
        account = session.get(User, user.id)
        assert account
        data = export.build_zip(session, account)
    archive = zipfile.ZipFile(io.BytesIO(data))
    [name] = [n for n in archive.namelist() if "newsletter_subscriber" in n and n.endswith(".json")]
    content = json.loads(archive.read(name))
    assert user.email in json.dumps(content)
    consents = [n for n in archive.namelist() if "consent_record" in n and n.endswith(".json")]
    assert consents and "newsletter:zorg" in archive.read(consents[0]).decode()
