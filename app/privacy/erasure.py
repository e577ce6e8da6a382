"""Erasing an account (R4), driven by the registry.

Each registered category says what erasure does to its rows: delete them, anonymise them (the
link to the person and the listed columns go), or keep the fiscal record (the same, for rows the
tax rules make us keep 7 years). Rows that belong to the person through a parent go first, the
account row last. Every other reference to the account (a staff member who handled something)
is set to empty. Partners that received data are told, and so is the person, by e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.mail import service as mail
from app.privacy import data, export, requests, rights
from app.privacy.models import PrivacyRequest
from app.privacy.registry import Category, Erasure, categories
from app.tables import metadata

ENDED_COLUMN = "ended_at"  # a table with this column learns when the account ended


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
    removed, kept = [], []
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


def _clear_other_references(connection: sa.Connection, user_id: int) -> None:
    """Columns elsewhere that point at this account (who handled or refunded something)."""
    subject = {(c.table, c.subject_column) for c in categories() if c.parent is None}
    for table in metadata.sorted_tables:
        for column in table.columns:
            points_at_user = any(
                fk.column.table.name == "user_account" for fk in column.foreign_keys
            )
            if points_at_user and (table.name, column.name) not in subject and column.nullable:
                connection.execute(
                    sa.update(table).where(column == user_id).values({column.name: None})
                )


def erase_account(
    session: Session,
    user: User,
    *,
    by: int | None = None,
    request: PrivacyRequest | None = None,
    channel: str = "zelf",
) -> PrivacyRequest:
    """Erase everything registered about `user`; returns the (anonymised) request row.

    The caller commits. The account's sessions end because the account row is gone."""
    user_id, email, name = user.id, user.email, user.name
    notices = rights.notify_partners(session, user_id=user_id, kind="verwijdering")
    if request is None:
        request = requests.open_request(
            session, user_id=user_id, kind="verwijdering", channel=channel, handled_by=by
        )
    session.flush()
    request_id = request.id
    export.remove_files(session, user_id)
    connection = session.connection()
    counts = {}
    for category in _order(categories()):
        counts[category.table] = _erase_rows(connection, category, user_id)
    _clear_other_references(connection, user_id)
    session.expire_all()
    request = session.get(PrivacyRequest, request_id)
    kept = [c.name.lower() for c in categories() if c.erasure != Erasure.DELETE and counts[c.table]]
    outcome = "account en gegevens verwijderd"
    if kept:
        outcome += "; zonder koppeling bewaard: " + ", ".join(kept)
    if notices:
        outcome += f"; {len(notices)} partner(s) ingelicht"
    requests.complete(session, request, outcome=outcome, by=by)
    mail.forget_address(email)
    mail.send(
        session,
        to=email,
        subject="Je account is verwijderd",
        template="privacy_erased",
        name=name,
        kept=kept,
    )
    return request
