"""Registration (A1, P04): what is asked, what is stored, bad input that loses nothing, and an
answer that is the same whether or not the address has an account."""

import base64
import re

import pytest
import sqlalchemy as sa
from markupsafe import escape
from sqlmodel import select

from app.accounts.models import AccountLink, User
from app.jobs.models import Job
from tests.conftest import DEFAULT_PASSWORD, confirm_registration, database_dump, local_path

GOOD = {
    "name": "Mieke Jansen",
    "email": "Mieke.Jansen@Example.nl",
    "phone": "06 12345678",
    "password": "mijn moeder woont in Zwolle",
    "password_confirm": "mijn moeder woont in Zwolle",
}
PASSWORD = GOOD["password"]
CSRF_TOKEN = re.compile(r"[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}")


def register(client, **changes):
    return client.submit("/registreren", {**GOOD, **changes})


def test_registration_stores_name_phone_and_email_and_asks_nothing_about_the_situation(
    client, session, outbox
):
    page = client.get("/registreren").get_data(as_text=True)
    assert "Je situatie in het kort" not in page and "<textarea" not in page
    assert register(client).status_code == 200
    assert confirm_registration(client, outbox, PASSWORD).status_code == 303
    user = session.exec(select(User)).one()
    assert (user.name, user.email, user.phone) == (
        "Mieke Jansen",
        "mieke.jansen@example.nl",
        "06 12345678",
    )
    assert not hasattr(user, "situation")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.email_verified_at is not None  # made from the link, so the address is proven


def test_p04_phone_is_optional(client, session, outbox):
    register(client, phone="")
    confirm_registration(client, outbox, PASSWORD)
    assert session.exec(select(User)).one().phone is None


