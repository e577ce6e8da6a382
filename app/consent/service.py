"""Consent: the visitor's cookie choice, the append-only log, account consents, and counting.

The cookie choice lives in a signed functional cookie (with a random consent id and no personal
data); every decision also becomes a row in the consent log. Consents that belong to an account
(health data, partners, newsletter, personalisation) are read from the log: the newest row per
scope counts.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.consent import register
from app.consent.models import ConsentRecord, PageViewDay, SearchTermDay, VisitorDay
from app.consent.register import CONSENT_MAX_AGE, Category, banner_hash
from app.core.statistics import match_terms
from app.db import table_of, utcnow

COOKIE_SCOPE = "cookies"
OPTIONAL = (Category.ANALYTICAL,)  # what the banner asks; nothing uses marketing cookies
METHODS = ("accept_all", "refuse_all", "custom", "withdraw")


@dataclass(frozen=True)
class CookieChoice:
    """What the consent cookie says."""

    consent_id: str
    version: str
    decided_at: datetime
    accepted: frozenset[str]

    def allows(self, category: Category) -> bool:
        return category == Category.FUNCTIONAL or category.value in self.accepted

    def is_current(self, now: datetime | None = None) -> bool:
        """Still valid: made under this policy version, and less than 182 days ago."""
        now = now or utcnow()
        return self.version == register.POLICY.version and now - self.decided_at < CONSENT_MAX_AGE


def _serializer() -> URLSafeSerializer:
    """The consent cookie's signer, built once per app (building one derives its key)."""
    signer = current_app.extensions.get("consent_serializer")
    if signer is None:
        signer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="zorggenoot.consent")
        current_app.extensions["consent_serializer"] = signer
    return signer


def read_choice(raw: str | None) -> CookieChoice | None:
    """The choice in the consent cookie, or None when there is none or it was tampered with."""
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
        return CookieChoice(
            consent_id=str(uuid.UUID(data["id"])),
            version=str(data["v"]),
            decided_at=datetime.fromtimestamp(int(data["t"]), UTC),
            accepted=frozenset(a for a in data["a"] if a in {c.value for c in OPTIONAL}),
        )
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None


def encode_choice(choice: CookieChoice) -> str:
    return _serializer().dumps(
        {
            "id": choice.consent_id,
            "v": choice.version,
            "t": int(choice.decided_at.timestamp()),
            "a": sorted(choice.accepted),
        }
    )


