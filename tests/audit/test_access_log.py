"""The access log (NEN 7513, issue 15 point 11): every staff read of someone's Hulplijn question,
order or privacy request is an entry; the person sees who, when and what; the database refuses
changes; the hash chain shows the first entry that was tampered with; erasure keeps the chain."""

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from app.accounts.models import Role
from app.audit import access
from app.audit.models import DROP_TRIGGERS, TRIGGERS, AccessAction, AccessEntry, AccessUnlock
from app.privacy.models import RequestChannel, RequestKind
from app.privacy.requests import open_request
from tests.conftest import DEFAULT_PASSWORD

QUESTION = {"kind": "terugbellen", "name": "Carla Mantel", "phone": "06 11122233"}
QUESTION |= {"moment": "ochtend"}


def entries(session) -> list[AccessEntry]:
    return list(session.exec(select(AccessEntry).order_by(col(AccessEntry.id))))


@pytest.fixture
def handled(client, make_user, auth, session):
    """A caregiver's Hulplijn question, read twice (the second time to handle it: the test
    client opens the form before it sends it) and then handled by a makelaar."""
    carla = make_user(name="Carla Mantel", email="carla@example.nl")
    auth.login(carla.email)
    assert client.submit("/hulplijn", QUESTION).status_code == 303
    auth.logout()
    mara = make_user(name="Mara de Makelaar", email="mara@example.nl", role=Role.STAFF)
    auth.login(mara.email)
    question = session.execute(sa.text("SELECT max(id) FROM helpline_request")).scalar_one()
    assert client.get(f"/staff/hulplijn/{question}").status_code == 200
    closed = client.submit(f"/staff/hulplijn/{question}", {"outcome": "Teruggebeld."})
    assert closed.status_code == 303
    auth.logout()
    return carla, mara, question


def test_a_staff_read_and_action_are_logged_and_the_person_sees_them(
    client, auth, session, handled
):
    carla, mara, question = handled
    read, again, change = entries(session)
    assert (read.action, read.what, read.subject_id) == (
        AccessAction.READ,
        f"Hulplijn-vraag {question}",
        carla.id,
    )
    assert (read.actor_id, read.actor_role, read.actor_name) == (
        mara.id,
        "mantelzorgmakelaar",
        "Mara",
    )
    assert again.prev_hash == read.hash and change.prev_hash == again.hash
    assert change.action == AccessAction.CHANGE
    auth.login(carla.email)
    page = client.get("/privacy/inzage").get_data(as_text=True)
    section = page.split("Wie je gegevens heeft ingezien", 1)[1]
    assert "mantelzorgmakelaar" in section and "Mara" in section and "ingezien" in section
    assert f"Hulplijn-vraag {question}" in section
    assert read.hash not in page and "Makelaar" not in section  # first name only, no hashes


def test_staff_reads_of_orders_and_privacy_requests_are_logged(
    client, login_as, make_user, session
):
    carla = make_user(email="carla@example.nl")
    opened = open_request(
        session,
        user_id=carla.id,
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        detail="",
    )
    session.commit()
    login_as(Role.STAFF)
    assert client.get(f"/staff/privacy/{opened.id}").status_code == 200
    assert client.get("/staff/bestellingen/ZG2026-999999").status_code == 404  # nothing to read
    [entry] = entries(session)
    assert (entry.what, entry.subject_id) == (f"privacyverzoek {opened.id}", carla.id)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET what = 'niets'",
        "UPDATE access_log SET subject_id = NULL",  # erasure's change, but without the unlock
        "DELETE FROM access_log",
    ],
)
def test_the_database_refuses_changes_to_the_log(app, session, handled, statement):
    with pytest.raises(sa.exc.DatabaseError, match="alleen toevoegen"):
        session.execute(sa.text(statement))
    session.rollback()
    assert len(entries(session)) == 3


def test_even_unlocked_only_the_link_to_the_person_may_be_emptied(app, session, handled):
    session.add(AccessUnlock())
    session.flush()
    with pytest.raises(sa.exc.DatabaseError, match="alleen toevoegen"):
        session.execute(sa.text("UPDATE access_log SET actor_name = 'Iemand'"))
    session.rollback()


def test_the_chain_holds_and_points_at_the_first_tampered_entry(app, session, runner, handled):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "klopt: 3 regels" in result.output
    first = entries(session)[0]
    # Someone with the database's owner rights goes around the triggers.
    connection = session.connection()
    for statement in DROP_TRIGGERS[connection.dialect.name]:
        connection.exec_driver_sql(statement)
    connection.execute(
        sa.text("UPDATE access_log SET what = 'niets' WHERE id = :id"), {"id": first.id}
    )
    for statement in TRIGGERS[connection.dialect.name]:
        connection.exec_driver_sql(statement)
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"vanaf regel {first.id}: deze regel is gewijzigd" in result.output


def test_a_removed_entry_breaks_the_chain_at_the_next(app, session, handled):
    first, second, _ = entries(session)
    connection = session.connection()
    for statement in DROP_TRIGGERS[connection.dialect.name]:
        connection.exec_driver_sql(statement)
    connection.execute(sa.text("DELETE FROM access_log WHERE id = :id"), {"id": first.id})
    verdict = access.verify(session)
    session.rollback()
    assert verdict.broken_at == second.id and "vorige regel" in verdict.problem


def test_erasure_removes_the_link_and_reason_and_keeps_the_chain(client, auth, session, handled):
    carla, _, question = handled
    auth.login(carla.email)
    erased = client.submit("/privacy/verwijderen", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert erased.status_code == 303, erased.get_data(as_text=True)
    kept = entries(session)
    assert [e.what for e in kept] == [f"Hulplijn-vraag {question}"] * 2 + [
        f"Hulplijn-vraag {question} afgehandeld"
    ]
    assert all(e.subject_id is None and e.subject_salt is None and e.reason is None for e in kept)
    assert access.verify(session).ok
    assert session.execute(sa.text("SELECT count(*) FROM access_log_unlock")).scalar_one() == 0
