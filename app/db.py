"""Database access: one engine per app, one session per request, SQLite pragmas, UTC times."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

log = logging.getLogger(__name__)
OWNER_ONLY = 0o600
BUSY_TIMEOUT_S = 15  # how long a SQLite connection waits for a lock before giving up
# How long cutting the write-ahead log after an erasure waits for readers and writers to move
# on: short, as a person is waiting for the answer; the retention job tries again every run.
CHECKPOINT_WAIT_MS = 2000


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (what every timestamp column stores)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always UTC-aware in Python, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Stored(Protocol):
    """A table row with an integer id (None until the row is flushed)."""

    @property
    def id(self) -> int | None: ...


def id_of(row: Stored) -> int:
    """The id of a row the database holds. Raises ValueError for a row not yet flushed, which
    has none: a query with its None would silently match nothing."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} has no id yet: flush it first")
    return row.id


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table of a SQLModel table class (its `__table__`, which SQLModel's types leave out)."""
    return cast(sa.Table, sa.inspect(model).local_table)


def normalise_url(url: str) -> str:
    """Let `postgresql://` and `postgres://` URLs use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        _owner_only(sa.engine.make_url(url).database)
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Erased rows are overwritten on disk, not just unlinked (R4).
            cursor.execute("PRAGMA secure_delete=ON")
            # When the write-ahead log starts over, it is cut back to what is written from then
            # on, so older page images (erased rows among them) do not linger at its end.
            cursor.execute("PRAGMA journal_size_limit=0")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _owner_only(path: str | None) -> None:
    """Create the SQLite file readable and writable by its owner only (0600), or make an
    existing one so. SQLite gives its -wal and -shm files the mode of the database file."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, OWNER_ONLY)
        try:
            os.fchmod(descriptor, OWNER_ONLY)
        finally:
            os.close(descriptor)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.chmod(path + suffix, OWNER_ONLY)
    except FileNotFoundError:
        return  # no such folder: SQLite itself reports that on the first connection
    except OSError as error:
        log.warning("the SQLite file could not be made owner-only: %s", type(error).__name__)


def truncate_wal(engine: Engine) -> bool:
    """Copy SQLite's write-ahead log into the database file and cut the log to zero bytes, so
    rows just erased are left in neither (with secure_delete, the database file overwrites them).

    Returns False when another connection kept the checkpoint from finishing within
    CHECKPOINT_WAIT_MS; the log is then cut at the next call (the retention job makes one every
    run), and until then a log that starts over is cut back when it does (journal_size_limit).
    Does nothing on other databases."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(CHECKPOINT_WAIT_MS)}")
        try:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        except sa.exc.OperationalError:
            busy = 1  # "database is locked": a writer held on past the wait
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    if busy:
        log.warning("the SQLite write-ahead log could not be truncated: the database is busy")
    return not busy


def init_app(app: Flask) -> None:
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The session of the current request or app context (created on first use)."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    """End the request's session. Whatever it did not commit is rolled back when its connection
    goes back to the pool (the pool's reset on return); a rollback of the session first would
    also expire every object it loaded, only to throw them away."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def changed_one(session: Session, statement: sa.Update) -> bool:
    """Run a compare-and-set UPDATE (leaving the objects in the session as they are; refresh
    what you need); True when it changed exactly one row."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return cast(sa.CursorResult, result).rowcount == 1
