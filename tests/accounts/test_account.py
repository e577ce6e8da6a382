"""Password reset, the account page, e-mail change and password change (A1)."""

import re

from sqlmodel import select

from app.accounts.models import User
from tests.conftest import DEFAULT_PASSWORD, local_path

NEW = "een nieuwe lange zin voor mij"
CSRF_TOKEN = re.compile(r"[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}")


def request_reset(client, email):
    return client.submit("/wachtwoord-vergeten", {"email": email})


def test_reset_request_says_the_same_for_unknown_addresses(client, make_user, outbox):
    make_user(email="anna@example.nl")

    def answer(email: str) -> str:
        page = request_reset(client, email).get_data(as_text=True)
        # CSRF tokens carry a timestamp, so two pages a second apart differ there.
        return CSRF_TOKEN.sub("TOKEN", page).replace(email, "X")

    known, unknown = answer("anna@example.nl"), answer("niemand@example.nl")
    assert "Als er een account is met het adres" in known
    assert known == unknown
    assert [m["To"] for m in outbox.messages()] == ["anna@example.nl"]


def test_reset_link_sets_password_once(client, make_user, auth, outbox):
    make_user(email="anna@example.nl")
    request_reset(client, "anna@example.nl")
    link = local_path(outbox.last_link())
    response = client.submit(link, {"password": NEW, "password_confirm": NEW})
    assert response.status_code == 303
    assert auth.login("anna@example.nl", DEFAULT_PASSWORD).status_code == 422
    assert auth.login("anna@example.nl", NEW).status_code == 303
    again = client.get(link)
    assert again.status_code == 400
    assert "al gebruikt" in again.get_data(as_text=True)


def test_reset_link_expires_after_one_hour(client, make_user, outbox, time_machine):
    time_machine.move_to("2026-11-26 10:00", tick=False)
    make_user(email="anna@example.nl")
    request_reset(client, "anna@example.nl")
    link = local_path(outbox.last_link())
    time_machine.move_to("2026-11-26 10:59", tick=False)
    assert client.get(link).status_code == 200
    time_machine.move_to("2026-11-26 11:01", tick=False)
    response = client.get(link)
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)


def test_reset_refuses_a_weak_password_and_keeps_the_link(client, make_user, outbox):
    make_user(email="anna@example.nl")
    request_reset(client, "anna@example.nl")
    link = local_path(outbox.last_link())
    response = client.submit(
        link, {"password": "anna@example.nl", "password_confirm": "anna@example.nl"}
    )
    assert response.status_code == 422
    assert "niet gelijk zijn aan je e-mailadres" in response.get_data(as_text=True)
    assert client.get(link).status_code == 200


def test_reset_ends_other_sessions(app, client, make_user, auth, outbox):
    make_user(email="anna@example.nl")
    other_device = app.test_client()
    other_device.submit("/inloggen", {"email": "anna@example.nl", "password": DEFAULT_PASSWORD})
    assert other_device.get("/account").status_code == 200
    request_reset(client, "anna@example.nl")
    client.submit(local_path(outbox.last_link()), {"password": NEW, "password_confirm": NEW})
    assert other_device.get("/account").status_code == 302


def test_account_page_changes_name_phone_and_situation(client, login_as, session):
    user = login_as(name="Anna")
    response = client.submit(
        "/account",
        {"name": "Anna de Vries", "phone": "+31 6 1234 5678", "situation": "Zorg voor mijn broer."},
    )
    assert response.status_code == 303
    stored = session.get(User, user.id)
    assert (stored.name, stored.phone, stored.situation) == (
        "Anna de Vries",
        "+31 6 1234 5678",
        "Zorg voor mijn broer.",
    )


def test_account_page_keeps_input_on_error(client, login_as):
    login_as()
    response = client.submit("/account", {"name": "", "phone": "12", "situation": "Mijn tekst"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul je naam in." in html and "Vul een telefoonnummer in" in html
    assert "Mijn tekst" in html and 'value="12"' in html


def test_email_change_is_reverified(client, login_as, session, outbox, auth):
    user = login_as(email="oud@example.nl")
    response = client.submit(
        "/account/e-mailadres", {"email": "nieuw@example.nl", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 303
    assert session.get(User, user.id).email == "oud@example.nl"
    link = local_path(outbox.last_link(to="nieuw@example.nl"))
    assert client.get(link).status_code == 200
    stored = session.get(User, user.id)
    assert (stored.email, stored.pending_email) == ("nieuw@example.nl", None)
    assert outbox.last()["To"] == "oud@example.nl"
    assert "gewijzigd" in outbox.last()["Subject"]


def test_email_change_needs_the_password_and_a_free_address(client, login_as, make_user):
    make_user(email="bezet@example.nl")
    login_as(email="oud@example.nl")
    wrong = client.submit("/account/e-mailadres", {"email": "nieuw@example.nl", "password": "fout"})
    assert "Je wachtwoord klopt niet." in wrong.get_data(as_text=True)
    taken = client.submit(
        "/account/e-mailadres", {"email": "bezet@example.nl", "password": DEFAULT_PASSWORD}
    )
    assert "hoort al bij een ander account" in taken.get_data(as_text=True)
    assert 'value="bezet@example.nl"' in taken.get_data(as_text=True)


def test_password_change_logs_out_other_devices(app, client, login_as, auth):
    user = login_as(email="anna@example.nl")
    other_device = app.test_client()
    other_device.submit("/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD})
    response = client.submit(
        "/account/wachtwoord",
        {"current_password": DEFAULT_PASSWORD, "password": NEW, "password_confirm": NEW},
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_password_change_checks_the_current_password(client, login_as):
    login_as()
    response = client.submit(
        "/account/wachtwoord",
        {"current_password": "niet goed", "password": NEW, "password_confirm": NEW},
    )
    assert response.status_code == 422
    assert "Je huidige wachtwoord klopt niet." in response.get_data(as_text=True)


def test_someone_else_cannot_use_my_verification_link(client, make_user, outbox, session):
    client.submit(
        "/registreren",
        {
            "name": "Anna",
            "email": "anna@example.nl",
            "situation": "Zorg voor mijn vader.",
            "password": NEW,
            "password_confirm": NEW,
        },
    )
    link = local_path(outbox.last_link())
    client.submit("/uitloggen", page="/")
    assert client.get(link).status_code == 200
    assert session.exec(select(User).where(User.email == "anna@example.nl")).one().is_verified
