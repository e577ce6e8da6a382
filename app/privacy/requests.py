"""The request log (R8): every right exercised is a row with its one-month due date.

Self-service actions are recorded as done the moment they happen. Requests that reach the
Hulplijn by phone, e-mail or post are recorded by staff, who confirm the caller's identity with a
code sent to the address on the account (never a copy of an ID), act, and close them. An
extension of up to two months is only possible before the due date and only with a reason that is
e-mailed to the person.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.core.formatting import AMSTERDAM
from app.db import id_of, utcnow
from app.forms import FieldError
from app.mail import service as mail
from app.privacy.models import PrivacyRequest, RequestChannel, RequestKind

CODE_VALID = timedelta(minutes=30)
MAX_EXTENSION_MONTHS = 2
REASON_MIN = 10
REASON_MAX = 500


class RequestError(FieldError):
    """An action on a request that the rules do not allow; the message is for the user, shown
    next to `field` when it is about what was typed there."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(field, message)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and Dutch clock time `months` later (31 January + 1 month = 28 or 29
    February). Months are counted on the Dutch calendar also for a moment given in UTC: a
    request of 1 March at 00:30 (28 February 23:30 UTC) is due on 1 April, where counting in
    UTC gave 28 March 23:30 UTC, which is 29 March in the Netherlands."""
    local = moment.astimezone(AMSTERDAM) if moment.tzinfo is not None else moment
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    moved = local.replace(year=year, month=month, day=day)
    return moved.astimezone(moment.tzinfo) if moment.tzinfo is not None else moved


def add_years(moment: datetime, years: int) -> datetime:
    return add_months(moment, 12 * years)


def open_request(
    session: Session,
    *,
    user_id: int | None,
    kind: RequestKind | str,
    channel: RequestChannel | str = RequestChannel.SELF,
    detail: str = "",
    received_at: datetime | None = None,
    handled_by: int | None = None,
) -> PrivacyRequest:
    """Log a request, due a month after it was received. `kind` and `channel` may also be given
    as their values (a feature that does not import the privacy centre sends those with the
    `right_exercised` signal); raises ValueError for one that is not a member."""
    known_kind, known_channel = RequestKind.parse(kind), RequestChannel.parse(channel)
    if known_kind is None or known_channel is None:
        raise ValueError(f"unknown request kind {kind!r} or channel {channel!r}")
    received = received_at or utcnow()
    row = PrivacyRequest(
        user_id=user_id,
        kind=known_kind,
        channel=known_channel,
        detail=detail.strip()[:500],
        received_at=received,
        due_at=add_months(received, 1),
        handled_by=handled_by,
    )
    session.add(row)
    session.flush()
    return row


def complete(
    session: Session, request: PrivacyRequest, *, outcome: str, by: int | None = None
) -> PrivacyRequest:
    request.completed_at = utcnow()
    request.outcome = outcome.strip()[:300]
    if by is not None:
        request.handled_by = by
    session.add(request)
    return request


def record_done(
    session: Session,
    *,
    user_id: int,
    kind: RequestKind | str,
    outcome: str,
    detail: str = "",
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> PrivacyRequest:
    """Log a right exercised and done at once. When staff act on a recorded request, pass it:
    the action is logged as its outcome instead of as a new row."""
    if request is not None:
        note = f"{request.outcome}; {outcome}" if request.outcome else outcome
        request.outcome = note[-300:]
        request.handled_by = by
        session.add(request)
        return request
    row = open_request(session, user_id=user_id, kind=kind, detail=detail, handled_by=by)
    return complete(session, row, outcome=outcome, by=by)


def note_access(session: Session, user_id: int) -> None:
    """Log that the person looked at their data (once a day is enough for the log)."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    seen = session.exec(
        select(PrivacyRequest.id).where(
            PrivacyRequest.user_id == user_id,
            PrivacyRequest.kind == RequestKind.ACCESS,
            PrivacyRequest.channel == RequestChannel.SELF,
            PrivacyRequest.received_at >= today,
        )
    ).first()
    if seen is None:
        record_done(
            session,
            user_id=user_id,
            kind=RequestKind.ACCESS,
            outcome="overzicht getoond in het privacycentrum",
        )


