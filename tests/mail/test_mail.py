"""E-mail (E1): queued in the request's transaction, sent by the worker; the outbox folder in
development, a real SMTP server when SMTP_URL is set, and nothing lost while it is down."""

import os
import socket
import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import select

from app import db
from app.accounts.models import AccountLink
from app.db import utcnow
from app.jobs import service as jobs
from app.jobs.models import Job, JobStatus
from app.mail import service as mail
from tests.conftest import Client, Outbox, build_app, confirm_registration

REGISTRATION = {
    "name": "Anna",
    "email": "anna@example.nl",
    "password": "een lange zin als wachtwoord",
    "password_confirm": "een lange zin als wachtwoord",
}


def _someone():
    return type("U", (), {"name": "Anna", "email": "anna@example.nl"})()


def test_without_smtp_url_mail_lands_in_the_outbox(app, outbox):
    with app.app_context():
        mail.send(
            db.session(),
            to="anna@example.nl",
            subject="Proef",
            template="email_changed",
            user=_someone(),
        )
        db.session().commit()
    message = outbox.last()
    assert message["To"] == "anna@example.nl"
    assert message["From"] == "Zorggenoot <info@zorggenoot.nl>"
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    files = list(outbox.folder.glob("*.eml"))
    assert [stat.S_IMODE(os.stat(path).st_mode) for path in files] == [0o600]
    assert stat.S_IMODE(os.stat(outbox.folder).st_mode) == 0o700


def test_nothing_is_queued_when_the_transaction_is_rolled_back(app, outbox):
    with app.app_context():
        mail.send(
            db.session(), to="a@example.nl", subject="x", template="email_changed", user=_someone()
        )
        db.session().rollback()
    assert outbox.messages() == []


def test_the_queued_message_is_encrypted_and_gone_once_sent(app, session, outbox):
    with app.app_context():
        mail.send(
            db.session(),
            to="geheim@example.nl",
            subject="Proef",
            template="email_changed",
            user=_someone(),
        )
        db.session().commit()
    raw = session.exec(select(Job.payload)).one()
    assert "geheim@example.nl" not in raw and "Proef" not in raw
    assert len(outbox.messages()) == 1
    assert session.exec(select(Job)).all() == []


def test_transactional_mail_has_no_tracking(app, outbox, client):
    client.submit("/registreren", REGISTRATION)
    html = outbox.last().get_body(preferencelist=("html",)).get_content()
    assert "<img" not in html
    links = [part.split('"')[0] for part in html.split('href="')[1:]]
    assert links and all(link.startswith("http://localhost/account-bevestigen/") for link in links)


class Collector(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp(port: int):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp_app(tmp_path, database_url, smtp_port):
    app = build_app(tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    app.test_client_class = Client
    yield app
    app.extensions["db_engine"].dispose()


def test_mail_goes_through_a_real_smtp_server_and_the_request_never_talks_to_it(
    smtp_app, smtp_port
):
    controller, handler = start_smtp(smtp_port)
    try:
        smtp_app.test_client().submit("/registreren", REGISTRATION)
        # The request queued the registration; nothing reached the server yet.
        assert handler.messages == []
        with smtp_app.app_context():
            report = jobs.run_due()
        assert report.done == 2  # the registration, then the message it queued
        assert len(handler.messages) == 1
        received = handler.messages[0]
        assert received["To"] == "anna@example.nl"
        assert received["Subject"] == "Bevestig je e-mailadres"
        assert not os.path.exists(smtp_app.config["OUTBOX_DIR"])
    finally:
        controller.stop()


def test_a_mail_server_that_is_down_loses_nothing(smtp_app, smtp_port, session):
    """Registration works while the mail server is down; the worker keeps the message and
    delivers it, once, when the server is back."""
    response = smtp_app.test_client().submit("/registreren", REGISTRATION)
    assert response.status_code == 200

    with smtp_app.app_context():
        report = jobs.run_due()
    assert (report.done, report.retried) == (1, 1)  # registration kept, its message waits
    assert session.exec(select(AccountLink)).one()
    job = session.exec(select(Job)).one()
    assert job.attempts == 1 and job.last_error == "MailError"
    assert job.run_after > utcnow()

    controller, handler = start_smtp(smtp_port)
    try:
        with smtp_app.app_context():
            assert jobs.run_due().done == 0  # not due yet: it waits for its retry time
        later = time_machine.travel(utcnow() + timedelta(minutes=1), tick=False)
        with later, smtp_app.app_context():
            assert jobs.run_due().done == 1
            assert jobs.run_due().done == 0
        assert [m["Subject"] for m in handler.messages] == ["Bevestig je e-mailadres"]
    finally:
        controller.stop()
    assert session.exec(select(Job)).all() == []


def test_a_message_is_given_up_after_72_hours_and_stays_visible(smtp_app, session):
    smtp_app.test_client().submit("/registreren", REGISTRATION)
    start = utcnow()
    for hours in (0, 1, 24, 71, 73):
        with (
            time_machine.travel(start + timedelta(hours=hours), tick=False),
            smtp_app.app_context(),
        ):
            jobs.run_due()
    job = session.exec(select(Job)).one()
    assert job.status is JobStatus.FAILED
    assert job.attempts == 5
    with smtp_app.app_context():
        assert jobs.counts(db.session()) == {"mail failed": 1}


def test_two_workers_never_take_the_same_job(app, session, outbox):
    with app.app_context():
        mail.send(
            db.session(), to="a@example.nl", subject="x", template="email_changed", user=_someone()
        )
        db.session().commit()
        engine = db.engine()
        first = jobs._claim(engine, "worker-1", utcnow())
        second = jobs._claim(engine, "worker-2", utcnow())
    assert first is not None and second is None
    assert session.exec(select(Job.locked_by)).one() == "worker-1"
    # A worker that died: its lock runs out and another worker takes the job.
    later = time_machine.travel(utcnow() + jobs.LOCK_FOR + timedelta(seconds=1), tick=False)
    with later, app.app_context():
        assert jobs.run_due().done == 1
    assert len(outbox.messages()) == 1


def test_erasing_an_account_removes_its_queued_mail_and_its_outbox_files(app, client, session):
    client.submit("/registreren", REGISTRATION)
    outbox = Outbox(app)
    confirm_registration(client, outbox, REGISTRATION["password"])
    assert len(outbox.messages()) == 1  # the verification mail, delivered to the outbox
    client.submit(
        "/account/e-mailadres",
        {"email": "anna.nieuw@example.nl", "password": REGISTRATION["password"]},
    )  # its confirmation is queued, not delivered yet
    assert session.exec(select(sa.func.count()).select_from(Job)).one() == 1
    client.submit(
        "/privacy/verwijderen",
        {"password": REGISTRATION["password"], "confirm": "y"},
    )
    jobs_left = session.exec(select(Job)).all()
    assert len(jobs_left) == 1 and jobs_left[0].user_id is None  # only the confirmation
    messages = outbox.messages()
    assert [m["Subject"] for m in messages] == ["Je account is verwijderd"]


def test_the_worker_command_reports_what_it_did(app, runner, outbox):
    with app.app_context():
        mail.send(
            db.session(), to="a@example.nl", subject="x", template="email_changed", user=_someone()
        )
        db.session().commit()
    result = runner.invoke(args=["jobs", "status"])
    assert "mail pending: 1" in result.output
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and "1 gedaan" in result.output
    assert "leeg" in runner.invoke(args=["jobs", "status"]).output
