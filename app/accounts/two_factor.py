"""The second step of logging in (TOTP, RFC 6238) for staff and administrators.

Enrolment stores a new secret (encrypted); it counts once the person typed a code from their
app, and then they get ten recovery codes, shown once and kept only as hashes. A code works once:
the time step of the last accepted code is stored and no code of that step or an earlier one is
taken again. Whether this browser passed the second step is kept in the login session (Flask's
session, which is cleared at every login and logout).
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

import pyotp
import segno
from flask import session as browser
from sqlmodel import Session, col, select

from app import crypto, db
from app.accounts import service
from app.accounts.models import RecoveryCode, Role, TwoFactor, User
from app.audit import service as audit
from app.db import utcnow

ISSUER = "Zorggenoot"
NEEDED_BY = (Role.STAFF, Role.ADMIN)
RECOVERY_COUNT = 10
PASSED = "second_step"  # key in Flask's session: the account id that passed the second step
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def needed(user: User) -> bool:
    return user.has_role(*NEEDED_BY)


def passed(user: User) -> bool:
    return browser.get(PASSED) == user.id


def mark_passed(user: User) -> None:
    browser[PASSED] = user.id


def credential(session: Session, user: User) -> TwoFactor | None:
    return session.get(TwoFactor, user.id)


def enrolled(session: Session, user: User) -> bool:
    found = credential(session, user)
    return found is not None and found.confirmed_at is not None


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str

    @property
    def grouped(self) -> str:
        """The secret in groups of four, to type into an app by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def enrolment(session: Session, user: User) -> Enrolment:
    """The pending secret of `user` (created on first call), as a link and a QR code."""
    found = credential(session, user)
    if found is None or found.confirmed_at is not None:
        found = found or TwoFactor(user_id=db.id_of(user), secret="")
        found.secret = crypto.encrypt(pyotp.random_base32())
        found.confirmed_at = None
        found.last_step = 0
        session.add(found)
        session.flush()
    secret = crypto.decrypt(found.secret)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, dark="#1a1a1a", light="#ffffff", title="QR-code voor je app")
    return Enrolment(secret, uri, svg)


def _step_of(secret: str, code: str) -> int | None:
    """The time step whose code is `code` (now, or one step before or after), or None."""
    totp = pyotp.TOTP(secret)
    now = utcnow()
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _digits(code: str) -> str:
    """What was typed without spaces, with other digits (such as full-width ones) as 0-9."""
    return "".join(unicodedata.normalize("NFKC", code).split())


def _check_totp(found: TwoFactor, code: str) -> bool:
    typed = _digits(code)
    step = _step_of(crypto.decrypt(found.secret), typed) if typed.isascii() else None
    if step is None or step <= found.last_step:
        return False
    found.last_step = step
    return True


def confirm(session: Session, user: User, code: str) -> list[str] | None:
    """Finish enrolment with a first code; returns the new recovery codes, or None."""
    found = credential(session, user)
    if found is None or found.confirmed_at is not None or not _check_totp(found, code):
        return None
    return _confirmed(session, user, found)


def _confirmed(session: Session, user: User, found: TwoFactor) -> list[str]:
    found.confirmed_at = utcnow()
    session.add(found)
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_COUNT)]
    for plain in codes:
        session.add(RecoveryCode(user_id=db.id_of(user), code_hash=service.hasher().hash(plain)))
    audit.record(session, action="tweestapsverificatie ingesteld", user_id=user.id)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def verify(session: Session, user: User, code: str) -> bool:
    """Check a code from the app, or an unused recovery code (which is then used up)."""
    found = credential(session, user)
    if found is None or found.confirmed_at is None:
        return False
    typed = _digits(code).replace("-", "").lower()
    if not typed.isascii():
        return False
    if typed.isdigit():
        ok = _check_totp(found, typed)
        session.add(found)
        return ok
    unused = session.exec(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None))
        .order_by(col(RecoveryCode.id))
    ).all()
    for row in unused:
        if service.hasher().verify(row.code_hash, typed):
            row.used_at = utcnow()
            session.add(row)
            audit.record(session, action="ingelogd met een herstelcode", user_id=user.id)
            return True
    return False


def recovery_codes_left(session: Session, user: User) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def enrol_with(session: Session, user: User, secret: str) -> list[str]:
    """Enrol `user` with a known secret (the demo accounts); returns the recovery codes."""
    found = credential(session, user) or TwoFactor(user_id=db.id_of(user), secret="")
    found.secret = crypto.encrypt(secret)
    found.confirmed_at = None
    found.last_step = 0
    return _confirmed(session, user, found)


def reset(session: Session, user: User, *, by: User) -> bool:
    """Remove the app and recovery codes of `user` (lost phone): at the next login they set up
    a new app. False when there was nothing to remove."""
    found = credential(session, user)
    if found is None:
        return False
    session.delete(found)
    for row in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    audit.record(
        session, action="tweede inlogstap opnieuw in te stellen", user_id=user.id, actor_id=by.id
    )
    return True
