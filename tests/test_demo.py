"""`flask demo load`: the demo accounts of `make run`, safe to run twice, never in production."""

import pyotp
from sqlmodel import select

from app.accounts.demo import DEMO_ACCOUNTS, DEMO_SECRETS
from app.accounts.models import User


def test_demo_load_creates_the_four_accounts_once_and_prints_their_logins(
    app, runner, session, auth
):
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == second.exit_code == 0
    users = session.exec(select(User)).all()
    assert sorted((u.email, u.role) for u in users) == sorted(
        (email, role) for role, _, email, _ in DEMO_ACCOUNTS
    )
    for _role, _, email, password in DEMO_ACCOUNTS:
        assert email in second.output and password in second.output
        response = auth.client.submit("/inloggen", {"email": email, "password": password})
        assert response.status_code == 303
        if email in DEMO_SECRETS:  # staff and the administrator: the code `demo code` prints
            assert DEMO_SECRETS[email] in second.output
            assert response.headers["Location"].startswith("/inloggen/code")
            code = runner.invoke(args=["demo", "code", email]).output.strip()
            assert code == pyotp.TOTP(DEMO_SECRETS[email]).now()
            passed = auth.client.submit(response.headers["Location"], {"code": code})
            assert passed.status_code == 303, passed.get_data(as_text=True)
        auth.logout()


def test_demo_codes_are_refused_in_production(app, runner):
    app.config["APP_ENV"] = "production"
    result = runner.invoke(args=["demo", "code", "makelaar@example.nl"])
    assert result.exit_code != 0 and "niet in productie" in result.output


def test_demo_load_is_refused_in_production(app, runner, session):
    app.config["APP_ENV"] = "production"
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "nooit aan in productie" in result.output
    assert session.exec(select(User)).all() == []
