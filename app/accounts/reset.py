"""Password reset that tells nobody who has an account.

The request queues one job with the address, whatever it is, and always shows the same page;
the worker looks the address up and, only when it has an account, mails a one-hour,
single-use link. A mail server that is down delays the mail and fails nothing.
"""

from __future__ import annotations

from sqlmodel import Session

from app.accounts import links, sessions
from app.accounts.addresses import normalise_email
from app.accounts.links import TokenError
from app.accounts.models import LinkPurpose, User
from app.accounts.service import find_by_email, set_password
from app.audit import service as audit
from app.db import utcnow
from app.jobs import service as jobs
from app.mail import service as mail
from app.urls import public_url

KIND = "account.reset"


def request_password_reset(session: Session, *, email: str) -> None:
    """Queue a reset for `email` (the caller commits); the same work for every address."""
    jobs.enqueue(session, KIND, {"email": normalise_email(email)})


def send_reset(session: Session, payload: dict) -> None:
    """The worker's part: mail a reset link when the address has an account."""
    user = find_by_email(session, payload["email"])
    if user is None:
        return
    key = links.create(session, LinkPurpose.RESET, user_id=user.id)
    mail.send(
        session,
        to=user.email,
        user_id=user.id,
        subject="Nieuw wachtwoord instellen",
        template="reset",
        user=user,
        link=public_url("accounts.reset_password", token=key),
    )
    audit.record(session, action="wachtwoordherstel aangevraagd", user_id=user.id)


def user_for_reset(session: Session, key: str) -> User:
    """The account a reset link belongs to; raises TokenError when it cannot be used."""
    link = links.find(session, key, LinkPurpose.RESET)
    user = session.get(User, link.user_id) if link.user_id else None
    if user is None:
        raise TokenError("invalid")
    return user


def reset_password(session: Session, *, key: str, password: str) -> User:
    """Set a new password from a reset link; every session of the account ends.

    Raises TokenError for an unusable link and FieldError("password") for a refused password.
    """
    user = user_for_reset(session, key)
    set_password(session, user, password, action="wachtwoord hersteld")
    sessions.end_all(session, user)
    if user.email_verified_at is None:
        # The link reached this mailbox, which proves the address as well.
        user.email_verified_at = utcnow()
    return user
