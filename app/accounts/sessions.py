"""Login sessions: one row per device, so logging out there ends that device's cookies on the
server, and a password change or reset can end all the others.

flask-login keeps `User.get_id()` in the session cookie and, with "Ingelogd blijven", in the
remember-me cookie. That id is the random key of a row here (the row stores only its SHA-256),
so both cookies stop working the moment the row is gone, wherever a copy of them is. Erasing an
account removes its rows, so a copy of its cookies opens nothing, not even a later account that
got the same number.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.accounts.models import LOGIN_KEY, LOGIN_SESSION, AccountSession, User
from app.db import utcnow

# Without "Ingelogd blijven" a session ends after this long without activity; with it, it
# ends this long after logging in (the remember-me cookie lives as long). Never longer than
# LONGEST (the retention rule in the registry counts on that).
IDLE = timedelta(hours=12)
REMEMBERED = timedelta(days=30)
LONGEST = timedelta(days=30)
# How often the last activity is written (one write per device per ten minutes at most).
SEEN_GRANULARITY = timedelta(minutes=10)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, user: User, *, remember: bool, user_agent: str = "") -> AccountSession:
    """Open a login session for `user` on one device; `user.get_id()` then returns its key.

    Sessions of this account that ran out are removed on the way."""
    now = utcnow()
    session.execute(
        sa.delete(AccountSession).where(
            col(AccountSession.user_id) == user.id, col(AccountSession.expires_at) <= now
        )
    )
    if user.id is None:
        raise ValueError("an account is stored before anyone logs in to it")
    key = secrets.token_urlsafe(32)
    row = AccountSession(
        user_id=user.id,
        key_hash=_hash(key),
        remember=remember,
        device=describe_device(user_agent),
        created_at=now,
        last_seen_at=now,
        expires_at=now + (REMEMBERED if remember else IDLE),
    )
    session.add(row)
    session.flush()
    _attach(user, key, row)
    return row


def _attach(user: User, key: str, row: AccountSession) -> None:
    info = sa.inspect(user).info
    info[LOGIN_KEY] = key
    info[LOGIN_SESSION] = row


def current(user: User) -> AccountSession | None:
    """The login session `user` was loaded through in this request (None for another object)."""
    return sa.inspect(user).info.get(LOGIN_SESSION)


# Asked on every request of someone logged in: built once, as building a statement costs more
# than running it (bench/logged_in_bench.py).
LIVE_SESSION = (
    select(AccountSession, User)
    .join(User, col(User.id) == col(AccountSession.user_id))
    .where(
        col(AccountSession.key_hash) == sa.bindparam("key_hash"),
        col(AccountSession.expires_at) > sa.bindparam("now"),
    )
)


def load(
    session: Session, key: str, *, user_agent: str | None = None, now: datetime | None = None
) -> User | None:
    """The flask-login loader: the account of a live session with this key, else None. With
    `user_agent`, the session must be used from the kind of browser it was started in: a copy
    of its cookies in another browser or on another system opens nothing."""
    if not key or len(key) > 100:
        return None
    now = now or utcnow()
    found = session.exec(LIVE_SESSION, params={"key_hash": _hash(key), "now": now}).first()
    if found is None:
        return None
    row, user = found
    if user_agent is not None and describe_device(user_agent) != row.device:
        return None
    _attach(user, key, row)
    return user


def touch(user: User, now: datetime | None = None) -> bool:
    """Note activity on the current session (at most every ten minutes); a session without
    "Ingelogd blijven" then lives another 12 hours. True when the row changed."""
    row = current(user)
    now = now or utcnow()
    if row is None or now - row.last_seen_at < SEEN_GRANULARITY:
        return False
    row.last_seen_at = now
    if not row.remember:
        row.expires_at = min(now + IDLE, row.created_at + LONGEST)
    return True


def end(session: Session, user: User) -> None:
    """Log out the device `user` was loaded through: its cookies stop working everywhere."""
    row = current(user)
    if row is not None:
        session.execute(sa.delete(AccountSession).where(col(AccountSession.id) == row.id))


def end_others(session: Session, user: User) -> int:
    """End every session of the account except the current one; returns how many."""
    row = current(user)
    query = sa.delete(AccountSession).where(col(AccountSession.user_id) == user.id)
    if row is not None:
        query = query.where(col(AccountSession.id) != row.id)
    return _deleted(session, query)


def end_all(session: Session, user: User) -> int:
    """End every session of the account (a password reset); returns how many."""
    query = sa.delete(AccountSession).where(col(AccountSession.user_id) == user.id)
    return _deleted(session, query)


def _deleted(session: Session, query: sa.Delete) -> int:
    result: sa.CursorResult = session.connection().execute(query)
    return result.rowcount


def of(session: Session, user_id: int) -> list[AccountSession]:
    """The account's live sessions, most recently used first."""
    return list(
        session.exec(
            select(AccountSession)
            .where(
                col(AccountSession.user_id) == user_id, col(AccountSession.expires_at) > utcnow()
            )
            .order_by(col(AccountSession.last_seen_at).desc(), col(AccountSession.id).desc())
        ).all()
    )


# --- a name for the device, for "where you are logged in" ------------------------------------

BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bSafari/")),
)
SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Mac", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


# Asked on every request of someone logged in, with the few user agents a site sees over and
# over: worked out once per text (about 18 µs of patterns each time otherwise).
@functools.lru_cache(maxsize=256)
def describe_device(user_agent: str) -> str:
    """A coarse, recognisable name such as "Firefox op Windows" (no version, no address)."""
    browser = next((name for name, pattern in BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} op {system}"
    return browser or system or "onbekende browser"
