"""How a message travels to a partner: a signed JSON POST to its HTTPS address, or an e-mail
handed to the mail server (the outbox in development). Either raises DeliveryError, in Dutch
and without personal data, when the message did not arrive."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from flask import current_app

from app.mail import service as mail
from app.shop.catalogue import FIELD_NAMES, Partner

# Seconds to connect and to wait for an answer: a slow partner never holds up the worker long
# (PARTNER_TIMEOUT_SECONDS changes the second, for tests).
CONNECT_TIMEOUT = 3.05
ANSWER_TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Zorggenoot-Signature"
TIMESTAMP_HEADER = "X-Zorggenoot-Timestamp"
KEY_HEADER = "Idempotency-Key"
# A signing secret shorter than this is refused: it could be guessed.
MIN_SECRET_LENGTH = 32


class DeliveryError(Exception):
    """A try that did not arrive; the text (Dutch, no personal data) is shown to staff."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp`, a dot and the body, as hex: what a partner recomputes."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post(partner: Partner, key: str, body: dict) -> None:
    """POST `body` as JSON to the partner's address, signed with its secret, with `key` as the
    idempotency key. Raises DeliveryError unless the partner answered 2xx in time."""
    url = partner.endpoint or ""
    if current_app.config.get("APP_ENV") == "production" and urlsplit(url).scheme != "https":
        raise DeliveryError("het adres van de partner is geen https-adres")
    secret = current_app.config.get("PARTNER_SECRETS", {}).get(partner.secret_variable)
    if not secret:
        raise DeliveryError(f"de geheime sleutel ontbreekt ({partner.secret_variable})")
    if len(secret) < MIN_SECRET_LENGTH:
        raise DeliveryError(
            f"de geheime sleutel is te kort ({partner.secret_variable}: minstens "
            f"{MIN_SECRET_LENGTH} tekens)"
        )
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        KEY_HEADER: key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: "sha256=" + signature(secret, timestamp, raw),
    }
    timeout = (CONNECT_TIMEOUT, current_app.config.get("PARTNER_TIMEOUT_SECONDS", ANSWER_TIMEOUT))
    # Imported by the worker's first delivery, not at every start of the site.
    import requests

    try:
        with requests.post(
            url, data=raw, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            status = response.status_code
    except requests.Timeout as error:
        raise DeliveryError("geen antwoord van de partner binnen de wachttijd") from error
    except requests.RequestException as error:
        raise DeliveryError("de partner was niet bereikbaar") from error
    if not 200 <= status < 300:
        raise DeliveryError(f"de partner antwoordde met foutcode {status}")


def send_mail(partner: Partner, body: dict) -> None:
    """Mail `body` in plain words to the partner's address, at once (not through the mail
    queue: the delivery itself is the queued work). Raises DeliveryError when it failed."""
    subject = (
        f"Bestelling {body['bestelling']} via Zorggenoot"
        if body["soort"] == "bestelling"
        else f"Bericht over je klantgegevens: {body['betekenis']}"
    )
    built = mail.build_message(
        to=partner.delivery_email or "",
        subject=subject,
        template="partner_delivery",
        partner=partner,
        body=body,
        field_label=lambda name: FIELD_NAMES.get(name, name),
    )
    built[KEY_HEADER] = str(body["kenmerk"])
    try:
        mail.deliver_now(built, "partner_delivery")
    except mail.MailError as error:
        raise DeliveryError("de e-mail aan de partner kon niet worden verstuurd") from error
