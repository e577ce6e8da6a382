"""Sending e-mail: over SMTP when SMTP_URL is set, otherwise as .eml files in the outbox folder.

Messages have a plain-text and an HTML part, both rendered from `templates/email/<name>.txt`
and `<name>.html`. Transactional mail never carries a tracking pixel or tracked link.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template

from app.db import utcnow

log = logging.getLogger(__name__)


class MailError(Exception):
    """The message could not be handed to the mail server."""


def build_message(*, to: str, subject: str, template: str, **context: Any) -> EmailMessage:
    """Render `templates/email/<template>.txt|.html` into a two-part message to `to`."""
    site = current_app.extensions["site"]
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


def send(*, to: str, subject: str, template: str, **context: Any) -> EmailMessage:
    """Build and deliver one message; raises MailError when the SMTP server refuses it."""
    message = build_message(to=to, subject=subject, template=template, **context)
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:
        _send_smtp(smtp_url, message)
    else:
        _write_outbox(Path(current_app.config["OUTBOX_DIR"]), message, template)
    return message


def _send_smtp(url: str, message: EmailMessage) -> None:
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
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{template}-{secrets.token_hex(3)}.eml"
    path = outbox / name
    path.write_bytes(bytes(message))
    return path
