"""The retention job (L1): applies every registered retention rule, reports per category.

- "account": an account inactive for 3 years is erased as in R4, never later: a warning e-mail
  goes 4 weeks before. An account the job first meets inside those 4 weeks is warned at once and
  erased on the day all the same; one it first meets past 3 years (the job did not run) is
  erased at once. Any activity after the warning starts the 3 years again.
- "fiscal": rows are deleted 7 years after the end of the fiscal (calendar) year they belong to.
- "consent_proof": kept 5 years after the account ended (or after the choice, for visitors who
  never had an account).
- "age": deleted `days` or `years` after the date in `column`.
- "with_parent": goes with the row it belongs to.
- Counting tables (statistics without a person, `core.statistics.add_counting_table`): rows are
  deleted 25 months after the date in their column.

Features add rules of their own through their registered handler (`DataHandler.retention`),
e.g. the shop: orders that were never paid lose the customer's details after 30 days.

Safe to run from cron on several machines: a lock row in the database lets one run at a time,
and a second run finds nothing left to do. Each run also drops entries of the erasure ledger that
no backup can need any more.
"""

from __future__ import annotations

import calendar
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from app import crypto
from app.accounts.models import User
from app.core.formatting import AMSTERDAM, dutch_date
from app.core.personal_data import Category, categories, handlers
from app.core.statistics import RETENTION_MONTHS, CountingTable, counting_tables
from app.db import table_of, utcnow
from app.mail import service as mail
from app.privacy import data, erasure, export, ledger
from app.privacy.models import ExportFile, JobLock, RequestChannel
from app.privacy.requests import add_years

INACTIVE_YEARS = 3
WARNING = timedelta(weeks=4)
FISCAL_YEARS = 7
CONSENT_PROOF_YEARS = 5
# The audit trail notes each run (no person: user_id is empty), for the administrator's page.
RUN_ACTION = "retention.run"
LOCK_NAME = "privacy-retention"
LOCK_TTL = timedelta(hours=1)


@dataclass
class Report:
    dry_run: bool
    started_at: datetime
    lines: list[str] = field(default_factory=list)
    changes: int = 0

    def add(self, category: Category, count: int, what: str) -> None:
        self.lines.append(f"- {category.name} ({category.table}): {count} {what}")
        self.changes += count

    def text(self) -> str:
        head = (
            "Proefrun: er is niets veranderd. Dit zou er gebeuren:"
            if self.dry_run
            else f"Bewaartermijnen toegepast op {dutch_date(self.started_at)}:"
        )
        return "\n".join([head, *self.lines])


# --- the lock ----------------------------------------------------------------------------------


def acquire(engine: sa.Engine, holder: str, now: datetime) -> bool:
    table = table_of(JobLock)
    with engine.begin() as connection:
        taken = connection.execute(
            sa.update(table)
            .where(table.c.name == LOCK_NAME, table.c.expires_at < now)
            .values(holder=holder, expires_at=now + LOCK_TTL)
        ).rowcount
    if taken:
        return True
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(table).values(name=LOCK_NAME, holder=holder, expires_at=now + LOCK_TTL)
            )
    except IntegrityError:
        return False
    return True


def release(engine: sa.Engine, holder: str) -> None:
    table = table_of(JobLock)
    with engine.begin() as connection:
        connection.execute(
            sa.delete(table).where(table.c.name == LOCK_NAME, table.c.holder == holder)
        )


def new_holder() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


# --- the rules ---------------------------------------------------------------------------------


def _accounts(session: Session, report: Report, category: Category, now: datetime) -> None:
    horizon = add_years(now + WARNING, -INACTIVE_YEARS) + timedelta(days=1)
    candidates = session.exec(
        select(User).where(User.last_active_at <= horizon).order_by(col(User.id))
    ).all()
    warned, erased = 0, 0
    for user in candidates:
        due = add_years(user.last_active_at, INACTIVE_YEARS)
        was_warned = (
            user.retention_warned_at is not None and user.retention_warned_at >= user.last_active_at
        )
        if now >= due:
            # At 3 years, warned or not: a warning that came late (or never, when the job did
            # not run for weeks) does not stretch the period the statement promises.
            erased += 1
            if not report.dry_run:
                erasure.erase_account(session, user, channel=RequestChannel.RETENTION)
                session.commit()
        elif not was_warned and now >= due - WARNING:
            warned += 1
            if not report.dry_run:
                mail.send(
                    session,
                    to=user.email,
                    user_id=user.id,
                    subject="Je account wordt binnenkort verwijderd",
                    template="privacy_retention_warning",
                    user=user,
                    erase_on=due,
                )
                user.retention_warned_at = now
                session.add(user)
                session.commit()
    report.add(category, erased, "account(s) verwijderd na 3 jaar zonder activiteit")
    report.lines.append(f"  en {warned} waarschuwing(en) verstuurd, tot 4 weken vooraf")


