"""R4 and backups (P37): a restored backup brings erased people back; the erasure ledger, kept
outside the database, and `flask privacy replay-erasures` erase them again, and leave alone an
account made after the restore that got a number an erased account had."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import Session, select

from app.accounts.models import User
from app.privacy import ledger
from app.privacy.models import PrivacyRequest
from app.shop.models import Order
from tests.conftest import DEFAULT_PASSWORD, EXTERNAL_DB, Outbox, build_app, database_dump
from tests.privacy.conftest import SITUATION, canaries_in, erase, files_with_canaries


def replay(app) -> str:
    result = app.test_cli_runner().invoke(args=["privacy", "replay-erasures"])
    assert result.exit_code == 0, result.output
    return result.output


def ledger_lines(app) -> list[dict]:
    return [
        json.loads(line) for line in Path(app.config["ERASURE_LEDGER"]).read_text().splitlines()
    ]


# --- taking and restoring a backup ------------------------------------------------------------


class SqliteBackup:
    """SQLite: the online backup API, or a copy of the files while nothing writes."""

    def __init__(self, app, folder: Path, how: str) -> None:
        self.database = Path(app.extensions["db_engine"].url.database)
        self.folder, self.how = folder, how
        folder.mkdir()

    def take(self) -> None:
        if self.how == "backup-api":
            with (
                sqlite3.connect(self.database) as source,
                sqlite3.connect(self.folder / self.database.name) as target,
            ):
                source.backup(target)
            return
        for suffix in ("", "-wal"):  # the -shm is an index SQLite rebuilds from these
            path = Path(f"{self.database}{suffix}")
            if path.exists():
                shutil.copy2(path, self.folder / path.name)

    def restore(self, app) -> None:
        app.extensions["db_engine"].dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        for path in self.folder.iterdir():
            shutil.copy2(path, self.database.parent / path.name)


class PostgresBackup:
    """PostgreSQL: the real pg_dump, restored with psql."""

    def __init__(self, app, folder: Path, how: str) -> None:
        self.dump = folder / "backup.sql"
        folder.mkdir()

    def take(self) -> None:
        with self.dump.open("w") as out:
            subprocess.run(
                ["pg_dump", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
                + ["--dbname", EXTERNAL_DB],
                stdout=out,
                check=True,
                timeout=120,
            )

    def restore(self, app) -> None:
        app.extensions["db_engine"].dispose()
        subprocess.run(
            ["psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", EXTERNAL_DB]
            + ["--file", str(self.dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )


def backup_kinds():
    if not EXTERNAL_DB:
        return ["backup-api", "file-copy"]
    if shutil.which("pg_dump") and shutil.which("psql"):
        return ["pg_dump"]
    return [pytest.param("pg_dump", marks=pytest.mark.skip(reason="pg_dump/psql missing"))]


@pytest.mark.parametrize("how", backup_kinds())
def test_p37_after_a_restore_the_replay_erases_again_and_leaves_a_new_account_alone(
    app, client, canary, make_user, tmp_path, database_url, sandbox, how
):
    keeper = make_user(email="blijft@example.nl", name="Bea Blijft")  # the newest in the backup
    backup = (PostgresBackup if EXTERNAL_DB else SqliteBackup)(app, tmp_path / "backup", how)
    backup.take()
    erase(client)
    # After the backup another account is made and erased: the backup never held it.
    late = make_user(email="kort@example.nl", name="Kees Kort")
    with app.app_context():
        from app import db
        from app.privacy import erasure

        s = db.session()
        erasure.erase_account(s, s.get_one(User, late.id))
        s.commit()
    assert files_with_canaries(app) == {}
    assert [e["account"] for e in ledger_lines(app)] == [canary.id, late.id]

    backup.restore(app)
    restored = build_app(tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url)
    engine = restored.extensions["db_engine"]
    with Session(engine) as s:
        assert s.get_one(User, canary.id).email == "quirijn.kanarie@example.nl"  # back again
        assert s.get(User, late.id) is None
    assert files_with_canaries(restored), "the restored database holds the erased person"
    # Someone registers before the replay runs and gets the number of the late account.
    newcomer = make_user_in(restored, email="nieuw@example.nl", name="Nina Nieuw")
    assert newcomer.id == late.id

    Outbox(restored).deliver()  # what was queued before the replay (the newcomer's mail)
    outbox_before = set(Path(restored.config["OUTBOX_DIR"]).glob("*.eml"))
    output = replay(restored)
    assert "1 account(s) opnieuw verwijderd" in output
    assert "1 account(s) met hetzelfde nummer zijn later aangemaakt" in output
    assert files_with_canaries(restored) == {}
    dump = database_dump(restored)
    assert "nieuw@example.nl" in dump and "Nina Nieuw" in dump  # the newcomer stays
    assert "blijft@example.nl" in dump
    with Session(engine) as s:
        assert s.get(User, canary.id) is None and s.get(User, newcomer.id) is not None
        assert s.get(User, keeper.id) is not None
        [order] = s.exec(select(Order)).all()
        assert order.user_id is None and order.customer_name is None  # the fiscal part stays
        [again] = s.exec(select(PrivacyRequest).where(PrivacyRequest.channel == "herstel")).all()
        assert again.user_id is None and again.completed_at is not None
        assert "na het terugzetten van een back-up" in again.outcome

    # The person, told at the time, is not mailed again (the partners get the erasure notice
    # again: the restore may have lost the first); running it twice changes nothing.
    Outbox(restored).deliver()
    new = set(Path(restored.config["OUTBOX_DIR"]).glob("*.eml")) - outbox_before
    assert all("-partner_delivery-" in path.name for path in new), new
    output = replay(restored)
    assert "0 account(s) opnieuw verwijderd" in output and "1 account(s) waren er al niet" in output
    assert len(ledger_lines(restored)) == 2
    engine.dispose()


def make_user_in(app, **kwargs) -> User:
    from app import db
    from app.accounts import service as accounts

    with app.app_context():
        s = db.session()
        user = accounts.register_user(
            s, password=DEFAULT_PASSWORD, phone=None, verified=True, **kwargs
        )
        s.commit()
        return user


# --- the ledger itself ------------------------------------------------------------------------


def test_the_ledger_holds_a_number_and_times_only_and_is_for_the_owner_only(app, client, canary):
    erase(client)
    path = Path(app.config["ERASURE_LEDGER"])
    assert path.parent == Path(app.config["INSTANCE_DIR"])  # the default place
    [line] = ledger_lines(app)
    assert set(line) == {"account", "created_at", "erased_at"} and line["account"] == canary.id
    assert datetime.fromisoformat(line["created_at"]) == canary.created_at
    assert canaries_in(path.read_bytes()) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_ledger_lives_where_it_is_configured(tmp_path, database_url, sandbox):
    elsewhere = tmp_path / "apart" / "wisregister.jsonl"
    app = build_app(
        tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url, ERASURE_LEDGER=str(elsewhere)
    )
    with app.app_context():
        ledger.record(7, datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC))
        [entry] = ledger.entries()
    assert entry.account == 7 and entry.created_at.microsecond == 678901
    assert elsewhere.exists() and stat.S_IMODE(elsewhere.parent.stat().st_mode) == 0o700
    app.extensions["db_engine"].dispose()


def test_the_retention_job_drops_ledger_entries_older_than_ninety_days(app, runner):
    erased = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with app.app_context():
        ledger.record(41, erased - timedelta(days=400), erased)
        ledger.record(42, erased - timedelta(days=300), erased + timedelta(days=1))
        with Path(app.config["ERASURE_LEDGER"]).open("a") as out:
            out.write("geen json\n")
    with time_machine.travel(erased + ledger.KEEP - timedelta(minutes=1), tick=False):
        output = runner.invoke(args=["privacy", "retention"]).output
    assert "0 regel(s) vervallen" in output
    with time_machine.travel(erased + ledger.KEEP + timedelta(minutes=1), tick=False):
        output = runner.invoke(args=["privacy", "retention"]).output
    assert "1 regel(s) vervallen, ouder dan 90 dagen" in output
    lines = Path(app.config["ERASURE_LEDGER"]).read_text().splitlines()
    assert [json.loads(line)["account"] for line in lines[:1]] == [42]
    assert lines[1:] == ["geen json"]  # a line that cannot be read is kept, never guessed at


def test_an_erasure_goes_ahead_when_the_ledger_cannot_be_written(
    tmp_path, database_url, sandbox, caplog
):
    """The person's erasure does not wait for the ledger; the log tells the operator."""
    blocker = tmp_path / "geen-map"
    blocker.write_text("een bestand, geen map")
    app = build_app(
        tmp_path,
        database_url,
        MOLLIE_API_ENDPOINT=sandbox.url,
        ERASURE_LEDGER=str(blocker / "wisregister.jsonl"),
    )
    from app import db
    from app.accounts import service as accounts
    from app.privacy import erasure

    with app.app_context():
        s = db.session()
        user = accounts.register_user(
            s, name="Wim Wis", email="wim@example.nl", password=DEFAULT_PASSWORD, verified=True
        )
        s.commit()
        user_id = user.id
        erasure.erase_account(s, user)
        s.commit()
        assert s.get(User, user_id) is None
    assert "the erasure ledger could not be written" in caplog.text
    assert "wim" not in caplog.text.lower()
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("how", backup_kinds())
def test_p37_what_was_told_the_hulplijn_stays_unreadable_in_a_restored_backup(
    app, client, canary, tmp_path, database_url, sandbox, how
):
    """The explanation is sealed with a key kept outside the main database: erasing destroys the
    key, so a backup taken before the erasure brings the row back but never what it said."""
    from app import crypto
    from app.helpline.models import HelpRequest
    from app.helpline.service import explanation

    backup = (PostgresBackup if EXTERNAL_DB else SqliteBackup)(app, tmp_path / "backup", how)
    backup.take()
    with Session(app.extensions["db_engine"]) as s:
        row = s.exec(select(HelpRequest).where(HelpRequest.user_id == canary.id)).one()
    with app.app_context():
        assert explanation(row) == SITUATION  # what the backup holds, while the key exists
    erase(client)

    backup.restore(app)
    restored = build_app(tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url)
    with Session(restored.extensions["db_engine"]) as s:
        back = s.exec(select(HelpRequest).where(HelpRequest.user_id == canary.id)).one()
    assert (back.id, back.explanation) == (row.id, row.explanation)  # the row is back
    with restored.app_context(), pytest.raises(crypto.KeyDestroyed):
        explanation(back)
    replay(restored)
    with Session(restored.extensions["db_engine"]) as s:
        assert s.get(HelpRequest, row.id) is None
    restored.extensions["db_engine"].dispose()


