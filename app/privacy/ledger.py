"""The erasure ledger: which accounts were erased, kept in a file outside the database.

Restoring a database backup brings back every account erased after the backup was made. The
ledger lists each erasure by the account's internal number and the moment the account was
created, and nothing else about the person (no name, e-mail address or other data). After a
restore, `flask privacy replay-erasures` erases every account of the ledger that came back. An
account counts as the same only when both its number and its creation time match, so an account
made after the restore that happens to get a number used before is left alone.

The file lives at `ERASURE_LEDGER` (by default in the instance folder). Back it up apart from the
database and never restore it to an earlier point: it only grows, except that the retention job
drops entries older than KEEP, when no backup from before them may exist any more.

Every erasure appends one line (JSON) and syncs it to disk before the erasure is committed, so a
crash between the two errs towards the erasure. A lock file keeps an append and a pruning run
from losing each other's lines.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from app.db import utcnow

log = logging.getLogger(__name__)

# Backups and archived write-ahead logs live at most BACKUP_DAYS (README, privacy statement); an
# entry is kept three times as long, so a late restore still finds it.
BACKUP_DAYS = 30
KEEP = timedelta(days=3 * BACKUP_DAYS)
# The creation time is compared to the millisecond: what a database keeps of a timestamp.
SAME_MOMENT = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Entry:
    """One erased account: its number, when it was created, and when it was erased."""

    account: int
    created_at: datetime
    erased_at: datetime

    def same_account(self, account_id: int, created_at: datetime) -> bool:
        return account_id == self.account and abs(created_at - self.created_at) < SAME_MOMENT

    def line(self) -> str:
        return json.dumps(
            {
                "account": self.account,
                "created_at": self.created_at.isoformat(),
                "erased_at": self.erased_at.isoformat(),
            }
        )


def path() -> Path:
    return Path(current_app.config["ERASURE_LEDGER"])


@contextmanager
def _locked(ledger: Path) -> Iterator[None]:
    ledger.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(f"{ledger}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def record(account_id: int, created_at: datetime, erased_at: datetime | None = None) -> Entry:
    """Append the erasure of one account and sync it to disk."""
    entry = Entry(account_id, created_at, erased_at or utcnow())
    ledger = path()
    flags = os.O_CREAT | os.O_WRONLY | os.O_APPEND
    with _locked(ledger), open(os.open(ledger, flags, 0o600), "ab") as out:
        out.write((entry.line() + "\n").encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())
    return entry


def _parse(text: str) -> list[tuple[str, Entry | None]]:
    """Each line with its entry, or None for a line that cannot be read (kept, never guessed)."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entry = Entry(
                int(data["account"]),
                datetime.fromisoformat(data["created_at"]),
                datetime.fromisoformat(data["erased_at"]),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("erasure ledger: line %d cannot be read", number)
            entry = None
        lines.append((line, entry))
    return lines


def entries() -> list[Entry]:
    """Every entry, oldest first; an empty list when nothing was ever erased."""
    ledger = path()
    if not ledger.exists():
        return []
    with _locked(ledger):
        return [e for _, e in _parse(ledger.read_text(encoding="utf-8")) if e is not None]


def prune(now: datetime, *, dry_run: bool = False) -> int:
    """Drop entries erased more than KEEP ago; returns how many (would) go."""
    ledger = path()
    if not ledger.exists():
        return 0
    with _locked(ledger):
        lines = _parse(ledger.read_text(encoding="utf-8"))
        kept = [line for line, e in lines if e is None or e.erased_at > now - KEEP]
        dropped = len(lines) - len(kept)
        if dropped and not dry_run:
            fresh = ledger.with_name(ledger.name + ".new")
            with open(os.open(fresh, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600), "wb") as out:
                out.write("".join(line + "\n" for line in kept).encode("utf-8"))
                out.flush()
                os.fsync(out.fileno())
            os.replace(fresh, ledger)
    return dropped