def decide_cookies(
    session: Session,
    *,
    previous: CookieChoice | None,
    accepted: set[str],
    method: str,
    user_id: int | None,
) -> CookieChoice:
    """Record a cookie decision and return the new choice for the cookie.

    `accepted` holds the optional categories the visitor switched on; the consent id of an
    earlier choice is kept, so all decisions of one browser can be shown together.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    accepted = {a for a in accepted if a in {c.value for c in OPTIONAL}}
    refused = {c.value for c in OPTIONAL} - accepted
    consent_id = previous.consent_id if previous else str(uuid.uuid4())
    if previous and previous.accepted - accepted and method in ("custom", "refuse_all"):
        method = "withdraw"  # taking back what was given, whichever button did it
    session.add(
        ConsentRecord(
            consent_id=consent_id,
            user_id=user_id,
            scope=COOKIE_SCOPE,
            accepted=",".join(sorted(accepted)),
            refused=",".join(sorted(refused)),
            method=method,
            policy_version=register.POLICY.version,
            text_hash=banner_hash(),
        )
    )
    return CookieChoice(
        consent_id=consent_id,
        version=register.POLICY.version,
        decided_at=utcnow().replace(microsecond=0),
        accepted=frozenset(accepted),
    )


def record_account_consent(
    session: Session,
    *,
    user_id: int | None,
    scope: str,
    granted: bool,
    text: str,
    version: str,
    method: str | None = None,
    consent_id: str | None = None,
) -> ConsentRecord:
    """Record a consent an account gives or withdraws (health data, a partner, newsletter…).
    `user_id` is None for someone without an account (a question to the Hulplijn, a newsletter
    subscription with only an e-mail address: its decisions share one `consent_id`).

    `text` is the statement the person saw; its fingerprint is kept as proof."""
    row = ConsentRecord(
        consent_id=consent_id or str(uuid.uuid4()),
        user_id=user_id,
        scope=scope,
        accepted=scope if granted else "",
        refused="" if granted else scope,
        method=method or ("custom" if granted else "withdraw"),
        policy_version=version,
        text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    session.add(row)
    return row


# Asked on most requests of someone logged in: built once (see accounts/sessions.LIVE_SESSION).
ACCOUNT_CONSENTS = (
    select(ConsentRecord)
    .where(ConsentRecord.user_id == bindparam("user_id"), ConsentRecord.scope != COOKIE_SCOPE)
    .order_by(col(ConsentRecord.at), col(ConsentRecord.id))
)


def account_consents(session: Session, user_id: int) -> dict[str, ConsentRecord]:
    """The newest decision per scope for an account (cookie decisions left out)."""
    rows = session.exec(ACCOUNT_CONSENTS, params={"user_id": user_id}).all()
    latest: dict[str, ConsentRecord] = {}
    for row in rows:
        latest[row.scope] = row
    return latest


_RECORDS = table_of(ConsentRecord)
# What the consent gate needs of them: per scope, what the newest decision accepted. Read as
# plain rows, not records (half the time of loading records, on most logged-in requests).
ACCOUNT_DECISIONS = (
    sa.select(_RECORDS.c.scope, _RECORDS.c.accepted)
    .where(_RECORDS.c.user_id == bindparam("user_id"), _RECORDS.c.scope != COOKIE_SCOPE)
    .order_by(_RECORDS.c.at, _RECORDS.c.id)
)


def account_decisions(session: Session, user_id: int) -> dict[str, sa.Row]:
    """The newest decision per scope for an account (cookie decisions left out), as rows with
    `scope` and `accepted`: what the consent gate decides on."""
    rows = session.execute(ACCOUNT_DECISIONS, {"user_id": user_id})
    return {row.scope: row for row in rows}


def consents_of(session: Session, consent_id: str) -> dict[str, ConsentRecord]:
    """The newest decision per scope recorded under one consent id without an account (a
    newsletter subscription by e-mail address only)."""
    rows = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.consent_id == consent_id, col(ConsentRecord.user_id).is_(None))
        .order_by(col(ConsentRecord.at), col(ConsentRecord.id))
    ).all()
    return {row.scope: row for row in rows}


def history(session: Session, user_id: int) -> list[ConsentRecord]:
    """Every decision linked to an account, newest first (for the privacy centre)."""
    return list(
        session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.user_id == user_id)
            .order_by(col(ConsentRecord.at).desc(), col(ConsentRecord.id).desc())
        ).all()
    )


# --- first-party statistics ---------------------------------------------------------------


def _upsert(session: Session, model, keys: dict, counter: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(**keys, **{counter: 1})
    column = getattr(model, counter)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={counter: column + 1}
    )
    session.execute(statement)


def count_page_view(session: Session, *, day: date, path: str) -> None:
    _upsert(session, PageViewDay, {"day": day, "path": path[:200]}, "views")


def count_visitor(session: Session, *, day: date) -> None:
    _upsert(session, VisitorDay, {"day": day}, "visitors")


def count_search(session: Session, *, day: date, query: str, words: Iterable[str]) -> list[str]:
    """Count a search as the vocabulary `words` (topics, tags) it matched, or as "overig".

    The query itself is never stored: no name, number or address typed into the search box
    reaches the statistics. Returns the terms counted."""
    terms = match_terms(words, query)
    for term in terms:
        _upsert(session, SearchTermDay, {"day": day, "term": term}, "searches")
    return terms


def totals(session: Session) -> dict[str, int]:
    """Totals over all days (used in tests and, later, the dashboard)."""
    return {
        "views": session.exec(select(func.coalesce(func.sum(PageViewDay.views), 0))).one(),
        "searches": session.exec(select(func.coalesce(func.sum(SearchTermDay.searches), 0))).one(),
        "visitors": session.exec(select(func.coalesce(func.sum(VisitorDay.visitors), 0))).one(),
    }
