"""Single-use links in e-mails: a random key in the link, its hash and purpose in `account_link`.

Nothing can be read from a link (no address, no account number), a link works once, and it
stops working when it expires or when something makes it pointless (a new password ends every
open reset link).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import crypto
from app.accounts.models import AccountLink, LinkPurpose, User
from app.db import utcnow

LIFETIMES = {
    LinkPurpose.REGISTRATION: timedelta(hours=24),
    LinkPurpose.VERIFY: timedelta(hours=24),
    LinkPurpose.RESET: timedelta(hours=1),
}
KEY_LENGTH = 43  # characters of secrets.token_urlsafe(32)


class TokenError(Exception):
    """A link that cannot be used; `reason` is expired, invalid or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(
    session: Session,
    purpose: LinkPurpose,
    *,
    user_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Store a new link and return its key (to put in the URL; it is not stored)."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AccountLink(
            purpose=purpose.value,
            key_hash=_hash(key),
            user_id=user_id,
            payload=crypto.encrypt(json.dumps(data, ensure_ascii=False)) if data else None,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return key


def find(session: Session, key: str, *purposes: LinkPurpose) -> AccountLink:
    """The unused, unexpired link with this key and one of `purposes`; raises TokenError."""
    if not key or len(key) != KEY_LENGTH:
        raise TokenError("invalid")
    link = session.exec(
        select(AccountLink).where(
            col(AccountLink.key_hash) == _hash(key),
            col(AccountLink.purpose).in_([p.value for p in purposes]),
        )
    ).first()
    if link is None:
        raise TokenError("invalid")
    if link.used_at is not None:
        raise TokenError("used")
    if link.expires_at <= utcnow():
        raise TokenError("expired")
    return link


def purpose_of(session: Session, key: str) -> LinkPurpose | None:
    """What a link is for (used or expired too); None for a key we never made."""
    if not key or len(key) != KEY_LENGTH:
        return None
    purpose = session.exec(
        select(AccountLink.purpose).where(col(AccountLink.key_hash) == _hash(key))
    ).first()
    return LinkPurpose(purpose) if purpose else None


def data(link: AccountLink) -> dict[str, Any]:
    return json.loads(crypto.decrypt(link.payload)) if link.payload else {}


def use(link: AccountLink, *, user_id: int | None = None) -> None:
    """Mark the link used; what it carried is no longer needed and goes."""
    link.used_at = utcnow()
    link.payload = None
    if user_id is not None:
        link.user_id = user_id


def use_all(session: Session, purpose: LinkPurpose, user: User) -> None:
    """Mark every open link of this purpose for the account used (a new password was set)."""
    session.execute(
        sa.update(AccountLink)
        .where(
            col(AccountLink.user_id) == user.id,
            col(AccountLink.purpose) == purpose.value,
            col(AccountLink.used_at).is_(None),
        )
        .values(used_at=utcnow(), payload=None)
    )
