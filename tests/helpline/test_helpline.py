"""D1, D4: first contact with the Hulplijn, the staff queue, and what the privacy centre shows."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from markupsafe import escape
from sqlmodel import col, select

from app.accounts.models import Role
from app.audit.models import AccessAction, AccessEntry
from app.consent.models import ConsentRecord
from app.helpline.models import HelpRequest
from app.helpline.service import working_days_between
from tests.conftest import database_dump

STORY = "Mijn moeder heeft dementie en valt vaak. Wat kan ik regelen?"
FULL = {
    "kind": "terugbellen",
    "name": "Sanne Ørsted-Bakker",
    "phone": "06 12345678",
    "email": "sanne@example.nl",
    "moment": "ochtend",
    "explanation": STORY,
    "health_consent": "y",
}


def send(client, **changes):
    data = {k: v for k, v in {**FULL, **changes}.items() if v is not None}
    return client.submit("/hulplijn", data)


def requests(session) -> list[HelpRequest]:
    return list(session.exec(select(HelpRequest).order_by(col(HelpRequest.id))))


def test_p04_first_contact_asks_name_phone_email_and_a_short_situation(
    client, app, session, outbox
):
    page = client.get("/hulplijn").get_data(as_text=True)
    for label in ("Je naam", "Telefoonnummer", "E-mailadres", "Waar gaat je vraag over?"):
        assert label in page
    assert 'name="health_consent"' in page and "checked" not in page.split("health_consent")[1][:80]
    response = send(client)
    assert response.status_code == 303 and response.location.endswith("/hulplijn/ontvangen")
    [row] = requests(session)
    assert (row.name, row.phone, row.email, row.kind, row.moment) == (
        "Sanne Ørsted-Bakker",
        "06 12345678",
        "sanne@example.nl",
        "terugbellen",
        "ochtend",
    )
    # The explanation is stored only encrypted, with the explicit consent in the consent log.
    assert STORY not in row.explanation and "dementie" not in database_dump(app)
    with app.app_context():
        from app.helpline.service import explanation

        assert explanation(row) == STORY
    [consent] = session.exec(select(ConsentRecord)).all()
    assert consent.consent_id == row.consent_id and consent.accepted == "hulplijn_gezondheid"
    # The confirmation repeats nothing of what was told.
    outbox.deliver()
    message = outbox.last()
    assert message["To"] == "sanne@example.nl"
    assert "dementie" not in message.as_string() and "valt" not in outbox.text(message)


def test_a_call_back_needs_only_a_name_and_a_phone_number(client, session, outbox):
    response = send(client, email="", explanation="", health_consent=None)
    assert response.status_code == 303
    [row] = requests(session)
    assert (row.name, row.phone, row.email, row.explanation, row.consent_id) == (
        "Sanne Ørsted-Bakker",
        "06 12345678",
        None,
        "",
        None,
    )
    assert session.exec(select(ConsentRecord)).all() == []
    outbox.deliver()
    assert outbox.messages() == []


def test_an_explanation_without_the_consent_is_refused_and_kept_in_the_form(client, session):
    response = send(client, health_consent=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vink de toestemming aan" in html and str(escape(STORY)) in html
    assert requests(session) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": ""}, "Vul je telefoonnummer in, dan bellen we je."),
        ({"kind": "vraag", "email": ""}, "Vul je e-mailadres in voor een antwoord."),
        ({"name": ""}, "Vul je naam in."),
        ({"name": "x" * 10_000}, "Gebruik hoogstens 120 tekens."),
        ({"explanation": "y" * 10_000}, "Gebruik hoogstens 2000 tekens."),
        ({"phone": "bel me maar"}, "Vul een telefoonnummer in"),
        ({"email": "geen-adres"}, "Vul een geldig e-mailadres in"),
        ({"kind": "iets-anders"}, "Kies of we je bellen of mailen."),
        ({"moment": "middernacht"}, "Kies een van de momenten uit de lijst."),
        ({"name": "Anna\x00\x07"}, "stuurtekens"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_loses_nothing(client, session, changes, message):
    response = send(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    if message != "Not a valid choice":
        assert message in html
    assert 'aria-invalid="true"' in html
    typed = {**FULL, **changes}
    assert str(escape(typed["explanation"])) in html
    if "phone" not in changes:
        assert 'value="06 12345678"' in html
    assert requests(session) == []


def test_a_filled_in_trap_field_stores_nothing_but_looks_the_same(client, session, outbox):
    response = send(client, website="http://spam.example")
    assert response.status_code == 303 and response.location.endswith("/hulplijn/ontvangen")
    assert requests(session) == []
    outbox.deliver()
    assert outbox.messages() == []


def test_a_logged_in_caregiver_finds_the_request_in_the_privacy_centre_and_can_withdraw(
    client, login_as, session
):
    user = login_as(name="Carla Mantel", email="carla@example.nl", phone="06 11122233")
    form = client.get("/hulplijn").get_data(as_text=True)
    assert 'value="Carla Mantel"' in form and 'value="carla@example.nl"' in form
    assert send(client, name="Carla Mantel").status_code == 303
    [row] = requests(session)
    assert row.user_id == user.id
    access = client.get("/privacy/inzage").get_data(as_text=True)
    assert "Vragen aan de Hulplijn" in access and str(escape(STORY)) in access
    centre = client.get("/privacy").get_data(as_text=True)
    assert "Je uitleg aan de Hulplijn over je situatie (gezondheid)" in centre
    withdrawn = client.submit("/privacy/intrekken/hulplijn_gezondheid", page="/privacy")
    assert withdrawn.status_code in (302, 303)
    [row] = requests(session)
    assert row.explanation == "" and row.name == "Carla Mantel"  # the request itself stays


def test_staff_see_the_queue_oldest_first_and_every_read_is_logged(
    app, client, make_user, auth, session
):
    with time_machine.travel(datetime.now(UTC) - timedelta(days=7), tick=False):
        send(client, name="Eerste Vraag")
    send(client, name="Tweede Vraag")  # now
    member = make_user(role=Role.STAFF, email="makelaar@example.nl")
    auth.login(member.email)
    page = client.get("/staff/hulplijn").get_data(as_text=True)
    first, second = requests(session)
    assert page.index(f"Vraag {first.id}") < page.index(f"Vraag {second.id}")
    assert page.count("te laat") == 1  # the first is past two working days, the second new
    assert "Eerste Vraag" not in page  # names only inside, where the read is logged
    detail = client.get(f"/staff/hulplijn/{first.id}").get_data(as_text=True)
    assert "Eerste Vraag" in detail and str(escape(STORY)) in detail
    reads = session.exec(select(AccessEntry).where(AccessEntry.action == AccessAction.READ)).all()
    assert [(e.actor_id, e.what) for e in reads] == [(member.id, f"Hulplijn-vraag {first.id}")]
    closed = client.submit(
        f"/staff/hulplijn/{first.id}", {"outcome": "Teruggebeld, uitleg Wmo gegeven."}
    )
    assert closed.status_code == 303
    again = client.submit(f"/staff/hulplijn/{first.id}", {"outcome": "Nog eens."})
    assert again.status_code == 422 and "al afgehandeld" in again.get_data(as_text=True)
    assert client.get("/staff/hulplijn/99999").status_code == 404
    empty = client.submit(f"/staff/hulplijn/{second.id}", {"outcome": ""})
    assert empty.status_code == 422


def test_caregivers_and_visitors_cannot_open_the_staff_queue(client, login_as):
    assert client.get("/staff/hulplijn").status_code in (302, 303)
    login_as()
    assert client.get("/staff/hulplijn").status_code == 403
    assert client.get("/staff/hulplijn/1").status_code == 403


def test_working_days_skip_the_weekend():
    friday = datetime(2026, 11, 27, 16, tzinfo=UTC)
    assert working_days_between(friday, friday + timedelta(days=3)) == 1  # to Monday
    assert working_days_between(friday, friday + timedelta(days=5)) == 3


def test_p34_requests_go_after_180_days(app, client, session, runner):
    with time_machine.travel(datetime(2026, 1, 1, 9, tzinfo=UTC), tick=False):
        send(client, name="Oud")
    with time_machine.travel(datetime(2026, 1, 3, 9, tzinfo=UTC), tick=False):
        send(client, name="Jonger")
    with time_machine.travel(datetime(2026, 6, 30, 8, 59, tzinfo=UTC), tick=False):  # < 180 d
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    assert [r.name for r in requests(session)] == ["Oud", "Jonger"]
    with time_machine.travel(datetime(2026, 7, 1, 9, 30, tzinfo=UTC), tick=False):  # 181 d
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    assert [r.name for r in requests(session)] == ["Jonger"]
    with app.app_context():
        from app import db

        raw = db.session().execute(sa.text("SELECT count(*) FROM helpline_request")).scalar()
    assert raw == 1


def test_a_caregiver_sees_their_own_questions_and_no_one_elses(client, login_as, auth, session):
    login_as(name="Ander Iemand", email="ander@example.nl")
    send(client, name="Ander Iemand", explanation="Vraag van iemand anders.")
    auth.logout()
    carla = login_as(name="Carla Mantel", email="carla@example.nl")
    empty = client.get("/hulplijn/mijn-vragen").get_data(as_text=True)
    assert "nog niets gevraagd" in empty
    assert 'href="/hulplijn/mijn-vragen"' in empty  # in the account menu
    send(client, name="Carla Mantel")
    page = client.get("/hulplijn/mijn-vragen").get_data(as_text=True)
    [own] = [r for r in requests(session) if r.user_id == carla.id]
    assert f"Vraag {own.id} van" in page and str(escape(STORY)) in page
    assert "nieuw: we nemen binnen twee werkdagen contact op" in page
    assert "iemand anders" not in page


def test_my_questions_need_a_login(client):
    response = client.get("/hulplijn/mijn-vragen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_makelaar_takes_a_request_and_colleagues_see_it(app, client, make_user, auth, session):
    send(client, name="Eerste Vraag")
    [row] = requests(session)
    mara = make_user(role=Role.STAFF, email="mara@example.nl", name="Mara Makelaar")
    piet = make_user(role=Role.STAFF, email="piet@example.nl", name="Piet Plan")
    auth.login(mara.email)
    page = client.get(f"/staff/hulplijn/{row.id}").get_data(as_text=True)
    assert "Ik pak deze vraag op" in page
    taken = client.submit(f"/staff/hulplijn/{row.id}/oppakken", page=f"/staff/hulplijn/{row.id}")
    assert taken.status_code == 303
    assert "Jij hebt deze vraag opgepakt" in client.get(f"/staff/hulplijn/{row.id}").get_data(
        as_text=True
    )
    auth.logout()
    auth.login(piet.email)
    assert "opgepakt door Mara Makelaar" in client.get("/staff/hulplijn").get_data(as_text=True)
    detail = client.get(f"/staff/hulplijn/{row.id}").get_data(as_text=True)
    assert "Mara Makelaar heeft deze vraag opgepakt" in detail
    assert "Ik pak deze vraag op" not in detail
    again = client.submit(f"/staff/hulplijn/{row.id}/oppakken", page=f"/staff/hulplijn/{row.id}")
    assert again.status_code == 303
    [row] = requests(session)
    assert row.taken_by == mara.id  # not taken over silently
    taken_entries = session.exec(
        select(AccessEntry).where(col(AccessEntry.what).contains("opgepakt"))
    ).all()
    assert [e.actor_id for e in taken_entries] == [mara.id]
    assert (
        client.submit("/staff/hulplijn/99999/oppakken", page="/staff/hulplijn").status_code == 404
    )
