"""The second login step for staff and administrators (issue 15 point 8): TOTP from an app,
set up with a QR code, ten single-use recovery codes kept hashed, rate-limited checking, and no
staff page without it. Caregivers and editors are not asked."""

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlmodel import col, select

from app import crypto
from app.accounts.models import RecoveryCode, Role, TwoFactor
from app.audit.models import AuditEvent
from app.db import utcnow
from tests.conftest import DEFAULT_PASSWORD, TEST_SECRET, second_step_code


def password_login(client, email):
    return client.submit("/inloggen", {"email": email, "password": DEFAULT_PASSWORD})


def test_staff_without_an_app_set_it_up_before_any_staff_page(app, client, make_user, session):
    user = make_user(role=Role.STAFF, email="mara@example.nl", second_step=False)
    response = password_login(client, user.email)
    assert response.headers["Location"] == "/account/tweestapsverificatie?next=/account"
    assert (
        client.get("/staff/hulplijn")
        .headers["Location"]
        .startswith("/account/tweestapsverificatie?next=/staff/hulplijn")
    )
    page = client.get("/account/tweestapsverificatie?next=/staff/hulplijn").get_data(as_text=True)
    assert "<svg" in page and "QR-code voor je app" in page  # the QR code, inline
    stored = session.get(TwoFactor, user.id)
    with app.app_context():
        secret = crypto.decrypt(stored.secret)
    assert secret not in stored.secret  # kept encrypted
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    wrong = client.submit("/account/tweestapsverificatie?next=/staff/hulplijn", {"code": "123"})
    assert wrong.status_code == 422 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    right = client.submit(
        "/account/tweestapsverificatie?next=/staff/hulplijn", {"code": pyotp.TOTP(secret).now()}
    )
    shown = right.get_data(as_text=True)
    assert right.status_code == 200 and "Je herstelcodes" in shown
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    rows = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(rows) == 10 and not any(
        c.replace("-", "") in r.code_hash for c in codes for r in rows
    )
    assert client.get("/staff/hulplijn").status_code == 200


def test_a_code_is_asked_after_the_password_at_every_login(client, make_user, auth):
    user = make_user(role=Role.ADMIN, email="bea@example.nl")
    response = password_login(client, user.email)
    assert response.headers["Location"].startswith("/inloggen/code?next=")
    assert client.get("/admin/").status_code == 302  # the password alone opens nothing
    wrong = client.submit("/inloggen/code", {"code": "000000"})
    assert wrong.status_code == 422 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    ok = client.submit("/inloggen/code?next=/admin/", {"code": second_step_code(user.email)})
    assert ok.status_code == 303 and ok.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    auth.logout()
    password_login(client, user.email)
    assert client.get("/admin/").status_code == 302  # a new login asks again


def test_a_code_works_once_and_a_recovery_code_once(client, make_user, auth, session):
    user = make_user(role=Role.STAFF, email="mara@example.nl")
    code = pyotp.TOTP(TEST_SECRET).now()
    password_login(client, user.email)
    assert client.submit("/inloggen/code", {"code": code}).status_code == 303
    auth.logout()
    password_login(client, user.email)
    again = client.submit("/inloggen/code", {"code": code})
    assert again.status_code == 422  # the same code, replayed
    recovery = second_step_code(user.email, fresh=False)
    assert client.submit("/inloggen/code", {"code": recovery.upper()}).status_code == 303
    auth.logout()
    password_login(client, user.email)
    assert client.submit("/inloggen/code", {"code": recovery}).status_code == 422
    used = session.exec(select(RecoveryCode).where(col(RecoveryCode.used_at).is_not(None))).all()
    assert len(used) == 1


def test_a_code_from_the_previous_or_next_half_minute_counts_not_older(client, make_user):
    user = make_user(role=Role.STAFF, email="mara@example.nl")
    totp = pyotp.TOTP(TEST_SECRET)
    password_login(client, user.email)
    old = totp.at(utcnow() - timedelta(seconds=95))
    assert client.submit("/inloggen/code", {"code": old}).status_code == 422
    late = totp.at(utcnow() - timedelta(seconds=30))
    assert client.submit("/inloggen/code", {"code": late}).status_code == 303


def test_checking_codes_is_rate_limited(client, make_user):
    user = make_user(role=Role.STAFF, email="mara@example.nl")
    password_login(client, user.email)
    answers = [client.submit("/inloggen/code", {"code": "000000"}).status_code for _ in range(6)]
    assert answers == [422] * 5 + [429]
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        assert client.submit("/inloggen/code", {"code": "000000"}).status_code == 422


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.EDITOR])
def test_caregivers_and_editors_are_not_asked(client, make_user, role):
    user = make_user(role=role)
    response = password_login(client, user.email)
    assert response.status_code == 303 and "/inloggen/code" not in response.headers["Location"]
    assert client.get("/inloggen/code").status_code == 303
    assert client.get("/account/tweestapsverificatie").status_code == 303


@pytest.mark.parametrize("typed", ["", "x" * 5000, "١٢٣٤٥٦", "12 34 56\x00"])
def test_odd_input_gets_a_dutch_message(client, make_user, typed):
    user = make_user(role=Role.STAFF)
    password_login(client, user.email)
    response = client.submit("/inloggen/code", {"code": typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="code-fout"' in page and "Fout: " in page


def test_a_code_typed_in_full_width_digits_counts(client, make_user):
    user = make_user(role=Role.STAFF)
    password_login(client, user.email)
    wide = "".join(chr(ord("０") + int(d)) for d in pyotp.TOTP(TEST_SECRET).now())
    assert client.submit("/inloggen/code", {"code": wide}).status_code == 303


def test_an_administrator_lets_someone_with_a_lost_phone_set_up_a_new_app(
    client, make_user, auth, session
):
    mara = make_user(role=Role.STAFF, email="mara@example.nl")
    admin = make_user(role=Role.ADMIN, email="bea@example.nl")
    auth.login(admin.email)
    page = client.get(f"/admin/account/{mara.id}").get_data(as_text=True)
    assert "Nieuwe app laten instellen" in page
    done = client.submit(f"/admin/account/{mara.id}/tweede-stap", page=f"/admin/account/{mara.id}")
    assert done.status_code == 303
    assert session.get(TwoFactor, mara.id) is None
    assert not session.exec(select(RecoveryCode).where(RecoveryCode.user_id == mara.id)).all()
    own = client.submit(f"/admin/account/{admin.id}/tweede-stap", page=f"/admin/account/{admin.id}")
    assert own.status_code == 303 and session.get(TwoFactor, admin.id) is not None
    events = session.exec(select(AuditEvent).where(AuditEvent.user_id == mara.id)).all()
    assert [(e.action, e.actor_id) for e in events][-1] == (
        "tweede inlogstap opnieuw in te stellen",
        admin.id,
    )
    auth.logout()
    response = password_login(client, mara.email)
    assert response.headers["Location"].startswith("/account/tweestapsverificatie")
