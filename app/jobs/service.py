"""The job queue: enqueue work in the caller's transaction; a worker does it, with retries.

Features register the kinds of work they bring (`register_kind`): e-mail, later deliveries to
partners. A request only writes a row, in the same transaction as what caused it, so a mail
server or partner that is down never fails the request or loses the message. A worker
(`flask jobs work`, or `flask jobs run` from cron) claims due jobs one at a time with a
compare-and-set on the lock (on PostgreSQL also `FOR UPDATE SKIP LOCKED`), so several workers
on several machines can share the queue and each job runs once at a time. A job that succeeds is
deleted; one that fails is tried again later (30 s, 1 min, 2 min, … at most an hour apart) until
its kind's time is up, then it is marked failed and its kind's `on_give_up` runs.

Delivery is at least once: a worker that dies after sending but before recording it sends again.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import Flask, current_app
from sqlmodel import Session, col, func, select

from app import crypto
from app.db import utcnow
from app.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

LOCK_FOR = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)

Handler = Callable[[Session, dict], None]


@dataclass(frozen=True)
class JobKind:
    """A kind of work: `handler(session, payload)` does it (raising means: try again later);
    after `give_up_after` without success the job is marked failed and `on_give_up` runs."""

    name: str
    handler: Handler
    give_up_after: timedelta = timedelta(hours=72)
    on_give_up: Handler | None = None


def register_kind(app: Flask, kind: JobKind) -> None:
    app.extensions.setdefault("job_kinds", {})[kind.name] = kind


def kinds() -> dict[str, JobKind]:
    return current_app.extensions.get("job_kinds", {})


def enqueue(
    session: Session,
    kind: str,
    payload: dict,
    *,
    user_id: int | None = None,
    run_after: datetime | None = None,
) -> Job:
    """Queue work in the caller's transaction (nothing is done until the caller commits).

    Raises KeyError for a kind no feature registered."""
    if kind not in kinds():
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind,
        user_id=user_id,
        payload=crypto.encrypt(json.dumps(payload, ensure_ascii=False)),
        run_after=run_after,
    )
    session.add(job)
    return job


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def new_holder() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class RunReport:
    done: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.done} gedaan, {self.retried} later opnieuw, {self.failed} opgegeven" + (
            f" ({', '.join(self.errors)})" if self.errors else ""
        )


def _claim(
    engine: sa.Engine, holder: str, now: datetime, only: tuple[str, ...] | None = None
) -> int | None:
    """Lock the oldest due job (of the kinds `only`, when given) for this worker; None when
    nothing is due."""
    claimable = sa.or_(col(Job.locked_until).is_(None), col(Job.locked_until) < now)
    with Session(engine) as session:
        query = (
            select(Job.id)
            .where(
                Job.status == JobStatus.PENDING,
                sa.or_(col(Job.run_after).is_(None), col(Job.run_after) <= now),
                claimable,
            )
            .order_by(col(Job.id))
            .limit(10)
        )
        if only is not None:
            query = query.where(col(Job.kind).in_(only))
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for job_id in session.exec(query).all():
            result = session.execute(
                sa.update(Job)
                .where(col(Job.id) == job_id, claimable)
                .values(locked_by=holder, locked_until=now + LOCK_FOR)
            )
            won = cast(sa.CursorResult, result).rowcount
            if won == 1:
                session.commit()
                return job_id
        session.rollback()
    return None


def _run_one(engine: sa.Engine, job_id: int, holder: str, report: RunReport) -> None:
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        if job is None or job.locked_by != holder:
            return
        kind = kinds().get(job.kind)
        payload = json.loads(crypto.decrypt(job.payload))
        try:
            if kind is None:
                raise LookupError(f"no handler for {job.kind}")
            kind.handler(session, payload)
        except Exception as error:  # noqa: BLE001 - any failure means: try again later
            session.rollback()
            _failed(session, job_id, kind, payload, type(error).__name__, report)
            return
        session.execute(sa.delete(Job).where(col(Job.id) == job_id))
        session.commit()
        report.done += 1


def _failed(
    session: Session,
    job_id: int,
    kind: JobKind | None,
    payload: dict,
    error: str,
    report: RunReport,
) -> None:
    job = session.get(Job, job_id)
    if job is None:
        return
    now = utcnow()
    job.attempts += 1
    job.last_error = error[:120]
    job.locked_by, job.locked_until = None, None
    give_up_after = kind.give_up_after if kind else timedelta(0)
    if now - job.created_at >= give_up_after:
        job.status = JobStatus.FAILED
        report.failed += 1
        log.error(
            "job %s (%s) given up after %s attempts: %s", job.id, job.kind, job.attempts, error
        )
        if kind is not None and kind.on_give_up is not None:
            kind.on_give_up(session, payload)
    else:
        job.run_after = now + backoff(job.attempts)
        report.retried += 1
        log.warning("job %s (%s) failed, retried later: %s", job.id, job.kind, error)
    report.errors.append(error)
    session.add(job)
    session.commit()


def run_due(
    *, limit: int = 500, holder: str | None = None, only: tuple[str, ...] | None = None
) -> RunReport:
    """Do up to `limit` due jobs (inside an app context), or only those of the kinds `only`.
    Safe to run in several processes."""
    engine: sa.Engine = current_app.extensions["db_engine"]
    holder = holder or new_holder()
    report = RunReport()
    for _ in range(limit):
        job_id = _claim(engine, holder, utcnow(), only)
        if job_id is None:
            break
        _run_one(engine, job_id, holder, report)
    return report


def counts(session: Session) -> dict[str, int]:
    """How many jobs wait and how many were given up, per kind (for staff and `jobs status`)."""
    rows = session.exec(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    return {f"{kind} {status}": number for kind, status, number in rows}


__all__ = ["JobKind", "JobStatus", "RunReport", "enqueue", "register_kind", "run_due"]