def _delete(
    session: Session, report: Report, category: Category, where: sa.ColumnElement[bool], what: str
) -> None:
    table = data.table(category)
    connection = session.connection()
    if report.dry_run:
        counted = connection.execute(sa.select(sa.func.count()).select_from(table).where(where))
        report.add(category, counted.scalar_one(), f"zou(den) worden verwijderd ({what})")
        return
    ids = sa.select(table.c.id).where(where)
    for child in categories():
        if child.parent and child.parent[1] == category.table:
            child_table = data.table(child)
            owned = child_table.c[child.parent[0]].in_(ids)
            crypto.destroy_row_keys(connection, child_table, owned)
            connection.execute(sa.delete(child_table).where(owned))
    if category.table == ExportFile.__tablename__:
        for row in session.exec(select(ExportFile).where(where)):
            export.delete_file(row)
    crypto.destroy_row_keys(connection, table, where)
    count = connection.execute(sa.delete(table).where(where)).rowcount
    session.commit()
    report.add(category, count, f"verwijderd ({what})")


def _rule_column(category: Category) -> sa.Column:
    """The column a fiscal or age rule counts from."""
    name = category.retention.column
    if name is None:
        raise LookupError(f"{category.table}: rule {category.retention.rule!r} names no column")
    return data.table(category).c[name]


def _fiscal(session: Session, report: Report, category: Category, now: datetime) -> None:
    column = _rule_column(category)
    local_year = now.astimezone(AMSTERDAM).year
    cutoff = datetime(local_year - FISCAL_YEARS, 1, 1, tzinfo=AMSTERDAM)
    _delete(session, report, category, column < cutoff, "7 jaar na het einde van het boekjaar")


def _consent_proof(session: Session, report: Report, category: Category, now: datetime) -> None:
    table = data.table(category)
    limit = add_years(now, -CONSENT_PROOF_YEARS)
    ended = table.c[erasure.ENDED_COLUMN]
    where = sa.or_(
        sa.and_(ended.is_not(None), ended <= limit),
        sa.and_(table.c[category.subject_column].is_(None), ended.is_(None), table.c.at <= limit),
    )
    _delete(session, report, category, where, "5 jaar na het einde van het account")


def _age(session: Session, report: Report, category: Category, now: datetime) -> None:
    rule = category.retention
    column = _rule_column(category)
    if rule.years:
        limit, what = add_years(now, -rule.years), f"{rule.years} jaar oud"
    else:
        limit, what = now - timedelta(days=rule.days or 0), f"{rule.days} dagen oud"
    _delete(session, report, category, column <= limit, what)


def months_before(moment: datetime, months: int) -> date:
    """The local date `months` calendar months before `moment` (the last day of a shorter
    month when the day does not exist there)."""
    day = moment.astimezone(AMSTERDAM).date()
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _counting(session: Session, report: Report, counting: CountingTable, now: datetime) -> None:
    """Statistics rows (no person) older than 25 months."""
    table = SQLModel.metadata.tables[counting.table]
    where = table.c[counting.column] < months_before(now, RETENTION_MONTHS)
    connection = session.connection()
    if report.dry_run:
        count = connection.execute(sa.select(sa.func.count()).select_from(table).where(where))
        found, what = count.scalar_one(), "zou(den) worden verwijderd"
    else:
        found, what = connection.execute(sa.delete(table).where(where)).rowcount, "verwijderd"
        session.commit()
    report.lines.append(
        f"- {counting.name} ({counting.table}): {found} rij(en) {what} "
        f"(statistiek, ouder dan {RETENTION_MONTHS} maanden)"
    )
    report.changes += found


RULES = {
    "fiscal": _fiscal,
    "consent_proof": _consent_proof,
    "age": _age,
}


def run(session: Session, *, dry_run: bool = False) -> Report:
    """Apply every rule once (the caller holds the lock)."""
    now = utcnow()
    report = Report(dry_run=dry_run, started_at=now)
    for category in categories():
        rule = category.retention.rule
        if rule == "account" and category.subject_column == "id":
            _accounts(session, report, category, now)
        elif rule in RULES and category.parent is None:
            RULES[rule](session, report, category, now)
    for counting in counting_tables(current_app):
        _counting(session, report, counting, now)
    for handler in handlers():
        for line in handler.retention(session, now=now, dry_run=dry_run):
            report.add(line.category, line.count, line.what)
    dropped = ledger.prune(now, dry_run=dry_run)
    report.lines.append(
        f"- Lijst van verwijderde accounts (buiten de database): {dropped} regel(s) "
        f"{'zou(den) vervallen' if dry_run else 'vervallen'}, ouder dan "
        f"{ledger.KEEP.days} dagen"
    )
    return report
