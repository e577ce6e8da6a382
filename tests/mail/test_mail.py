"""E-mail (E1): the outbox in development, real SMTP when SMTP_URL is set."""

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from app.mail import service as mail
from tests.conftest import build_app


def test_without_smtp_url_mail_lands_in_the_outbox(app, outbox):
    with app.app_context():
        mail.send(
            to="anna@example.nl",
            subject="Proef",
            template="email_changed",
            user=type("U", (), {"name": "Anna", "email": "anna@example.nl"})(),
        )
    message = outbox.last()
    assert message["To"] == "anna@example.nl"
    assert message["From"] == "Zorggenoot <info@zorggenoot.nl>"
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None


def test_transactional_mail_has_no_tracking(app, outbox, client):
    client.submit(
        "/registreren",
        {
            "name": "Anna",
            "email": "anna@example.nl",
            "situation": "Zorg voor mijn vader.",
            "password": "een lange zin als wachtwoord",
            "password_confirm": "een lange zin als wachtwoord",
        },
    )
    html = outbox.last().get_body(preferencelist=("html",)).get_content()
    assert "<img" not in html
    links = [part.split('"')[0] for part in html.split('href="')[1:]]
    assert links and all(link.startswith("http://localhost/bevestigen/") for link in links)


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


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_mail_goes_through_a_real_smtp_server(tmp_path, database_url, smtp_server):
    controller, handler = smtp_server
    app = build_app(
        tmp_path, database_url, SMTP_URL=f"smtp://{controller.hostname}:{controller.port}"
    )
    client = app.test_client()
    from tests.conftest import Client

    client.__class__ = Client
    client.submit(
        "/registreren",
        {
            "name": "Anna",
            "email": "anna@example.nl",
            "situation": "Zorg voor mijn vader.",
            "password": "een lange zin als wachtwoord",
            "password_confirm": "een lange zin als wachtwoord",
        },
    )
    deadline = time.monotonic() + 5
    while not handler.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(handler.messages) == 1
    received = handler.messages[0]
    assert received["To"] == "anna@example.nl"
    assert received["Subject"] == "Bevestig je e-mailadres"
    assert not (tmp_path / "instance" / "outbox").exists()
    app.extensions["db_engine"].dispose()


def test_unreachable_smtp_server_raises_mail_error(tmp_path, database_url):
    app = build_app(tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    with app.app_context(), pytest.raises(mail.MailError):
        mail.send(
            to="anna@example.nl",
            subject="Proef",
            template="email_changed",
            user=type("U", (), {"name": "Anna", "email": "anna@example.nl"})(),
        )
    app.extensions["db_engine"].dispose()
