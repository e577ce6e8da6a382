"""Password guessing is slowed down per address and client, with a growing, explained delay;
nobody can lock the owner out, and the owner hears of it once per burst (A1)."""

from sqlmodel import col, select

from app.jobs.models import Job
from tests.conftest import DEFAULT_PASSWORD

WRONG = "helemaal niet goed"
WARNING = "Iemand probeert in te loggen op je account"


def attempt(app, ip: str, email: str, password: str = WRONG):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client.submit("/inloggen", {"email": email, "password": password})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(app, make_user):
    make_user(email="anna@example.nl")
    for machine in range(5):
        for _ in range(5):
            assert attempt(app, f"10.0.0.{machine}", "anna@example.nl").status_code == 422
    assert attempt(app, "10.0.0.1", "anna@example.nl").status_code == 429
    owner = attempt(app, "192.0.2.7", "anna@example.nl", DEFAULT_PASSWORD)
    assert owner.status_code == 303 and owner.headers["Location"] == "/account"


def test_the_delay_grows_and_is_explained_in_plain_dutch(app, make_user, time_machine):
    time_machine.move_to("2026-05-04 10:00:00+00:00", tick=False)
    make_user(email="anna@example.nl")
    answers = [attempt(app, "10.0.0.1", "anna@example.nl") for _ in range(5)]
    assert [a.status_code for a in answers] == [422] * 5
    assert "opnieuw proberen" not in text(answers[3])
    assert "Je kunt het over 30 seconden opnieuw proberen." in text(answers[4])

    time_machine.move_to("2026-05-04 10:01:01+00:00", tick=False)
    sixth = attempt(app, "10.0.0.1", "anna@example.nl")
    assert sixth.status_code == 422
    assert "Je kunt het over 1 minuut opnieuw proberen." in text(sixth)
    time_machine.move_to("2026-05-04 10:01:31+00:00", tick=False)
    waiting = attempt(app, "10.0.0.1", "anna@example.nl", DEFAULT_PASSWORD)
    assert waiting.status_code == 429
    assert "Wacht nog 30 seconden en probeer het dan opnieuw." in text(waiting)
    assert int(waiting.headers["Retry-After"]) >= 30
    assert 'value="anna@example.nl"' in text(waiting)  # what was typed stays

    time_machine.move_to("2026-05-04 10:02:02+00:00", tick=False)
    seventh = attempt(app, "10.0.0.1", "anna@example.nl")
    assert "Je kunt het over 2 minuten opnieuw proberen." in text(seventh)
    time_machine.move_to("2026-05-04 10:02:32+00:00", tick=False)
    assert "Wacht nog 2 minuten" in text(attempt(app, "10.0.0.1", "anna@example.nl"))
    time_machine.move_to("2026-05-04 10:03:33+00:00", tick=False)
    assert "Wacht nog 29 seconden" in text(attempt(app, "10.0.0.1", "anna@example.nl"))
    time_machine.move_to("2026-05-04 10:04:03+00:00", tick=False)
    owner_here = attempt(app, "10.0.0.1", "anna@example.nl", DEFAULT_PASSWORD)
    assert owner_here.status_code == 303  # a delay, never a lock


def test_a_successful_login_starts_the_count_afresh(app, make_user, time_machine):
    time_machine.move_to("2026-05-04 10:00:00+00:00", tick=False)
    make_user(email="anna@example.nl")
    for _ in range(4):
        attempt(app, "10.0.0.1", "anna@example.nl")
    assert attempt(app, "10.0.0.1", "anna@example.nl", DEFAULT_PASSWORD).status_code == 303
    time_machine.move_to("2026-05-04 10:01:01+00:00", tick=False)  # past the limit per client
    answer = attempt(app, "10.0.0.1", "anna@example.nl")
    assert answer.status_code == 422 and "opnieuw proberen" not in text(answer)


def test_the_owner_is_told_once_per_burst(app, make_user, outbox, time_machine):
    time_machine.move_to("2026-05-04 10:00:00+00:00", tick=False)
    make_user(email="anna@example.nl", name="Anna de Vries")
    for machine in range(12):
        attempt(app, f"10.0.1.{machine}", "anna@example.nl")
    warnings = [m for m in outbox.messages() if m["Subject"] == WARNING]
    assert [m["To"] for m in warnings] == ["anna@example.nl"]
    body = outbox.text(warnings[0])
    assert "Hallo Anna de Vries" in body and "niet geblokkeerd" in body
    assert "10.0.1." not in body

    time_machine.move_to("2026-05-04 12:00:00+00:00", tick=False)  # later that day: the same attack
    for machine in range(12):
        attempt(app, f"10.0.2.{machine}", "anna@example.nl")
    assert len([m for m in outbox.messages() if m["Subject"] == WARNING]) == 1

    time_machine.move_to("2026-05-05 12:00:00+00:00", tick=False)  # a new burst, the next day
    for machine in range(5):
        attempt(app, f"10.0.3.{machine}", "anna@example.nl")
    assert len([m for m in outbox.messages() if m["Subject"] == WARNING]) == 2


def test_an_unknown_address_is_throttled_alike_and_nobody_is_mailed(
    app, make_user, session, outbox
):
    make_user(email="anna@example.nl")
    for address in ("anna@example.nl", "nooit@example.nl"):
        answers = [attempt(app, f"10.0.2.{i}", address) for i in range(5)]
        assert [a.status_code for a in answers] == [422] * 5
    queued = session.exec(select(Job.kind).order_by(col(Job.id))).all()
    assert queued == ["account.login_warning", "account.login_warning"]
    assert [m["To"] for m in outbox.messages()] == ["anna@example.nl"]