def of_user(session: Session, user_id: int) -> list[PrivacyRequest]:
    return list(
        session.exec(
            select(PrivacyRequest)
            .where(PrivacyRequest.user_id == user_id)
            .order_by(col(PrivacyRequest.received_at).desc(), col(PrivacyRequest.id).desc())
        )
    )


def queue(session: Session) -> list[PrivacyRequest]:
    """Open requests, the most urgent first."""
    rows = session.exec(
        select(PrivacyRequest).where(col(PrivacyRequest.completed_at).is_(None))
    ).all()
    return sorted(rows, key=lambda r: (r.deadline, r.id))


def recently_closed(session: Session, limit: int = 20) -> list[PrivacyRequest]:
    return list(
        session.exec(
            select(PrivacyRequest)
            .where(
                col(PrivacyRequest.completed_at).is_not(None),
                PrivacyRequest.channel != RequestChannel.SELF,
            )
            .order_by(col(PrivacyRequest.completed_at).desc())
            .limit(limit)
        )
    )


def extend(
    session: Session, request: PrivacyRequest, *, months: int, reason: str, by: int
) -> PrivacyRequest:
    """Give ourselves up to two more months, before the due date, telling the person why."""
    reason = reason.strip()
    if not request.is_open:
        raise RequestError("Dit verzoek is al afgehandeld.")
    if request.extended_until is not None:
        raise RequestError("Dit verzoek is al verlengd; verder verlengen mag niet.")
    if utcnow() >= request.due_at:
        raise RequestError(
            "De antwoordtermijn is al voorbij: verlengen kan alleen binnen de eerste maand."
        )
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise RequestError("Verlengen kan met één of twee maanden.", field="months")
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise RequestError(
            f"Schrijf de reden voor de verlenging op ({REASON_MIN} tot {REASON_MAX} tekens); "
            "we sturen die naar de aanvrager.",
            field="reason",
        )
    user = session.get(User, request.user_id) if request.user_id else None
    if user is None:
        raise RequestError("Er is geen account meer om de verlenging aan te melden.")
    request.extended_until = add_months(request.due_at, months)
    request.extension_reason = reason
    mail.send(
        session,
        to=user.email,
        user_id=user.id,
        subject="We hebben meer tijd nodig voor je privacyverzoek",
        template="privacy_extension",
        user=user,
        request=request,
    )
    request.extension_sent_at = utcnow()
    request.handled_by = by
    session.add(request)
    return request


def _code_hash(request_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, f"{request_id}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(session: Session, request: PrivacyRequest) -> None:
    """Mail a six-digit code to the address on the account; the caller reads it out to staff."""
    user = session.get(User, request.user_id) if request.user_id else None
    if user is None:
        raise RequestError("Dit verzoek hoort niet (meer) bij een account.")
    code = f"{secrets.randbelow(1_000_000):06d}"
    request.verify_code_hash = _code_hash(id_of(request), code)
    request.verify_sent_at = utcnow()
    session.add(request)
    mail.send(
        session,
        to=user.email,
        user_id=user.id,
        subject="Je controlecode voor de Hulplijn",
        template="privacy_code",
        user=user,
        code=code,
        minutes=int(CODE_VALID.total_seconds() // 60),
    )


def check_code(session: Session, request: PrivacyRequest, code: str) -> None:
    code = "".join(ch for ch in code if ch.isdigit())
    if request.verify_code_hash is None or request.verify_sent_at is None:
        raise RequestError("Stuur eerst een controlecode.", field="code")
    if utcnow() - request.verify_sent_at > CODE_VALID:
        raise RequestError("Deze code is verlopen. Stuur een nieuwe code.", field="code")
    if not hmac.compare_digest(request.verify_code_hash, _code_hash(id_of(request), code)):
        raise RequestError(
            "Deze code klopt niet. Vraag de beller de code nog eens voor te lezen.", field="code"
        )
    request.verified_at = utcnow()
    request.verify_code_hash = None
    session.add(request)
