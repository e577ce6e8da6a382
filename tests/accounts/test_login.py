"""Login and logout (A1): sessions, remember-me, safe `next`, equal answers and the rate limit."""

import time

import pytest

from app.accounts.models import Role


def test_login_and_logout(client, auth, make_user):
    user = make_user(email="anna@example.nl")
    response = auth.login("ANNA@example.nl ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert user.email in client.get("/account").get_data(as_text=True)
    assert auth.logout().status_code == 303
    assert client.get("/account").status_code == 302


def test_session_is_renewed_at_login(client, auth, make_user):
    make_user(email="anna@example.nl")
    with client.session_transaction() as s:
        s["planted"] = "door een aanvaller"
    auth.login("anna@example.nl")
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["_user_id"]


def test_unknown_email_and_wrong_password_get_the_same_answer(client, auth, make_user):
    make_user(email="anna@example.nl")
    wrong = auth.login("anna@example.nl", "helemaal niet goed")
    unknown = auth.login("niemand@example.nl", "helemaal niet goed")
    assert wrong.status_code == unknown.status_code == 422

    def message(response):
        html = response.get_data(as_text=True)
        return html[html.index('id="password-fout"') :][:300]

    assert message(wrong) == message(unknown)
    assert "horen niet bij elkaar" in message(wrong)


def test_unknown_email_costs_a_password_check_too(app):
    hasher = app.extensions["hasher"]
    start = time.perf_counter()
    for _ in range(5):
        assert not hasher.verify(None, "iets")
    unknown = time.perf_counter() - start
    stored = hasher.hash("iets anders")
    start = time.perf_counter()
    for _ in range(5):
        assert not hasher.verify(stored, "iets")
    wrong = time.perf_counter() - start
    # Both paths run argon2: neither is an order of magnitude cheaper than the other.
    assert unknown > wrong / 10 and wrong > unknown / 10


def test_remember_me_sets_a_long_lived_cookie(client, auth, make_user):
    make_user(email="anna@example.nl")
    response = auth.login("anna@example.nl", remember="y")
    cookies = response.headers.get_all("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    assert "Expires=" in remember[0]


def test_without_remember_me_no_persistent_cookie(client, auth, make_user):
    make_user(email="anna@example.nl")
    cookies = auth.login("anna@example.nl").headers.get_all("Set-Cookie")
    assert not [c for c in cookies if c.startswith("remember_token=")]
    assert all("Expires=" not in c for c in cookies if c.startswith("session="))


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account/wachtwoord", "/account/wachtwoord"),
        ("https://kwaadwillend.example/", "/account"),
        ("//kwaadwillend.example/", "/account"),
        ("/\\kwaadwillend.example", "/account"),
        ("javascript:alert(1)", "/account"),
        ("/%0d%0aLocation:%20https://x", "/%0d%0aLocation:%20https://x"),
    ],
)
def test_next_only_accepts_local_paths(client, auth, make_user, next_url, expected):
    make_user(email="anna@example.nl")
    response = auth.login("anna@example.nl", next=next_url)
    assert response.headers["Location"] == expected


def test_login_page_carries_next_from_the_query(client):
    html = client.get("/inloggen?next=/account/wachtwoord").get_data(as_text=True)
    assert 'value="/account/wachtwoord"' in html


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")


def test_login_rate_limit_per_ip_answers_429_in_dutch(client, auth, make_user):
    make_user(email="anna@example.nl")
    for i in range(5):
        assert auth.login(f"iemand{i}@example.nl", "fout fout fout").status_code == 422
    response = auth.login("anna@example.nl")
    assert response.status_code == 429
    assert "Je hebt dit te vaak kort na elkaar geprobeerd" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers


def test_limits_guard_submissions_only_never_reading(app):
    from app.extensions import apply_view_rules, no_csrf, rate_limit

    @app.route("/test-beperkt", methods=["GET", "POST"])
    @rate_limit("1 per minute")
    @no_csrf
    def limited():
        return "ok"

    apply_view_rules(app)

    client = app.test_client()
    for _ in range(3):
        page = client.get("/test-beperkt")
        assert page.status_code == 200
        assert "X-RateLimit-Remaining" not in page.headers
    first = client.post("/test-beperkt")
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Remaining"] == "0"
    assert client.post("/test-beperkt").status_code == 429


def test_login_records_last_activity(client, auth, make_user, session, time_machine):
    time_machine.move_to("2026-01-01 12:00+00:00", tick=False)
    user = make_user(email="anna@example.nl")
    time_machine.move_to("2026-03-01 12:00+00:00", tick=False)
    auth.login("anna@example.nl")
    client.get("/account")
    from app.accounts.models import User

    assert session.get(User, user.id).last_active_at.isoformat().startswith("2026-03-01T12:00")


def test_staff_can_log_in_too(client, auth, make_user):
    make_user(email="makelaar@example.nl", role=Role.STAFF)
    assert auth.login("makelaar@example.nl").status_code == 303


def test_logout_needs_a_post_with_csrf(client, login_as):
    login_as()
    assert client.get("/uitloggen").status_code in (404, 405)
    assert client.post("/uitloggen").status_code == 400
    assert client.get("/account").status_code == 200
