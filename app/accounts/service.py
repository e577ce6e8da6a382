"""Accounts: creating them, logging in, changing the password and details, and warning the
owner about failed logins.

Registration, password reset and confirming an address, which must look the same for every
address, are in `registration.py`, `reset.py` and `verification.py`; login sessions in
`sessions.py`, single-use links in `links.py`, slowing down guessing in `throttle.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts import links, sessions, throttle
from app.accounts.addresses import normalise_email
from app.accounts.links import TokenError
from app.accounts.models import LinkPurpose, Role, User
from app.accounts.passwords import Hasher, password_problems
from app.audit import service as audit
from app.db import utcnow
from app.forms import FieldError
from app.jobs import service as jobs
from app.mail import service as mail
from app.urls import public_url

ACTIVITY_GRANULARITY = timedelta(minutes=10)
# Notices to an address's owner ("someone tried to register with your address") go out at
# most this often per address, so they cannot be used to flood a mailbox.
NOTICE_EVERY = 60 * 60

__all__ = ["FieldError", "TokenError", "normalise_email"]


TAKEN_MESSAGE = (
    "Er is al een account met dit e-mailadres. Log in, of vraag een nieuw wachtwoord aan als je "
    "het bent vergeten."
)


def hasher() -> Hasher:
    return current_app.extensions["hasher"]


def find_by_email(session: Session, email: str) -> User | None:
    """The account with this address, however it was written (see `addresses`)."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_account(
    session: Session,
    *,
    name: str,
    email: str,
    password_hash: str,
    phone: str | None = None,
    role: Role = Role.CAREGIVER,
    verified: bool = False,
) -> User:
    """Store a new account; raises FieldError("email") when the address is taken."""
    email = normalise_email(email)
    if find_by_email(session, email) is not None:
        raise FieldError("email", TAKEN_MESSAGE)
    user = User(
        name=name.strip(),
        email=email,
        phone=(phone or "").strip() or None,
        password_hash=password_hash,
        role=role.value,
        email_verified_at=utcnow() if verified else None,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Two accounts for the same address at the same moment: the database decides.
        raise FieldError("email", TAKEN_MESSAGE) from None
    audit.record(session, action="account aangemaakt", user_id=user.id)
    return user


def register_user(
    session: Session,
    *,
    name: str,
    email: str,
    password: str,
    phone: str | None = None,
    role: Role = Role.CAREGIVER,
    verified: bool = False,
) -> User:
    """Create an account at once (demo accounts, staff tools, tests; visitors register through
    `registration.request_registration`).

    Raises FieldError("email") when the address is taken and FieldError("password") when the
    password breaks a rule.
    """
    problems = password_problems(password, normalise_email(email))
    if problems:
        raise FieldError("password", problems[0])
    return create_account(
        session,
        name=name,
        email=email,
        password_hash=hasher().hash(password),
        phone=phone,
        role=role,
        verified=verified,
    )


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """Return the account when the password fits, else None.

    An unknown address costs the same hashing time as a wrong password, and the caller gives
    both the same answer, so the login form does not reveal who has an account.
    """
    user = find_by_email(session, email)
    ok = hasher().verify(user.password_hash if user else None, password)
    if user is None:
        return None
    if not ok:
        audit.record(session, action="inloggen mislukt", user_id=user.id)
        return None
    if hasher().needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    audit.record(session, action="ingelogd", user_id=user.id)
    return user


@dataclass(frozen=True)
class LoginAttempt:
    """How a login went: `user` when it worked; `wait` seconds when it was refused unchecked
    (this client tried this address too often); `try_again_in` seconds this client now waits
    after a failure (0: at once)."""

    user: User | None
    wait: int = 0
    try_again_in: int = 0


def log_in(session: Session, *, email: str, password: str, client: str) -> LoginAttempt:
    """Check a login from `client` (an IP address), slowed down per address and client and
    warning the owner of an address under attack (see `throttle`). The caller commits."""
    address = normalise_email(email)
    wait = throttle.wait_seconds(address, client)
    if wait:
        return LoginAttempt(None, wait=wait)
    user = authenticate(session, email=address, password=password)
    if user is not None:
        throttle.succeeded(address, client)
        return LoginAttempt(user)
    failure = throttle.failed(address, client)
    if failure.warn_owner:
        queue_login_warning(session, email=address)
    return LoginAttempt(None, try_again_in=failure.wait)


def touch_activity(user: User, now: datetime | None = None) -> bool:
    """Record that the account was used (at most every ten minutes); True when it changed."""
    now = now or utcnow()
    if now - user.last_active_at < ACTIVITY_GRANULARITY:
        return False
    user.last_active_at = now
    return True


# --- telling the owner about failed logins ---------------------------------------------------

LOGIN_WARNING = "account.login_warning"


def queue_login_warning(session: Session, *, email: str) -> None:
    """Queue a warning about many failed logins on `email`; the worker looks up whether it
    has an account, so the request does the same for every address."""
    jobs.enqueue(session, LOGIN_WARNING, {"email": normalise_email(email)})


def send_login_warning(session: Session, payload: dict) -> None:
    """The worker's part: tell the owner (if there is one) that someone is guessing."""
    user = find_by_email(session, payload["email"])
    if user is None:
        return
    audit.record(session, action="veel mislukte inlogpogingen", user_id=user.id)
    mail.send(
        session,
        to=user.email,
        user_id=user.id,
        subject="Iemand probeert in te loggen op je account",
        template="login_warning",
        user=user,
        forgot=public_url("accounts.forgot_password"),
    )


# --- changing password, address and details ---------------------------------------------------


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; logs out the account's other
    devices (this one stays logged in)."""
    if not hasher().verify(user.password_hash, current):
        raise FieldError("current_password", "Je huidige wachtwoord klopt niet.")
    set_password(session, user, new, action="wachtwoord gewijzigd")
    sessions.end_others(session, user)


def set_password(session: Session, user: User, password: str, *, action: str) -> None:
    """Store a new password; open reset links stop working. Raises FieldError("password")."""
    problems = password_problems(password, user.email)
    if problems:
        raise FieldError("password", problems[0])
    user.password_hash = hasher().hash(password)
    links.use_all(session, LinkPurpose.RESET, user)
    audit.record(session, action=action, user_id=user.id)


def update_details(session: Session, *, user: User, name: str, phone: str | None) -> list[str]:
    """Change the name and phone number the caregiver gave; returns what changed."""
    new = {
        "name": name.strip(),
        "phone": (phone or "").strip() or None,
    }
    changed = [key for key, value in new.items() if getattr(user, key) != value]
    for key in changed:
        setattr(user, key, new[key])
    if changed:
        audit.record(session, action="gegevens gewijzigd", user_id=user.id)
    return changed
