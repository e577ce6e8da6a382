"""Logging out logs out: the device's session and remember-me cookies are ended on the server,
so a copy of them taken before logging out no longer opens the account; other devices stay
logged in, and a password change or reset still ends every other device (A1, P32)."""

from datetime import timedelta

from sqlmodel import select

from app import db
from app.accounts.models import AccountSession, User
from app.db import utcnow
from app.privacy import erasure
from tests.conftest import DEFAULT_PASSWORD

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def copy_of_cookies(client, *names: str) -> dict[str, str]:
    copied = {}
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        copied[name] = cookie.value
    return copied


def browser_with(app, cookies: dict[str, str]):
    """Another browser (same address and user agent as the test client) holding `cookies`."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def test_logout_tells_the_browser_to_delete_the_remember_cookie(client, auth, make_user):
    make_user(email="anna@example.nl")
    auth.login("anna@example.nl", remember="y")
    cookies = auth.logout().headers.get_all("Set-Cookie")
    deleted = [c for c in cookies if c.startswith("remember_token=;")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]
    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


def test_copied_cookies_stop_working_at_logout(app, client, auth, make_user):
    make_user(email="anna@example.nl")
    auth.login("anna@example.nl", remember="y")
    copied = copy_of_cookies(client, "session", "remember_token")
    assert browser_with(app, copied).get("/account").status_code == 200  # the copy works now
    auth.logout()
    assert browser_with(app, copied).get("/account").status_code == 302
    only_remember = {"remember_token": copied["remember_token"]}
    assert browser_with(app, only_remember).get("/account").status_code == 302


def test_a_copied_session_cookie_stops_working_at_logout(app, client, auth, make_user):
    make_user(email="anna@example.nl")
    auth.login("anna@example.nl")
    copied = copy_of_cookies(client, "session")
    auth.logout()
    assert browser_with(app, copied).get("/account").status_code == 302


def test_logging_out_on_one_device_keeps_the_others(app, client, auth, make_user, session):
    user = make_user(email="anna@example.nl")
    phone = app.test_client()
    phone.submit("/inloggen", {"email": "anna@example.nl", "password": DEFAULT_PASSWORD})
    auth.login("anna@example.nl")
    assert len(session.exec(select(AccountSession)).all()) == 2
    auth.logout()
    assert client.get("/account").status_code == 302
    assert phone.get("/account").status_code == 200
    [left] = session.exec(select(AccountSession)).all()
    assert left.user_id == user.id


def test_password_change_ends_the_other_devices_and_their_remember_cookies(app, client, login_as):
    user = login_as(email="anna@example.nl")
    other = app.test_client()
    other.submit("/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    copied = copy_of_cookies(other, "remember_token")
    new = "een nieuwe lange zin voor mij"
    client.submit(
        "/account/wachtwoord",
        {"current_password": DEFAULT_PASSWORD, "password": new, "password_confirm": new},
    )
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert browser_with(app, copied).get("/account").status_code == 302


def test_a_copied_remember_cookie_does_not_outlive_its_30_days(
    app, client, auth, make_user, time_machine
):
    time_machine.move_to("2026-03-01 09:00+00:00", tick=False)
    make_user(email="anna@example.nl")
    auth.login("anna@example.nl", remember="y")
    copied = copy_of_cookies(client, "remember_token")
    time_machine.move_to("2026-03-30 09:00+00:00", tick=False)
    assert browser_with(app, copied).get("/account").status_code == 200
    time_machine.move_to("2026-03-31 09:01+00:00", tick=False)
    assert browser_with(app, copied).get("/account").status_code == 302


def test_a_session_without_remember_me_ends_after_12_idle_hours(
    app, client, auth, make_user, session, time_machine
):
    time_machine.move_to("2026-03-01 09:00+00:00", tick=False)
    make_user(email="anna@example.nl")
    auth.login("anna@example.nl")
    time_machine.move_to("2026-03-01 20:00+00:00", tick=False)
    assert client.get("/account").status_code == 200  # in use: it lives 12 hours from now
    row = session.exec(select(AccountSession)).one()
    assert row.expires_at == utcnow() + timedelta(hours=12)
    time_machine.move_to("2026-03-02 08:01+00:00", tick=False)
    assert session.exec(select(AccountSession)).one().expires_at < utcnow()


def test_where_you_are_logged_in(app, client, auth, make_user):
    make_user(email="anna@example.nl")
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    phone.submit(
        "/inloggen", {"email": "anna@example.nl", "password": DEFAULT_PASSWORD, "remember": "y"}
    )
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    auth.login("anna@example.nl")
    page = client.get("/account").get_data(as_text=True)
    assert "Firefox op Windows <strong>(dit apparaat)</strong>" in page
    assert "Safari op iPhone" in page and "blijft ingelogd" in page
    assert "127.0.0.1" not in page

    response = client.submit("/account/andere-apparaten-uitloggen", page="/account")
    assert response.status_code == 303
    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert "Safari op iPhone" not in page and "Op alle andere apparaten uitloggen" not in page


def test_p32_login_sessions_are_erased_with_the_account(app, client, auth, make_user, session):
    user = make_user(email="anna@example.nl")
    auth.login("anna@example.nl", remember="y")
    app.test_client().submit(
        "/inloggen", {"email": "anna@example.nl", "password": DEFAULT_PASSWORD}
    )
    assert len(session.exec(select(AccountSession)).all()) == 2
    with app.app_context():
        erasure.erase_account(db.session(), db.session().get_one(User, user.id))
        db.session().commit()
    assert session.exec(select(AccountSession)).all() == []
    assert client.get("/account").status_code == 302


def test_an_old_style_login_cookie_is_not_accepted(app, client, auth, make_user):
    """Before sessions had their own key, the cookie held `<account id>:<version>`."""
    user = make_user(email="anna@example.nl")
    auth.login("anna@example.nl")
    with client.session_transaction() as s:
        s["_user_id"] = f"{user.id}:1"
    assert client.get("/account").status_code == 302


def test_copied_cookies_open_nothing_in_another_kind_of_browser(app, client, auth, make_user):
    make_user(email="anna@example.nl")
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    auth.login("anna@example.nl", remember="y")
    assert client.get("/account").status_code == 200
    copied = copy_of_cookies(client, "session", "remember_token")
    elsewhere = browser_with(app, copied)
    elsewhere.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    assert elsewhere.get("/account").status_code == 302
    same_kind = browser_with(app, copied)
    same_kind.environ_base["HTTP_USER_AGENT"] = FIREFOX
    assert same_kind.get("/account").status_code == 200


def test_the_session_cookie_holds_no_hash_of_the_address_and_browser(app, client, auth, make_user):
    # Flask-Login would put a hash of the IP address and user agent in it, for a protection
    # this site does on the server instead (AccountSession).
    make_user(email="anna@example.nl")
    auth.login("anna@example.nl", remember="y")
    assert client.get("/account").status_code == 200
    cookie = copy_of_cookies(client, "session")["session"]
    held = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert "_user_id" in held
    assert not held.get("_id")
    auth.logout()
    assert client.get("/account").status_code == 302
