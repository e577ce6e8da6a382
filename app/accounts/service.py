"""Accounts: registration, login, e-mail verification, password reset and account changes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.accounts.passwords import Hasher, password_problems
from app.audit import service as audit
from app.db import utcnow
from app.mail import service as mail
from app.urls import public_url

VERIFY_MAX_AGE = int(timedelta(hours=24).total_seconds())
RESET_MAX_AGE = int(timedelta(hours=1).total_seconds())
ACTIVITY_GRANULARITY = timedelta(minutes=10)


class FieldError(Exception):
    """Input that breaks a rule; `field` names the form field the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TokenError(Exception):
    """A verification or reset link that cannot be used; `reason` is expired, invalid or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hasher() -> Hasher:
    return current_app.extensions["hasher"]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def register_user(
    session: Session,
    *,
    name: str,
    email: str,
    password: str,
    phone: str | None = None,
    situation: str = "",
    role: Role = Role.CAREGIVER,
    verified: bool = False,
) -> User:
    """Create an account.

    Raises FieldError("email") when the address is taken and FieldError("password") when the
    password breaks a rule.
    """
    email = normalise_email(email)
    problems = password_problems(password, email)
    if problems:
        raise FieldError("password", problems[0])
    if find_by_email(session, email) is not None:
        raise FieldError("email", TAKEN_MESSAGE)
    user = User(
        name=name.strip(),
        email=email,
        phone=(phone or "").strip() or None,
        situation=situation.strip(),
        password_hash=hasher().hash(password),
        role=role.value,
        email_verified_at=utcnow() if verified else None,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Two registrations for the same address at the same moment: the database decides.
        raise FieldError("email", TAKEN_MESSAGE) from None
    audit.record(session, action="account aangemaakt", user_id=user.id)
    return user


TAKEN_MESSAGE = (
    "Er is al een account met dit e-mailadres. Log in, of vraag een nieuw wachtwoord aan als je "
    "het bent vergeten."
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


def load_user(session: Session, user_id: str) -> User | None:
    """The flask-login loader: `<id>:<session version>:<created>`; an old version is logged
    out, and so is a session of an erased account whose number a newer account now has."""
    try:
        raw_id, raw_version, raw_created = user_id.split(":", 2)
        user = session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or str(user.session_version) != raw_version:
        return None
    if user.created_stamp != raw_created:
        return None
    return user


def touch_activity(user: User, now: datetime | None = None) -> bool:
    """Record that the account was used (at most every ten minutes); True when it changed."""
    now = now or utcnow()
    if now - user.last_active_at < ACTIVITY_GRANULARITY:
        return False
    user.last_active_at = now
    return True


# --- signed links -------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"zorggenoot.{purpose}")


def make_token(purpose: str, data: dict) -> str:
    return _serializer(purpose).dumps(data)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError("expired") from None
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(data, dict):
        raise TokenError("invalid")
    return data


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, which makes a reset link single-use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def send_verification(session: Session, user: User) -> None:
    """Mail a 24-hour link that confirms the account's (new) e-mail address."""
    address = user.pending_email or user.email
    token = make_token("verify", {"u": user.id, "e": address})
    mail.send(
        session,
        to=address,
        user_id=user.id,
        subject="Bevestig je e-mailadres",
        template="verify",
        user=user,
        link=public_url("accounts.verify_email", token=token),
        changing=user.pending_email is not None,
    )


def verify_email(session: Session, *, token: str) -> User:
    """Confirm the address in a verification link; raises TokenError (expired, invalid, used)."""
    data = read_token("verify", token, VERIFY_MAX_AGE)
    user = session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None:
        raise TokenError("invalid")
    address = data.get("e")
    if user.pending_email and address == user.pending_email:
        if find_by_email(session, address) is not None:
            raise FieldError("email", TAKEN_MESSAGE)
        old = user.email
        user.email, user.pending_email = address, None
        user.email_verified_at = utcnow()
        audit.record(session, action="e-mailadres gewijzigd", user_id=user.id)
        mail.send(
            session,
            to=old,
            user_id=user.id,
            subject="Je e-mailadres is gewijzigd",
            template="email_changed",
            user=user,
        )
        return user
    if address == user.email and user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(session, action="e-mailadres bevestigd", user_id=user.id)
        return user
    raise TokenError("used")


def start_password_reset(session: Session, *, email: str) -> bool:
    """Mail a one-hour reset link when the address has an account; the caller says the same
    thing either way."""
    user = find_by_email(session, email)
    if user is None:
        return False
    token = make_token("reset", {"u": user.id, "h": _password_fingerprint(user)})
    mail.send(
        session,
        to=user.email,
        user_id=user.id,
        subject="Nieuw wachtwoord instellen",
        template="reset",
        user=user,
        link=public_url("accounts.reset_password", token=token),
    )
    audit.record(session, action="wachtwoordherstel aangevraagd", user_id=user.id)
    return True


def user_for_reset(session: Session, token: str) -> User:
    """The account a reset link belongs to; raises TokenError when it cannot be used."""
    data = read_token("reset", token, RESET_MAX_AGE)
    user = session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None:
        raise TokenError("invalid")
    if data.get("h") != _password_fingerprint(user):
        raise TokenError("used")
    return user


def reset_password(session: Session, *, token: str, password: str) -> User:
    """Set a new password from a reset link; ends every other session of the account.

    Raises TokenError for an unusable link and FieldError("password") for a refused password.
    """
    user = user_for_reset(session, token)
    _set_password(session, user, password, action="wachtwoord hersteld")
    if user.email_verified_at is None:
        # The link reached this mailbox, which proves the address as well.
        user.email_verified_at = utcnow()
    return user


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; ends the account's other sessions."""
    if not hasher().verify(user.password_hash, current):
        raise FieldError("current_password", "Je huidige wachtwoord klopt niet.")
    _set_password(session, user, new, action="wachtwoord gewijzigd")


def _set_password(session: Session, user: User, password: str, *, action: str) -> None:
    problems = password_problems(password, user.email)
    if problems:
        raise FieldError("password", problems[0])
    user.password_hash = hasher().hash(password)
    user.session_version += 1
    audit.record(session, action=action, user_id=user.id)


def request_email_change(session: Session, *, user: User, new_email: str, password: str) -> None:
    """Keep the new address aside and mail it a confirmation link; the old one stays in use
    until the link is followed."""
    if not hasher().verify(user.password_hash, password):
        raise FieldError("password", "Je wachtwoord klopt niet.")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise FieldError("email", "Dit is al je e-mailadres.")
    if find_by_email(session, new_email) is not None:
        raise FieldError("email", "Dit e-mailadres hoort al bij een ander account.")
    user.pending_email = new_email
    audit.record(session, action="nieuw e-mailadres opgegeven", user_id=user.id)
    send_verification(session, user)


def update_details(
    session: Session, *, user: User, name: str, phone: str | None, situation: str
) -> list[str]:
    """Change the name, phone number and situation the caregiver gave; returns what changed."""
    new = {
        "name": name.strip(),
        "phone": (phone or "").strip() or None,
        "situation": situation.strip(),
    }
    changed = [key for key, value in new.items() if getattr(user, key) != value]
    for key in changed:
        setattr(user, key, new[key])
    if changed:
        audit.record(session, action="gegevens gewijzigd", user_id=user.id)
    return changed
