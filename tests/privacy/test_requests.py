"""R8 (P42): the request log, its one-month due date, and the staff queue."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import col, select

from app.accounts.models import Role, User
from app.privacy.models import ExportFile, PrivacyRequest
from app.privacy.requests import add_months
from tests.conftest import AuthActions


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 1, 15, 9, tzinfo=UTC), datetime(2026, 2, 15, 9, tzinfo=UTC)),
        (datetime(2026, 1, 31, 9, tzinfo=UTC), datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2028, 1, 31, 9, tzinfo=UTC), datetime(2028, 2, 29, 9, tzinfo=UTC)),
        (datetime(2026, 12, 31, 9, tzinfo=UTC), datetime(2027, 1, 31, 9, tzinfo=UTC)),
        # Dutch calendar months: 1 March 00:30 Dutch time (winter) is due 1 April 00:30 (summer),
        # and a month across the change to summer time keeps the Dutch clock time.
        (datetime(2027, 2, 28, 23, 30, tzinfo=UTC), datetime(2027, 3, 31, 22, 30, tzinfo=UTC)),
        (datetime(2027, 3, 8, 8, 0, tzinfo=UTC), datetime(2027, 4, 8, 7, 0, tzinfo=UTC)),
        (datetime(2027, 10, 30, 22, 30, tzinfo=UTC), datetime(2027, 11, 29, 23, 30, tzinfo=UTC)),
    ],
)
def test_p42_the_due_date_is_one_calendar_month_after_receipt(received, due):
    assert add_months(received, 1) == due


@pytest.fixture
def staff(app, make_user):
    member = make_user(role=Role.STAFF, email="makelaar@example.nl", name="Mara Makelaar")
    client = app.test_client()
    AuthActions(client).login(member.email)
    client.member = member
    return client


def record(staff, email="carla@example.nl", **fields):
    data = {
        "email": email,
        "kind": "inzage",
        "channel": "telefoon",
        "received_on": datetime.now(UTC).date().isoformat(),
        "detail": "Belde op maandag.",
        **fields,
    }
    return staff.submit("/staff/privacy", data)


def verify(staff, outbox, row_id):
    staff.submit(f"/staff/privacy/{row_id}/code-sturen", page=f"/staff/privacy/{row_id}")
    sent = re.search(r"^(\d{6})$", outbox.text(outbox.last()), re.M)
    assert sent, "the message holds no code"
    code = sent.group(1)
    response = staff.submit(f"/staff/privacy/{row_id}/code", {"code": code})
    assert response.status_code == 303


def test_p42_staff_record_a_phone_request_and_see_the_queue_by_due_date(
    staff, client, caregiver, session
):
    old = (datetime.now(UTC) - timedelta(days=20)).date().isoformat()
    assert record(staff, kind="verwijdering").status_code == 303
    assert record(staff, kind="inzage", received_on=old, channel="email").status_code == 303
    rows = session.exec(select(PrivacyRequest).order_by(col(PrivacyRequest.id))).all()
    assert [r.channel for r in rows] == ["telefoon", "email"]
    assert all(r.user_id == caregiver.id and r.completed_at is None for r in rows)
    assert rows[1].due_at == add_months(rows[1].received_at, 1)
    html = staff.get("/staff/privacy").get_data(as_text=True)
    first, second = html.index(f"nr. {rows[1].id}"), html.index(f"nr. {rows[0].id}")
    assert first < second  # the older request is due first
    # The caregiver sees the request with its due date in their own centre.
    centre = client.get("/privacy").get_data(as_text=True)
    assert "Account en gegevens verwijderen (art. 17 AVG), telefonisch" in centre
    assert "Antwoord uiterlijk" in centre


def test_an_unknown_address_or_a_date_in_the_future_keeps_what_was_typed(staff, session):
    response = record(staff, email="onbekend@example.nl", detail="Wil alles weten 🙂")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Er is geen account met dit e-mailadres" in html
    assert 'value="onbekend@example.nl"' in html and "Wil alles weten 🙂" in html
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    future = record(staff, email="onbekend@example.nl", received_on=tomorrow)
    assert future.status_code == 422 and "in de toekomst" in future.get_data(as_text=True)
    assert record(staff, kind="hacken").status_code == 422
    assert session.exec(select(PrivacyRequest)).all() == []


def test_actions_need_a_verified_caller(staff, caregiver, session, outbox):
    record(staff)
    row = session.exec(select(PrivacyRequest)).one()
    url = f"/staff/privacy/{row.id}"
    forbidden = staff.submit(f"{url}/actie", {"actie": "beperken"}, page=url)
    assert forbidden.status_code == 403
    staff.submit(f"{url}/code-sturen", page=url)
    message = outbox.last()
    assert message["To"] == "carla@example.nl" and "controlecode" in message["Subject"]
    wrong = staff.submit(f"{url}/code", {"code": "000000"})
    assert wrong.status_code == 422 and "klopt niet" in wrong.get_data(as_text=True)
    verify(staff, outbox, row.id)
    assert session.get(PrivacyRequest, row.id).verified_at is not None
    assert staff.submit(f"{url}/actie", {"actie": "beperken"}, page=url).status_code == 303
    assert session.get(User, caregiver.id).restricted
    assert "verwerking beperkt" in session.get(PrivacyRequest, row.id).outcome


def test_an_expired_code_is_refused(staff, caregiver, session, outbox):
    record(staff)
    row = session.exec(select(PrivacyRequest)).one()
    staff.submit(f"/staff/privacy/{row.id}/code-sturen", page=f"/staff/privacy/{row.id}")
    sent = re.search(r"^(\d{6})$", outbox.text(outbox.last()), re.M)
    assert sent, "the message holds no code"
    code = sent.group(1)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=31)):
        response = staff.submit(f"/staff/privacy/{row.id}/code", {"code": code})
    assert response.status_code == 422 and "verlopen" in response.get_data(as_text=True)


def test_staff_run_the_centres_actions_and_close_the_request(
    staff, client, profiled, session, outbox
):
    record(staff, kind="download")
    row = session.exec(select(PrivacyRequest)).one()
    verify(staff, outbox, row.id)
    url = f"/staff/privacy/{row.id}"
    staff.submit(f"{url}/actie", {"actie": "download"}, page=url)
    assert session.exec(select(ExportFile)).one().user_id == profiled.id
    assert outbox.last()["Subject"] == "Je gegevens staan klaar om te downloaden"
    staff.submit(f"{url}/actie", {"actie": "bezwaar:marketing"}, page=url)
    staff.submit(f"{url}/actie", {"actie": "intrekken:health"}, page=url)
    user = session.get(User, profiled.id)
    assert user.objects_marketing
    # Staff never see the data itself on the request page.
    html = staff.get(url).get_data(as_text=True)
    assert "dementie" not in html and "Zwolle" not in html
    staff.submit(f"{url}/afsluiten", {"outcome": "Download klaargezet en toegelicht"})
    closed = session.get(PrivacyRequest, row.id)
    assert closed.completed_at is not None and closed.handled_by == staff.member.id
    assert "Download klaargezet en toegelicht" in closed.outcome
    assert "downloadbestand klaargezet" in closed.outcome
    # The caregiver sees the request, its channel and outcome in their centre.
    centre = client.get("/privacy").get_data(as_text=True)
    assert "telefonisch" in centre and "Download klaargezet en toegelicht" in centre
    # A closed request takes no more actions.
    assert staff.submit(f"{url}/actie", {"actie": "beperken"}, page=url).status_code == 404


def test_staff_erase_an_account_on_a_verified_request(staff, caregiver, session, outbox):
    record(staff, kind="verwijdering")
    row = session.exec(select(PrivacyRequest)).one()
    verify(staff, outbox, row.id)
    url = f"/staff/privacy/{row.id}"
    unticked = staff.submit(f"{url}/verwijderen", {}, page=url)
    assert unticked.status_code == 422 and session.get(User, caregiver.id) is not None
    done = staff.submit(f"{url}/verwijderen", {"confirm": "y"}, page=url)
    assert done.status_code == 303
    assert session.get(User, caregiver.id) is None
    closed = session.get(PrivacyRequest, row.id)
    assert closed.user_id is None and closed.completed_at is not None
    assert closed.detail == "" and closed.handled_by == staff.member.id
    assert outbox.last()["Subject"] == "Je account is verwijderd"


def test_p42_an_extension_needs_a_reason_sent_before_the_due_date(
    staff, caregiver, session, outbox
):
    record(staff, kind="inzage")
    row = session.exec(select(PrivacyRequest)).one()
    url = f"/staff/privacy/{row.id}"
    short = staff.submit(f"{url}/verlengen", {"months": "2", "reason": "Druk"})
    assert short.status_code == 422 and "Schrijf de reden" in short.get_data(as_text=True)
    assert staff.submit(f"{url}/verlengen", {"months": "5", "reason": "x" * 20}).status_code == 422
    reason = "We moeten gegevens uit drie systemen bij elkaar zoeken."
    done = staff.submit(f"{url}/verlengen", {"months": "2", "reason": reason})
    assert done.status_code == 303
    extended = session.get(PrivacyRequest, row.id)
    assert extended.extended_until == add_months(extended.due_at, 2)
    assert extended.extension_sent_at is not None and extended.extension_sent_at < extended.due_at
    message = outbox.last()
    assert message["To"] == "carla@example.nl" and reason in outbox.text(message)
    again = staff.submit(f"{url}/verlengen", {"months": "1", "reason": reason})
    assert again.status_code == 422 and "al verlengd" in again.get_data(as_text=True)
    queue = staff.get("/staff/privacy").get_data(as_text=True)
    assert "(verlengd)" in queue


def test_p42_no_extension_after_the_first_month(staff, caregiver, session, auth):
    record(staff, kind="inzage")
    row = session.exec(select(PrivacyRequest)).one()
    with time_machine.travel(row.due_at + timedelta(hours=1)):
        AuthActions(staff).login("makelaar@example.nl")
        response = staff.submit(
            f"/staff/privacy/{row.id}/verlengen",
            {"months": "1", "reason": "We hadden het te druk deze maand."},
        )
        assert response.status_code == 422
        assert "verlengen kan niet meer" in response.get_data(as_text=True)
        assert "te laat" in staff.get("/staff/privacy").get_data(as_text=True)
    assert session.get(PrivacyRequest, row.id).extended_until is None


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.EDITOR])
def test_only_staff_reach_the_queue(app, make_user, role, session):
    user = make_user(role=role)
    client = app.test_client()
    AuthActions(client).login(user.email)
    assert client.get("/staff/privacy").status_code == 403
    for action in ("actie", "verwijderen", "code", "code-sturen", "verlengen", "afsluiten"):
        # With a valid CSRF token, so only the role check can refuse.
        assert client.submit(f"/staff/privacy/1/{action}", {}, page="/").status_code == 403
    assert session.exec(select(PrivacyRequest)).all() == []


def test_an_unknown_request_is_404(staff):
    assert staff.get("/staff/privacy/424242").status_code == 404
    response = staff.submit(
        "/staff/privacy/424242/afsluiten", {"outcome": "x"}, page="/staff/privacy"
    )
    assert response.status_code == 404


def test_a_request_whose_account_is_gone_can_still_be_closed_with_a_clear_error(
    app, staff, caregiver, session
):
    from app import db
    from app.privacy import erasure

    record(staff)
    row = session.exec(select(PrivacyRequest)).one()
    with app.app_context():
        s = db.session()
        erasure.erase_account(s, s.get_one(User, caregiver.id))
        s.commit()
    url = f"/staff/privacy/{row.id}"
    page = staff.get(url).get_data(as_text=True)
    assert "account bestaat niet meer" in page and ">Afsluiten</h2>" in page
    assert "Aanvrager bevestigen" not in page  # nothing to verify or run without an account
    response = staff.submit(f"{url}/afsluiten", {"outcome": ""}, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Er ging iets mis" in html
    assert (
        staff.submit(f"{url}/afsluiten", {"outcome": "Account al verwijderd"}, page=url).status_code
        == 303
    )
    session.refresh(row)
    assert row.completed_at is not None and "Account al verwijderd" in row.outcome


def test_the_staff_steps_are_numbered_one_two_three_before_and_after_confirmation(
    staff, caregiver, session, outbox
):
    """Staff see the whole way: 1 confirm, 2 carry out (waiting until 1 is done), 3 close."""
    record(staff)
    row = session.exec(select(PrivacyRequest)).one()
    for verified in (False, True):
        if verified:
            verify(staff, outbox, row.id)
        page = staff.get(f"/staff/privacy/{row.id}").get_data(as_text=True)
        headings = re.findall(r'<h2 class="utrecht-heading-2" id="[a-z]+">([^<]+)</h2>', page)
        assert [h for h in headings if h[0].isdigit()] == [
            "1. Aanvrager bevestigen",
            "2. Uitvoeren",
            "3. Afsluiten",
        ]
        waiting = "Dit kan pas als de aanvrager bevestigd is (stap 1)." in page
        assert waiting is not verified
        assert ("Download klaarzetten" in page) is verified


def test_staff_screens_speak_about_the_requester_not_to_them(staff, caregiver, session, outbox):
    """Labels shared with the privacy centre are neutral: a member of staff reads "je" as
    addressed to them."""
    record(staff)
    row = session.exec(select(PrivacyRequest)).one()
    verify(staff, outbox, row.id)
    page = staff.get(f"/staff/privacy/{row.id}").get_data(as_text=True)
    main = re.sub(r"<[^>]+>", " ", page[page.index("<main") : page.index("</main>")])
    addressed = re.findall(r"[^.:]*\b(?:je|jouw|jij)\b[^.:]*", main, flags=re.I)
    meant_for_staff = ("Je ziet de gegevens zelf niet", "Je kunt het verzoek nu uitvoeren")
    assert [a.strip() for a in addressed if not a.strip().startswith(meant_for_staff)] == []


def test_p42_after_midnight_in_the_netherlands_today_is_the_dutch_day(
    app, make_user, caregiver, session, time_machine
):
    """From midnight in the Netherlands until midnight UTC the server's calendar is a day
    behind: the form offers the Dutch day and accepts it; the day after is the future. (The
    clock is set before logging in: a login made later than the clock would not be valid.)"""
    time_machine.move_to(datetime(2026, 12, 6, 23, 30, tzinfo=UTC), tick=False)
    member = make_user(role=Role.STAFF, email="makelaar@example.nl", name="Mara Makelaar")
    staff = app.test_client()
    AuthActions(staff).login(member.email)
    assert 'value="2026-12-07"' in staff.get("/staff/privacy").get_data(as_text=True)
    assert record(staff, received_on="2026-12-07").status_code == 303
    future = record(staff, received_on="2026-12-08")
    assert future.status_code == 422 and "in de toekomst" in future.get_data(as_text=True)
    assert len(session.exec(select(PrivacyRequest)).all()) == 1