def test_registration_asks_to_check_the_mailbox_and_the_link_logs_in(client, session, outbox):
    response = register(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kijk in je mailbox" in page and "mieke.jansen@example.nl" in page
    assert client.get("/account").status_code == 302  # not logged in yet
    assert session.exec(select(User)).first() is None  # no account until the link is followed

    message = outbox.last()
    assert message["To"] == "mieke.jansen@example.nl"
    assert message["Subject"] == "Bevestig je e-mailadres"
    link = local_path(outbox.last_link())
    assert link.startswith("/account-bevestigen/")
    assert "Account bevestigen" in client.get(link).get_data(as_text=True)
    assert session.exec(select(User)).first() is None  # looking at the link changes nothing

    response = client.submit(link, {"password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "Welkom, Mieke Jansen" in page and "nog niet bevestigd" not in page


def test_only_the_registrant_can_finish_a_registration(app, client, session, outbox):
    """Someone who typed another person's address cannot get an account on it: the link goes to
    that mailbox, and following it needs the password the registrant chose."""
    attacker = "de zin van de aanvaller"
    register(client, email="slachtoffer@example.nl", password=attacker, password_confirm=attacker)
    link = local_path(outbox.last_link())
    owner_of_the_mailbox = app.test_client()
    refused = owner_of_the_mailbox.submit(link, {"password": "een gok van de eigenaar"})
    assert refused.status_code == 422
    assert "niet het wachtwoord dat je koos" in refused.get_data(as_text=True)
    assert session.exec(select(User)).first() is None
    login = client.submit("/inloggen", {"email": "slachtoffer@example.nl", "password": attacker})
    assert login.status_code == 422


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "geen-adres", "Vul een geldig e-mailadres in"),
        ("email", "", "Vul je e-mailadres in."),
        ("name", "", "Vul je naam in."),
        ("name", "x" * 10_000, "Gebruik hoogstens 120 tekens."),
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
    for other in ("name", "email", "phone"):
        typed = data.get(other, GOOD[other])
        if typed:
            assert str(escape(typed)) in html
    assert PASSWORD not in html
    assert session.exec(select(Job)).first() is None


def test_typed_values_survive_an_error(client):
    html = register(client, password="kort", password_confirm="kort").get_data(as_text=True)
    assert 'value="Mieke Jansen"' in html
    assert 'value="Mieke.Jansen@Example.nl"' in html
    assert 'value="06 12345678"' in html
    assert 'value="kort"' not in html


def test_unicode_names_are_welcome(client, session, outbox):
    register(client, name="Zoë Çelik-Ñúñez 👩‍🦳")
    confirm_registration(client, outbox, PASSWORD)
    assert session.exec(select(User)).one().name == "Zoë Çelik-Ñúñez 👩‍🦳"


def _answer(response, email: str) -> str:
    # CSRF tokens carry a timestamp, so two pages a second apart differ there.
    return CSRF_TOKEN.sub("TOKEN", response.get_data(as_text=True)).replace(email, "ADRES")


def test_a_known_address_gets_the_same_answer_and_its_owner_a_notice(
    app, client, make_user, session, outbox
):
    owner = make_user(email="mieke.jansen@example.nl", name="Mieke de Eigenaar")
    known = register(client)
    unknown = register(app.test_client(), email="iemand.anders@example.nl")
    assert known.status_code == unknown.status_code == 200
    assert _answer(known, "mieke.jansen@example.nl") == _answer(unknown, "iemand.anders@example.nl")
    assert known.headers.get_all("Set-Cookie") == [] == unknown.headers.get_all("Set-Cookie")

    messages = {m["To"]: m for m in outbox.messages()}
    notice = messages["mieke.jansen@example.nl"]
    assert notice["Subject"] == "Iemand wilde een account maken met je e-mailadres"
    text = outbox.text(notice)
    assert "Hallo Mieke de Eigenaar" in text and "/wachtwoord-vergeten" in text
    assert "/account-bevestigen/" not in text  # nothing in it makes an account
    assert messages["iemand.anders@example.nl"]["Subject"] == "Bevestig je e-mailadres"
    stored = session.exec(select(User)).one()  # still only the owner's account, unchanged
    assert (stored.id, stored.name, stored.password_hash) == (
        owner.id,
        "Mieke de Eigenaar",
        owner.password_hash,
    )


def test_the_owner_gets_one_notice_however_often_someone_tries(client, make_user, outbox):
    make_user(email="mieke.jansen@example.nl")
    for _ in range(3):
        register(client)
    subjects = [m["Subject"] for m in outbox.messages()]
    assert subjects == ["Iemand wilde een account maken met je e-mailadres"]


def statements_of(app, request):
    """The SQL statements (without their values) one request runs."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    engine = app.extensions["db_engine"]
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        request()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    return seen


def test_registration_does_the_same_work_for_a_known_address(app, make_user):
    make_user(email="bekend@example.nl")
    known_client, unknown_client = app.test_client(), app.test_client()
    data = {**GOOD, "email": "bekend@example.nl"}
    known = statements_of(app, lambda: known_client.submit("/registreren", data))
    data = {**GOOD, "email": "onbekend@example.nl"}
    unknown = statements_of(app, lambda: unknown_client.submit("/registreren", data))
    assert known == unknown
    assert not any("user_account" in statement for statement in known)


def test_the_link_reveals_no_address_and_is_stored_only_as_a_hash(app, client, session, outbox):
    register(client)
    link = local_path(outbox.last_link())
    key = link.rsplit("/", 1)[1]
    assert len(key) >= 40
    decoded = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert b"mieke" not in decoded.lower() and b"example" not in decoded.lower()
    register(app.test_client())
    assert local_path(outbox.last_link()) != link  # random, not derived from the address
    dump = database_dump(app)
    assert key not in dump and "mieke.jansen@example.nl" not in dump  # hashed and encrypted
    assert len(session.exec(select(AccountLink)).all()) == 2


def test_repeated_registration_makes_one_account(client, session, outbox):
    register(client)
    first = local_path(outbox.last_link())
    register(client)
    second = local_path(outbox.last_link())
    assert first != second
    assert client.submit(second, {"password": PASSWORD}).status_code == 303
    client.submit("/uitloggen", page="/")
    late = client.submit(first, {"password": PASSWORD})
    assert late.status_code == 409
    assert "Er is al een account met dit e-mailadres" in late.get_data(as_text=True)
    assert len(session.exec(select(User)).all()) == 1


def test_passwords_must_match(client):
    html = register(client, password_confirm="iets heel anders hier").get_data(as_text=True)
    assert "De twee wachtwoorden zijn niet hetzelfde." in html


def test_post_without_csrf_token_is_refused(client, session):
    response = client.post("/registreren", data=GOOD)
    assert response.status_code == 400
    assert "Deze pagina stond te lang open" in response.get_data(as_text=True)
    assert session.exec(select(Job)).first() is None


def test_registration_link_works_once(client, session, outbox):
    register(client)
    link = local_path(outbox.last_link())
    assert client.submit(link, {"password": PASSWORD}).status_code == 303
    client.submit("/uitloggen", page="/")
    again = client.get(link)
    assert again.status_code == 400
    assert "al gebruikt" in again.get_data(as_text=True)
    assert client.submit(link, {"password": PASSWORD}).status_code == 400
    assert len(session.exec(select(User)).all()) == 1


def test_registration_link_expires_after_24_hours(client, outbox, time_machine, session):
    time_machine.move_to("2026-11-26 10:00+00:00", tick=False)
    register(client)
    link = local_path(outbox.last_link())
    time_machine.move_to("2026-11-27 10:01+00:00", tick=False)
    response = client.get(link)
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)
    assert client.submit(link, {"password": PASSWORD}).status_code == 400
    assert session.exec(select(User)).first() is None


def test_tampered_registration_link_is_refused(client, outbox):
    register(client)
    link = local_path(outbox.last_link())
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400
    assert "klopt niet" in response.get_data(as_text=True)


def test_a_registration_link_is_no_password_reset_link(client, outbox):
    register(client)
    key = local_path(outbox.last_link()).rsplit("/", 1)[1]
    assert client.get(f"/wachtwoord-herstellen/{key}").status_code == 400
    assert client.get(f"/bevestigen/{key}").status_code == 400


def test_logged_in_visitors_are_sent_to_their_account(client, login_as):
    login_as(password=DEFAULT_PASSWORD)
    assert client.get("/registreren").headers["Location"] == "/account"


@pytest.mark.parametrize(
    ("given", "lands"),
    [
        ("/winkel/mandje", "/winkel/mandje"),
        ("https://elders.example/", "/account"),
        ("//elders.example/", "/account"),
    ],
)
def test_the_link_leads_back_to_where_the_registration_started(client, outbox, given, lands):
    """Someone who wanted to order registers from the basket; the link in the e-mail, opened in
    the same browser, brings them back there (never to another site)."""
    form = client.get(f"/registreren?next={given}").get_data(as_text=True)
    assert ('name="next" value="/winkel/mandje"' in form) == (lands == "/winkel/mandje")
    assert register(client, next=given).status_code == 200
    response = confirm_registration(client, outbox, PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == lands
