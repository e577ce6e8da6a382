"""E-mail: every message is queued in the caller's transaction and sent by the job worker.

Sending happens over SMTP when SMTP_URL is set, otherwise as .eml files in the outbox folder
(development). Messages have a plain-text and an HTML part, both rendered from
`templates/email/<name>.txt` and `<name>.html` when they are queued. A request never talks to the
mail server, so a mail server that is down costs no account, order confirmation or privacy
answer: the worker keeps trying for 72 hours. Transactional mail never carries a tracking pixel
or tracked link.
"""

from __future__ import annotations

import base64
import email
import email.policy
import logging
import os
import secrets
import smtplib
import ssl
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, render_template
from sqlmodel import Session

from app.content import store as content
from app.db import utcnow
from app.jobs import service as jobs

log = logging.getLogger(__name__)

KIND = "mail"
KEEP_TRYING = timedelta(hours=72)


class MailError(Exception):
    """The message could not be handed to the mail server (the worker tries again later)."""


def build_message(*, to: str, subject: str, template: str, **context: Any) -> EmailMessage:
    """Render `templates/email/<template>.txt|.html` into a two-part message to `to`."""
    site = content.site()
    org = site.organisation
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = Address(org.name, addr_spec=org.email)
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=org.email.split("@", 1)[1])
    context.setdefault("site", site)
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return message


def send(
    session: Session,
    *,
    to: str,
    subject: str,
    template: str,
    user_id: int | None = None,
    **context: Any,
) -> EmailMessage:
    """Render a message and queue it in the caller's transaction; it goes out once the caller
    commits and the worker runs. `user_id` names the account it is about, so erasing that
    account also removes the message while it still waits."""
    message = build_message(to=to, subject=subject, template=template, **context)
    jobs.enqueue(
        session,
        KIND,
        {"eml": base64.b64encode(message.as_bytes()).decode("ascii"), "template": template},
        user_id=user_id,
    )
    return message


def _deliver(_session: Session, payload: dict) -> None:
    """The worker's part: hand one queued message to the mail server (or the outbox)."""
    message = email.message_from_bytes(
        base64.b64decode(payload["eml"]), _class=EmailMessage, policy=email.policy.default
    )
    deliver_now(message, payload["template"])


def deliver_now(message: EmailMessage, template: str) -> None:
    """Hand a message to the mail server (or the outbox) at once, for work that is itself
    queued and must know whether it arrived (a message to a partner). Raises MailError."""
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:
        deliver_smtp(smtp_url, message)
    else:
        try:
            _write_outbox(Path(current_app.config["OUTBOX_DIR"]), message, template)
        except OSError as exc:
            raise MailError(type(exc).__name__) from exc


def deliver_smtp(url: str, message: EmailMessage) -> None:
    """Send over SMTP; raises MailError when the server cannot be reached or refuses."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    timeout = 20
    try:
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
        with server:
            if parts.scheme == "smtp+starttls":
                server.starttls(context=ssl.create_default_context())
            if parts.username:
                server.login(unquote(parts.username), unquote(parts.password or ""))
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # Log the failure without the recipient: the log must not become a list of addresses.
        log.error("mail could not be sent: %s", type(exc).__name__)
        raise MailError(str(type(exc).__name__)) from exc


def _write_outbox(outbox: Path, message: EmailMessage, template: str) -> Path:
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{template}-{secrets.token_hex(3)}.eml"
    path = outbox / name
    # Written under a name the outbox does not list, then renamed: a process killed halfway
    # leaves no half message among the sent ones.
    partial = outbox / f".{name}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(bytes(message))
    os.replace(partial, path)
    return path


def forget_address(address: str) -> int:
    """Development only: delete the outbox files sent to `address` (after an erasure, the
    outbox must not keep what the person's account no longer holds). Returns how many."""
    outbox = Path(current_app.config["OUTBOX_DIR"])
    if current_app.config.get("SMTP_URL") or not outbox.is_dir():
        return 0
    removed = 0
    wanted = address.strip().casefold()
    for path in outbox.glob("*.eml"):
        with path.open("rb") as handle:
            headers = email.message_from_binary_file(handle, policy=email.policy.default)
        if str(headers.get("To", "")).strip().casefold() == wanted:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def init_app(app: Flask) -> None:
    jobs.register_kind(app, jobs.JobKind(KIND, _deliver, give_up_after=KEEP_TRYING))
