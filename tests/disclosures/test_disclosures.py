"""P18: staff record what the platform gave an authority (which one, on what legal basis, what
and when, about which account); the person sees it on the access page and in the download,
unless a flag says the law forbids telling them. Only staff record; bad input gets Dutch
messages, never a 500; someone else's disclosure is 404; erasure keeps the record without
the person."""

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from app import db
from app.accounts.models import Role, User
from app.audit.models import AccessEntry
from app.disclosures.models import LegalDisclosure
from app.privacy import erasure, export
from tests.conftest import AuthActions

PAGE = "/staff/verstrekkingen"
POLICE = "Politie Midden-Nederland"
TAX = "Belastingdienst"


@pytest.fixture
def person(make_user):
    return make_user(email="carla@example.nl", name="Carla Mantel")


@pytest.fixture
def staff_client(app, make_user):
    """A second browser, logged in as a member of staff."""
    make_user(role=Role.STAFF, email="medewerker@example.nl", name="Mia Medewerker")
    other = app.test_client()
    AuthActions(other).login("medewerker@example.nl")
    return other


def form(**changes) -> dict:
    data = {
        "email": "carla@example.nl",
        "authority": TAX,
        "legal_basis": "art. 53 Algemene wet inzake rijksbelastingen",
        "what": "naam, e-mailadres en de facturen van 2026",
        "disclosed_on": date.today().isoformat(),
        "reference": "BD-2026-0042",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def record(staff_client, **changes):
    return staff_client.submit(PAGE, form(**changes))


def rows(session) -> list[LegalDisclosure]:
    session.expire_all()
    return list(session.exec(select(LegalDisclosure)))


def download_text(app, user_id: int) -> str:
    with app.app_context():
        session = db.session()
        data = export.build_zip(session, session.get_one(User, user_id))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def test_p18_a_disclosure_is_shown_to_the_person_when_not_secret(
    app, client, auth, person, staff_client, session
):
    response = record(staff_client)
    assert response.status_code == 303
    (row,) = rows(session)
    assert (row.user_id, row.authority, row.secret) == (person.id, TAX, False)
    assert row.reference == "BD-2026-0042" and row.recorded_by is not None
    # The access log has the entry, about the person, with the legal basis as the reason.
    (entry,) = session.exec(select(AccessEntry)).all()
    assert entry.subject_id == person.id and f"verstrekking {row.id}" in entry.what
    assert entry.reason == "art. 53 Algemene wet inzake rijksbelastingen"
    # Staff see it in the list.
    assert TAX in staff_client.get(PAGE).get_data(as_text=True)

    auth.login(person.email)
    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert "Gegevens die we aan instanties gaven" in page
    assert f"{TAX} kreeg naam, e-mailadres en de facturen van 2026" in page
    detail = client.get(f"/privacy/verstrekking/{row.id}")
    assert detail.status_code == 200
    assert "art. 53 Algemene wet inzake rijksbelastingen" in detail.get_data(as_text=True)
    assert TAX in download_text(app, person.id)


def test_p18_a_secret_disclosure_is_hidden_from_the_person(
    app, client, auth, person, staff_client, session, outbox
):
    assert record(staff_client, authority=POLICE, secret="y").status_code == 303
    (row,) = rows(session)
    assert (row.user_id, row.secret) == (person.id, True)
    # Logged, but not as an entry the person sees on their access page.
    (entry,) = session.exec(select(AccessEntry)).all()
    assert entry.subject_id is None and f"verstrekking {row.id}" in entry.what

    auth.login(person.email)
    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert POLICE not in page and "Gegevens die we aan instanties gaven" in page  # category
    assert "instanties die gegevens van je kregen" not in page
    assert client.get(f"/privacy/verstrekking/{row.id}").status_code == 404
    assert POLICE not in download_text(app, person.id)
    # Not even erasing the account gives it away: the e-mail names nothing kept for it.
    with app.app_context():
        s = db.session()
        erasure.erase_account(s, s.get_one(User, person.id))
        s.commit()
    outbox.deliver()
    assert "instanties" not in outbox.text(outbox.last()).lower()
    # The record stays, without the person (see the category's purpose).
    (kept,) = rows(session)
    assert (kept.user_id, kept.authority) == (None, POLICE)


def test_p18_staff_lift_the_secrecy_when_the_law_allows_telling(
    client, auth, person, staff_client, session
):
    assert record(staff_client, authority=POLICE, secret="y").status_code == 303
    (row,) = rows(session)
    url = f"{PAGE}/{row.id}/niet-meer-geheim"
    assert staff_client.submit(url, page=PAGE).status_code == 303
    assert rows(session)[0].secret is False
    entries = session.exec(select(AccessEntry).order_by(col(AccessEntry.id))).all()
    assert [e.subject_id for e in entries] == [None, person.id]
    auth.login(person.email)
    assert POLICE in client.get("/privacy/inzage").get_data(as_text=True)
    assert client.get(f"/privacy/verstrekking/{row.id}").status_code == 200
    # A caregiver cannot do it, and an unknown number is 404 for staff.
    assert client.submit(url, page="/").status_code == 403
    assert staff_client.submit(f"{PAGE}/999/niet-meer-geheim", page=PAGE).status_code == 404


@pytest.mark.parametrize("role", [None, Role.CAREGIVER, Role.EDITOR])
def test_p18_non_staff_cannot_record_a_disclosure(client, login_as, person, session, role):
    if role is not None:
        login_as(role)
    page = client.get(PAGE)
    posted = client.submit(PAGE, form(), page="/")  # a valid CSRF token, from another page
    if role is None:
        assert page.status_code == posted.status_code == 302
        assert page.headers["Location"].startswith("/inloggen")
    else:
        assert page.status_code == posted.status_code == 403
    assert rows(session) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "niemand@example.nl"}, "email", "Er is geen account met dit e-mailadres"),
        ({"email": "geen-adres"}, "email", "e-mailadres"),
        ({"authority": ""}, "authority", "Vul de instantie in"),
        ({"legal_basis": None}, "legal_basis", "Vul de wet waarop de instantie"),
        ({"what": "x" * 501}, "what", "500"),
        ({"disclosed_on": "gisteren"}, "disclosed_on", "datum"),
        (
            {"disclosed_on": (date.today() + timedelta(days=2)).isoformat()},
            "disclosed_on",
            "Deze datum ligt in de toekomst",
        ),
        ({"reference": "K" * 81}, "reference", "80"),
    ],
)
def test_p18_bad_input_gets_a_dutch_message_and_keeps_what_was_typed(
    person, staff_client, session, changes, field, message
):
    response = record(staff_client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Er ging iets mis" in html
    error = html.split(f'id="{field}-fout"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert "Not a valid" not in html and "This field" not in html and "Field must" not in html
    # What was typed in the other fields stays.
    assert f'value="{TAX}"' in html or field == "authority"
    assert rows(session) == []


def test_p18_someone_elses_disclosure_is_404(app, client, auth, person, make_user, staff_client):
    assert record(staff_client).status_code == 303
    make_user(email="ander@example.nl")
    auth.login("ander@example.nl")
    assert client.get("/privacy/verstrekking/1").status_code == 404
    assert client.get("/privacy/verstrekking/999").status_code == 404
    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert "BD-2026-0042" not in page and "facturen van 2026" not in page


def test_p18_after_midnight_in_the_netherlands_today_is_the_dutch_day(
    app, make_user, person, session, time_machine
):
    """From midnight in the Netherlands until midnight UTC the server's calendar is a day
    behind: the form offers the Dutch day and accepts it; the day after is the future. (The
    clock is set before logging in: a login made later than the clock would not be valid.)"""
    time_machine.move_to(datetime(2026, 12, 6, 23, 30, tzinfo=UTC), tick=False)
    make_user(role=Role.STAFF, email="medewerker@example.nl", name="Mia Medewerker")
    staff = app.test_client()
    AuthActions(staff).login("medewerker@example.nl")
    assert 'value="2026-12-07"' in staff.get(PAGE).get_data(as_text=True)
    assert record(staff, disclosed_on="2026-12-07").status_code == 303
    future = record(staff, disclosed_on="2026-12-08")
    assert future.status_code == 422 and "in de toekomst" in future.get_data(as_text=True)
    assert len(rows(session)) == 1