@pytest.mark.parametrize("how", backup_kinds())
def test_p37_a_dossier_stays_unreadable_in_a_backup_restored_after_its_erasure(
    app, client, canary, make_user, tmp_path, database_url, sandbox, how
):
    """A dossier is sealed with its own key in the key store: erasing the account erases the
    dossier and destroys the key, so the dossier that a restored backup brings back is noise."""
    from app import crypto, db
    from app.accounts.models import Role
    from app.helpline import dossier
    from app.helpline.models import Channel, Client, ContactMoment, HelpRequest, Question

    staff = make_user(role=Role.STAFF, email="mara@example.nl", name="Mara Makelaar")
    with app.app_context():
        s = db.session()
        request = s.exec(select(HelpRequest).where(HelpRequest.user_id == canary.id)).one()
        client_row = dossier.from_request(
            s, request, staff=s.get(User, staff.id), topic="zorg", description=SITUATION
        )
        dossier.add_contact(
            s,
            client_row,
            staff=s.get(User, staff.id),
            channel=Channel.PHONE,
            at=datetime.now(UTC),
            minutes=10,
            summary="Teruggebeld over de " + SITUATION,
            notes="",
            question_id=None,
            follow_up=None,
        )
        s.commit()
        dossier_id = client_row.id
    backup = (PostgresBackup if EXTERNAL_DB else SqliteBackup)(app, tmp_path / "backup", how)
    backup.take()
    erase(client)
    with Session(app.extensions["db_engine"]) as s:
        assert s.exec(select(Client)).all() == []  # the account's erasure took the dossier

    backup.restore(app)
    restored = build_app(tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url)
    with Session(restored.extensions["db_engine"]) as s:
        back = s.get(Client, dossier_id)
        question = s.exec(select(Question).where(Question.client_id == dossier_id)).one()
        contact = s.exec(select(ContactMoment).where(ContactMoment.client_id == dossier_id)).one()
    assert back is not None  # the rows are back ...
    with restored.app_context():  # ... and nothing in them can be read
        for token in (back.name, back.email, question.description, contact.summary):
            with pytest.raises(crypto.KeyDestroyed):
                dossier.unseal(dossier_id, token)
    replay(restored)
    with Session(restored.extensions["db_engine"]) as s:
        assert s.get(Client, dossier_id) is None
    restored.extensions["db_engine"].dispose()
