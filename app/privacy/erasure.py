"""Erasing an account (R4), driven by the registry.

Each registered category says what erasure does to its rows: delete them, anonymise them (the
link to the person and the listed columns go), or keep the fiscal record (the same, for rows the
tax rules make us keep 7 years). Rows that belong to the person through a parent go first, the
account row last. Every other reference to the account (a staff member who handled something)
is set to empty. Partners that received data are told, and so is the person, by e-mail.

Down to the disk: the erasure is written to the erasure ledger outside the database (so that
`replay_erasures` can repeat it after a backup is restored), and once it is committed SQLite's
write-ahead log is checkpointed and cut to zero bytes (with secure_delete on, the database file
itself overwrites the erased rows).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as BaseSession
from sqlmodel import Session, SQLModel

from app import crypto, db
from app.accounts.models import User
from app.core.personal_data import Category, Erasure, categories, handlers
from app.db import utcnow
from app.mail import service as mail
from app.privacy import data, export, ledger, requests
from app.privacy.models import PrivacyRequest, RequestChannel, RequestKind

log = logging.getLogger(__name__)
ENDED_COLUMN = "ended_at"  # a table with this column learns when the account ended
TRUNCATE_WAL = "privacy.truncate_wal"  # a session flag: cut SQLite's log after the commit
REPLAY_CHANNEL = RequestChannel.RESTORE


@dataclass
class Line:
    category: Category
    count: int


@dataclass
class Summary:
    """What erasing would remove and what stays (for the confirmation page)."""

    removed: list[Line]
    kept: list[Line]


def summary(session: Session, user_id: int) -> Summary:
    removed: list[Line] = []
    kept: list[Line] = []
    for section in data.collect(session, user_id):
        if not section.rows:
            continue
        line = Line(section.category, len(section.rows))
        (removed if section.category.erasure == Erasure.DELETE else kept).append(line)
    return Summary(removed, kept)


def _order(items: list[Category]) -> list[Category]:
    """Children (rows owned through a parent) before their parents; the account row last."""
    return sorted(items, key=lambda c: (c.parent is None, c.subject_column == "id"))


def _erase_rows(connection: sa.Connection, category: Category, user_id: int) -> int:
    table = data.table(category)
    where = data.owned(category, user_id)
    # Rows deleted, or anonymised with their sealed columns emptied: their data keys go first.
    crypto.destroy_row_keys(connection, table, where)
    if category.erasure == Erasure.DELETE:
        return connection.execute(sa.delete(table).where(where)).rowcount
    values: dict[str, object] = {}
    for name in category.anonymise:
        column = table.c[name]
        values[name] = None if column.nullable else ""
    if category.parent is None:
        values[category.subject_column] = None
    if ENDED_COLUMN in table.c:
        values[ENDED_COLUMN] = utcnow()
    if not values:
        return 0
    return connection.execute(sa.update(table).where(where).values(**values)).rowcount


def _count(connection: sa.Connection, category: Category, user_id: int) -> int:
    where = data.shown(category, user_id)
    return connection.execute(
        sa.select(sa.func.count()).select_from(data.table(category)).where(where)
    ).scalar_one()


def _clear_other_references(connection: sa.Connection, user_id: int) -> None:
    """Columns elsewhere that point at this account (who handled or refunded something)."""
    subject = {(c.table, c.subject_column) for c in categories() if c.parent is None}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            points_at_user = any(
                fk.column.table.name == "user_account" for fk in column.foreign_keys
            )
            if points_at_user and (table.name, column.name) not in subject and column.nullable:
                connection.execute(
                    sa.update(table).where(column == user_id).values({column.name: None})
                )


@event.listens_for(BaseSession, "after_commit")
def _after_erasure(session: BaseSession) -> None:
    if session.info.pop(TRUNCATE_WAL, False):
        # The app binds every session to its engine, never to a connection.
        db.truncate_wal(cast(sa.Engine, session.get_bind()))


@event.listens_for(BaseSession, "after_rollback")
def _erasure_undone(session: BaseSession) -> None:
    session.info.pop(TRUNCATE_WAL, None)


def erase_account(
    session: Session,
    user: User,
    *,
    by: int | None = None,
    request: PrivacyRequest | None = None,
    channel: RequestChannel = RequestChannel.SELF,
    replaying: bool = False,
) -> PrivacyRequest:
    """Erase everything registered about `user`; returns the (anonymised) request row.

    The caller commits. The account's sessions end because the account row is gone. The
    erasure goes into the ledger first, unless `replaying` one from it after a restore (then
    the person, who was told at the time, gets no second e-mail)."""
    user_id, email, name, created_at = db.id_of(user), user.email, user.name, user.created_at
    # Each feature does its part first (the shop tells partners that received data).
    notes = [note for handler in handlers() if (note := handler.before_erasure(session, user))]
    if request is None:
        request = requests.open_request(
            session, user_id=user_id, kind=RequestKind.ERASURE, channel=channel, handled_by=by
        )
    session.flush()
    request_id = request.id
    export.remove_files(session, user_id)
    connection = session.connection()
    # What the person is told stays: only rows they may know of (not those a law keeps from
    # them, see Category.withheld) count for the outcome and the e-mail.
    told = {
        category.table: _count(connection, category, user_id)
        for category in categories()
        if category.withheld is not None
    }
    counts = {}
    for category in _order(categories()):
        counts[category.table] = _erase_rows(connection, category, user_id)
    counts.update(told)
    _clear_other_references(connection, user_id)
    session.expire_all()
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise LookupError("the erasure's own request row is gone")
    kept = [c.name.lower() for c in categories() if c.erasure != Erasure.DELETE and counts[c.table]]
    outcome = (
        "account en gegevens opnieuw verwijderd, na het terugzetten van een back-up"
        if replaying
        else "account en gegevens verwijderd"
    )
    if kept:
        outcome += "; zonder koppeling bewaard: " + ", ".join(kept)
    outcome = "; ".join([outcome, *notes])
    requests.complete(session, request, outcome=outcome, by=by)
    session.info[TRUNCATE_WAL] = True
    mail.forget_address(email)
    if replaying:
        return request
    try:
        ledger.record(user_id, created_at)
    except OSError as error:
        # The erasure itself must not wait for the ledger; the log says what to repair.
        log.error("the erasure ledger could not be written: %s", type(error).__name__)
    mail.send(
        session,
        to=email,
        subject="Je account is verwijderd",
        template="privacy_erased",
        name=name,
        kept=kept,
    )
    return request


@dataclass
class Replay:
    """What replaying the ledger did: erased again, already gone, or a different account that
    now has a number an erased account had."""

    erased: list[int] = field(default_factory=list)
    gone: int = 0
    other: int = 0

    def text(self) -> str:
        return "\n".join(
            [
                "Verwijderingen uit de lijst buiten de database opnieuw toegepast:",
                f"- {len(self.erased)} account(s) opnieuw verwijderd",
                f"- {self.gone} account(s) waren er al niet meer",
                f"- {self.other} account(s) met hetzelfde nummer zijn later aangemaakt en "
                "blijven staan",
            ]
        )


def replay_erasures(session: Session) -> Replay:
    """After a database restore: erase again every account of the ledger that came back, each
    with its own commit. Safe to run twice; an account is only erased when its creation time
    matches too."""
    result = Replay()
    seen: set[tuple[int, object]] = set()
    for entry in ledger.entries():
        key = (entry.account, entry.created_at)
        if key in seen:
            continue
        seen.add(key)
        user = session.get(User, entry.account)
        if user is None:
            result.gone += 1
        elif not entry.same_account(db.id_of(user), user.created_at):
            result.other += 1
        else:
            request = requests.open_request(
                session,
                user_id=user.id,
                kind=RequestKind.ERASURE,
                channel=REPLAY_CHANNEL,
                received_at=entry.erased_at,
            )
            erase_account(session, user, request=request, channel=REPLAY_CHANNEL, replaying=True)
            session.commit()
            result.erased.append(entry.account)
    return result
