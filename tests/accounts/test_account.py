"""Password reset, the account page, e-mail change and password change (A1)."""

import base64
import re

from sqlmodel import select

from app import db
from app.accounts.models import User
from app.accounts.service import register_user
from app.jobs import service as jobs
from app.jobs.models import Job
from tests.accounts.test_register import statements_of
from tests.conftest import DEFAULT_PASSWORD, Client, build_app, database_dump, local_path

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


def test_reset_request_does_the_same_work_for_unknown_addresses(app, make_user, session):
    make_user(email="anna@example.nl")
    known = statements_of(app, lambda: request_reset(app.test_client(), "anna@example.nl"))
    unknown = statements_of(app, lambda: request_reset(app.test_client(), "nora@example.nl"))
    assert known == unknown
    assert not any("user_account" in statement for statement in known)
    assert session.exec(select(Job.kind)).all() == ["account.reset", "account.reset"]


def test_reset_request_never_fails_when_the_mail_server_is_down(tmp_path, database_url):
    app = build_app(tmp_path, database_url, SMTP_URL="smtp://127.0.0.1:9")
    app.test_client_class = Client
    try:
        with app.app_context():
            register_user(
                db.session(), name="Anna", email="anna@example.nl", password=DEFAULT_PASSWORD
            )
            db.session().commit()
        for address in ("anna@example.nl", "nora@example.nl"):
            assert request_reset(app.test_client(), address).status_code == 200
        with app.app_context():
            report = jobs.run_due()
        assert (report.done, report.retried) == (2, 1)  # two looked up; anna's mail waits
    finally:
        app.extensions["db_engine"].dispose()


def test_reset_links_are_random_and_hold_no_address(client, make_user, outbox, app):
    make_user(email="anna@example.nl")
    request_reset(client, "anna@example.nl")
    first = local_path(outbox.last_link())
    request_reset(client, "anna@example.nl")
    second = local_path(outbox.last_link())
    assert first != second
    for link in (first, second):
        key = link.rsplit("/", 1)[1]
        decoded = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
        assert b"anna" not in decoded and key not in database_dump(app)


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
    time_machine.move_to("2026-11-26 10:00+00:00", tick=False)
    make_user(email="anna@example.nl")
    request_reset(client, "anna@example.nl")
    link = local_path(outbox.last_link())
    time_machine.move_to("2026-11-26 10:59+00:00", tick=False)
    assert client.get(link).status_code == 200
    time_machine.move_to("2026-11-26 11:01+00:00", tick=False)
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


def test_account_page_changes_name_and_phone(client, login_as, session):
    user = login_as(name="Anna")
    response = client.submit(
        "/account",
        {"name": "Anna de Vries", "phone": "+31 6 1234 5678"},
    )
    assert response.status_code == 303
    stored = session.get(User, user.id)
    assert (stored.name, stored.phone) == ("Anna de Vries", "+31 6 1234 5678")


def test_account_page_keeps_input_on_error(client, login_as):
    login_as()
    response = client.submit("/account", {"name": "", "phone": "12"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul je naam in." in html and "Vul een telefoonnummer in" in html
    assert 'value="12"' in html


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


def test_email_change_needs_the_password(client, login_as):
    login_as(email="oud@example.nl")
    wrong = client.submit("/account/e-mailadres", {"email": "nieuw@example.nl", "password": "fout"})
    assert wrong.status_code == 422
    assert "Je wachtwoord klopt niet." in wrong.get_data(as_text=True)
    assert 'value="nieuw@example.nl"' in wrong.get_data(as_text=True)


def test_changing_to_a_taken_address_answers_the_same_and_tells_its_owner(
    client, login_as, make_user, session, outbox
):
    owner = make_user(email="bezet@example.nl", name="Bea Bezet")
    user = login_as(email="oud@example.nl")

    def change(address):
        response = client.submit(
            "/account/e-mailadres", {"email": address, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 303
        outbox.deliver()  # the worker handles each request before the next comes
        page = client.get("/account").get_data(as_text=True)
        return CSRF_TOKEN.sub("TOKEN", page).replace(address, "ADRES")

    assert change("bezet@example.nl") == change("vrij@example.nl")
    messages = {m["To"]: m for m in outbox.messages()}
    notice = messages["bezet@example.nl"]
    assert notice["Subject"] == "Iemand wilde je e-mailadres gebruiken"
    assert "Hallo Bea Bezet" in outbox.text(notice) and "/bevestigen/" not in outbox.text(notice)
    assert "/bevestigen/" in outbox.text(messages["vrij@example.nl"])
    assert session.get(User, owner.id).email == "bezet@example.nl"
    assert session.get(User, user.id).email == "oud@example.nl"


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


def test_an_unconfirmed_address_is_confirmed_from_the_link_without_logging_in(
    client, login_as, outbox, session
):
    """Accounts from before registration needed the link can still confirm their address."""
    user = login_as(email="anna@example.nl", verified=False)
    assert "nog niet bevestigd" in client.get("/account").get_data(as_text=True)
    client.submit("/account/bevestigingsmail", page="/account")
    link = local_path(outbox.last_link())
    client.submit("/uitloggen", page="/")
    assert client.get(link).status_code == 200
    assert session.get(User, user.id).is_verified
    assert client.get(link).status_code == 400
