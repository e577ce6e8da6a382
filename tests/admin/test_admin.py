"""The administrator's page: roles handed out and logged, the jobs' health, nothing personal."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.db import utcnow
from app.jobs import service as jobs
from tests.conftest import AuthActions


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN, email="beheer@example.nl", name="Bea Beheer")


def test_only_an_administrator_sees_the_page(app, client, make_user):
    assert client.get("/admin/").status_code == 302  # to the login page
    for role in (Role.CAREGIVER, Role.STAFF, Role.EDITOR):
        user = make_user(role=role, email=f"{role.value}@example.nl")
        browser = app.test_client()
        AuthActions(browser).login(user.email)
        assert browser.get("/account").status_code == 200
        assert browser.get("/admin/").status_code == 403
        assert browser.get(f"/admin/account/{user.id}").status_code == 403


def test_the_menu_leads_the_administrator_to_the_page(client, admin):
    assert 'href="/admin/"' in client.get("/account").get_data(as_text=True)


def test_grant_and_revoke_a_role_is_logged_with_who_did_it(client, admin, make_user, session):
    anna = make_user(email="anna@example.nl", name="Anna")
    found = client.get("/admin/", query_string={"email": "ANNA@example.nl"})
    assert found.status_code == 302 and found.headers["Location"] == f"/admin/account/{anna.id}"

    page = client.submit(f"/admin/account/{anna.id}", {"role": "staff"})
    assert page.status_code == 303
    assert session.get(User, anna.id).role == Role.STAFF.value
    assert "Anna is nu mantelzorgmakelaar." in client.get(page.headers["Location"]).get_data(
        as_text=True
    )
    assert "anna@example.nl" in client.get("/admin/").get_data(as_text=True)

    client.submit(f"/admin/account/{anna.id}", {"role": "caregiver"})
    assert session.get(User, anna.id).role == Role.CAREGIVER.value
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "role.changed", AuditEvent.user_id == anna.id)
    ).all()
    assert [(e.actor_id, e.detail) for e in events] == [
        (admin.id, "mantelzorger → mantelzorgmakelaar"),
        (admin.id, "mantelzorgmakelaar → mantelzorger"),
    ]


def test_a_revoked_role_ends_at_once_on_a_logged_in_device(app, client, admin, make_user):
    staff = make_user(email="medewerker@example.nl", role=Role.STAFF)
    their_browser = app.test_client()
    AuthActions(their_browser).login("medewerker@example.nl")
    assert their_browser.get("/staff/privacy").status_code == 200
    client.submit(f"/admin/account/{staff.id}", {"role": "caregiver"})
    assert their_browser.get("/staff/privacy").status_code == 403


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("admin", "Kies een van de rollen uit de lijst."),
        ("", "Kies een rol."),
        ("x" * 5000, "Kies een van de rollen uit de lijst."),
    ],
)
def test_only_the_grantable_roles_can_be_chosen(client, admin, make_user, session, role, message):
    anna = make_user(email="anna@example.nl")
    response = client.submit(f"/admin/account/{anna.id}", {"role": role})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session.get(User, anna.id).role == Role.CAREGIVER.value


def test_no_administrator_changes_their_own_role_or_another_administrators(
    client, admin, make_user, session
):
    other = make_user(email="tweede@example.nl", role=Role.ADMIN)
    for user in (admin, other):
        response = client.submit(f"/admin/account/{user.id}", {"role": "caregiver"})
        assert response.status_code == 422
        assert session.get(User, user.id).role == Role.ADMIN.value
    assert "je eigen rol" in client.submit(
        f"/admin/account/{admin.id}", {"role": "staff"}
    ).get_data(as_text=True)


def test_an_unknown_address_or_account_gets_a_clear_answer(client, admin):
    response = client.get("/admin/", query_string={"email": "niemand@example.nl"})
    assert response.status_code == 422
    assert "Er is geen account met dit e-mailadres." in response.get_data(as_text=True)
    empty = client.get("/admin/", query_string={"email": ""})
    assert empty.status_code == 422
    assert client.get("/admin/account/999999").status_code == 404


def test_caregivers_are_not_listed(client, admin, make_user):
    make_user(email="mantelzorger@example.nl", name="Carla Zorg")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Carla Zorg" not in page and "mantelzorger@example.nl" not in page


def test_the_health_of_the_jobs(app, client, admin, session, runner):
    page = client.get("/admin/").get_data(as_text=True)
    assert "Nog nooit." in page  # no retention run yet

    with app.app_context():
        jobs.enqueue(session, "mail", {"to": "x@example.nl"})
    session.commit()
    old = session.exec(select(jobs.Job)).one()
    old.created_at = utcnow() - timedelta(hours=2)
    session.add(old)
    session.commit()
    assert runner.invoke(args=["privacy", "retention"]).exit_code == 0

    page = client.get("/admin/").get_data(as_text=True)
    assert "Nog nooit." not in page and "wijziging(en)" in page
    assert "wacht al langer dan een uur" in page
    row = page.split('<td class="utrecht-table__cell">mail</td>', 1)[1].split("</tr>", 1)[0]
    assert ">1</td>" in row


def test_flask_admin_grant_makes_the_first_administrator(runner, make_user, session):
    user = make_user(email="eerste@example.nl")
    result = runner.invoke(args=["admin", "grant", "EERSTE@example.nl"])
    assert result.exit_code == 0 and "eerste@example.nl is nu beheerder." in result.output
    assert session.get(User, user.id).role == Role.ADMIN.value
    missing = runner.invoke(args=["admin", "grant", "niemand@example.nl"])
    assert missing.exit_code != 0 and "Er is geen account" in missing.output


@pytest.mark.parametrize(
    ("role", "links", "not_shown"),
    [
        (Role.CAREGIVER, [], ['href="/staff/privacy"', 'href="/redactie"', 'href="/admin/"']),
        (Role.STAFF, ['href="/staff/privacy"', 'href="/staff/bestellingen"'], ['href="/admin/"']),
        (Role.EDITOR, ['href="/redactie"'], ['href="/staff/privacy"', 'href="/admin/"']),
        (Role.ADMIN, ['href="/admin/"', 'href="/staff/privacy"', 'href="/redactie"'], []),
    ],
)
def test_each_role_finds_its_pages_in_the_menu(client, login_as, role, links, not_shown):
    login_as(role)
    header = client.get("/artikelen/").get_data(as_text=True).split("</header>", 1)[0]
    for link in links:
        assert link in header
    for link in not_shown:
        assert link not in header
