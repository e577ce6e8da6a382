"""Registration (A1, P04): what is asked, what is stored, and bad input that loses nothing."""

import pytest
from markupsafe import escape
from sqlmodel import select

from app.accounts.models import User
from tests.conftest import local_path

GOOD = {
    "name": "Mieke Jansen",
    "email": "Mieke.Jansen@Example.nl",
    "phone": "06 12345678",
    "situation": "Ik zorg voor mijn moeder en wil weten welke hulp er is.",
    "password": "mijn moeder woont in Zwolle",
    "password_confirm": "mijn moeder woont in Zwolle",
}


def register(client, **changes):
    return client.submit("/registreren", {**GOOD, **changes})


def test_p04_registration_stores_name_phone_email_and_situation(client, session):
    response = register(client)
    assert response.status_code == 303
    user = session.exec(select(User)).one()
    assert (user.name, user.email, user.phone, user.situation) == (
        "Mieke Jansen",
        "mieke.jansen@example.nl",
        "06 12345678",
        "Ik zorg voor mijn moeder en wil weten welke hulp er is.",
    )
    assert user.password_hash.startswith("$argon2id$")
    assert "mijn moeder woont in Zwolle" not in user.password_hash
    assert user.email_verified_at is None


def test_p04_phone_is_optional(client, session):
    assert register(client, phone="").status_code == 303
    assert session.exec(select(User)).one().phone is None


def test_registration_logs_in_and_sends_verification(client, outbox):
    response = register(client)
    assert response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "nog niet bevestigd" in page
    message = outbox.last()
    assert message["To"] == "mieke.jansen@example.nl"
    assert message["Subject"] == "Bevestig je e-mailadres"
    assert "/bevestigen/" in outbox.last_link()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "geen-adres", "Vul een geldig e-mailadres in"),
        ("email", "", "Vul je e-mailadres in."),
        ("name", "", "Vul je naam in."),
        ("name", "x" * 10_000, "Gebruik hoogstens 120 tekens."),
        ("situation", "y" * 10_000, "Gebruik hoogstens 2000 tekens."),
        ("name", "Anna\x00\x07", "stuurtekens"),
        ("phone", "bel me maar", "Vul een telefoonnummer in"),
        ("password", "kort", "minstens 10 tekens"),
        ("password", "wachtwoord123", "komt veel voor"),
        ("password", "mieke.jansen@example.nl", "niet gelijk zijn aan je e-mailadres"),
    ],
)
def test_bad_input_gets_dutch_message_and_keeps_what_was_typed(
    client, session, field, value, message
):
    data = {field: value}
    if field == "password":
        data["password_confirm"] = value
    response = register(client, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'aria-invalid="true"' in html
    # Everything typed is still in the form (the rejected value too); the password never is.
    for other in ("name", "email", "phone", "situation"):
        typed = data.get(other, GOOD[other])
        if typed:
            assert str(escape(typed)) in html
    assert "mijn moeder woont in Zwolle" not in html
    assert session.exec(select(User)).first() is None


def test_typed_values_survive_an_error(client):
    html = register(client, password="kort", password_confirm="kort").get_data(as_text=True)
    assert 'value="Mieke Jansen"' in html
    assert 'value="Mieke.Jansen@Example.nl"' in html
    assert 'value="06 12345678"' in html
    assert "welke hulp er is." in html
    assert 'value="kort"' not in html


def test_unicode_names_are_welcome(client, session):
    assert register(client, name="Zoë Çelik-Ñúñez 👩‍🦳").status_code == 303
    assert session.exec(select(User)).one().name == "Zoë Çelik-Ñúñez 👩‍🦳"


def test_duplicate_email_is_explained_next_to_the_field(client, make_user):
    make_user(email="mieke.jansen@example.nl")
    html = register(client).get_data(as_text=True)
    assert "Er is al een account met dit e-mailadres" in html


def test_passwords_must_match(client):
    html = register(client, password_confirm="iets heel anders hier").get_data(as_text=True)
    assert "De twee wachtwoorden zijn niet hetzelfde." in html


def test_post_without_csrf_token_is_refused(client, session):
    response = client.post("/registreren", data=GOOD)
    assert response.status_code == 400
    assert "Deze pagina stond te lang open" in response.get_data(as_text=True)
    assert session.exec(select(User)).first() is None


def test_repeated_submit_creates_one_account(client, session):
    first = register(client)
    client.submit("/uitloggen", page="/")
    second = register(client)
    assert first.status_code == 303
    assert second.status_code == 422
    assert len(session.exec(select(User)).all()) == 1


def test_verification_link_confirms_once(client, session, outbox):
    register(client)
    link = local_path(outbox.last_link())
    assert "Je e-mailadres is bevestigd" in client.get(link).get_data(as_text=True)
    assert session.exec(select(User)).one().email_verified_at is not None
    again = client.get(link)
    assert again.status_code == 400
    assert "al gebruikt" in again.get_data(as_text=True)


def test_verification_link_expires_after_24_hours(client, outbox, time_machine):
    time_machine.move_to("2026-11-26 10:00", tick=False)
    register(client)
    link = local_path(outbox.last_link())
    time_machine.move_to("2026-11-27 10:01", tick=False)
    response = client.get(link)
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)


def test_tampered_verification_link_is_refused(client, outbox):
    register(client)
    link = local_path(outbox.last_link())
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400
    assert "klopt niet" in response.get_data(as_text=True)
