"""R4 down to the disk (P37): after an erasure no value of the person is left in any file the
database keeps (SQLite's database file, its -wal and -shm; on PostgreSQL what pg_dump reads), nor
elsewhere in the instance folder, also after more traffic, a retention run and a restart. And the
database files and the instance folder are readable by their owner only."""

from __future__ import annotations

import logging
import sqlite3
import stat
from pathlib import Path
from typing import cast

import pytest

from app import db
from tests.conftest import DEFAULT_PASSWORD, EXTERNAL_DB, Client, build_app, database_dump
from tests.privacy.conftest import erase, files_with_canaries
from tests.profile.conftest import STEP_1


def visit(client, paths=("/", "/artikelen/respijtzorg", "/zoeken?q=mantelzorg", "/winkel")):
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_p37_no_canary_on_disk_after_erasure_traffic_retention_and_restart(
    app, client, canary, make_user, runner, tmp_path, database_url, sandbox
):
    before = files_with_canaries(app)
    assert before, "the canaries are on disk before the erasure (so this test can fail)"

    erase(client)
    assert files_with_canaries(app) == {}, "right after the erasure"

    # More traffic: another caregiver logs in, reads, answers and orders.
    other = make_user(email="bea@example.nl", name="Bea Blijft")
    assert client.submit("/inloggen", {"email": other.email, "password": DEFAULT_PASSWORD})
    visit(client)
    assert client.submit("/profiel/vragenlijst/1", STEP_1).status_code == 303
    assert files_with_canaries(app) == {}, "after more traffic"

    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert files_with_canaries(app) == {}, "after a retention run"

    # A restart: every connection closes, a new process opens the same database.
    app.extensions["db_engine"].dispose()
    restarted = build_app(tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url)
    restarted.test_client_class = type(client)
    again = cast(Client, restarted.test_client())
    visit(again)
    assert again.submit("/inloggen", {"email": other.email, "password": DEFAULT_PASSWORD})
    assert again.get("/account").status_code == 200
    assert files_with_canaries(restarted) == {}, "after a restart"
    assert "bea@example.nl" in database_dump(restarted)  # the check does see stored values
    restarted.extensions["db_engine"].dispose()


@pytest.mark.skipif(bool(EXTERNAL_DB), reason="SQLite's write-ahead log")
def test_a_busy_checkpoint_leaves_the_log_for_the_retention_job(
    app, client, canary, runner, monkeypatch, caplog
):
    """A reader that holds an old snapshot keeps the log from being cut at the erasure; the
    erasure still succeeds, says so in the log, and the next retention run cuts it."""
    monkeypatch.setattr(db, "CHECKPOINT_WAIT_MS", 0)
    reader = sqlite3.connect(app.extensions["db_engine"].url.database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM user_account").fetchone()  # holds its snapshot
    with caplog.at_level(logging.WARNING, logger="app.db"):
        erase(client)
    assert "could not be truncated" in caplog.text
    assert files_with_canaries(app), "the log still holds the erased rows while busy"
    reader.execute("COMMIT")
    reader.close()

    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert files_with_canaries(app) == {}


def mode(path: Path | str) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_the_database_files_and_the_instance_folder_are_for_the_owner_only(tmp_path):
    """Development's own SQLite file (the default DATABASE_URL) and its -wal and -shm."""
    app = build_app(tmp_path / "fresh", "")
    instance = Path(app.config["INSTANCE_DIR"])
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'zorggenoot.db'}"
    engine = app.extensions["db_engine"]
    from app.tables import metadata

    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE probe (x)")
    database = engine.url.database
    assert Path(f"{database}-wal").exists() and Path(f"{database}-shm").exists()
    assert mode(instance) == 0o700
    for path in (database, f"{database}-wal", f"{database}-shm"):
        assert mode(path) == 0o600, path
    engine.dispose()


def test_an_existing_readable_database_and_instance_folder_are_closed(tmp_path):
    instance = tmp_path / "old" / "instance"
    instance.mkdir(parents=True, mode=0o755)
    instance.chmod(0o755)
    database = instance / "zorggenoot.db"
    sqlite3.connect(database).close()
    database.chmod(0o644)
    app = build_app(tmp_path / "old", f"sqlite:///{database}")
    assert mode(instance) == 0o700 and mode(database) == 0o600
    app.extensions["db_engine"].dispose()


def test_the_downloads_folder_is_for_the_owner_only(app, client, caregiver):
    assert client.submit("/privacy/download", page="/privacy").status_code == 303
    exports = Path(app.config["INSTANCE_DIR"]) / "exports"
    assert mode(exports) == 0o700 and mode(exports.parent) == 0o700
