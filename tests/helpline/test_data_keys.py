"""D1, D4 and R4: what someone tells the Hulplijn is sealed with a key of its own, kept apart from
the main database; erasing, retention and withdrawing the consent destroy the key, so no earlier
copy of the value can be read again."""

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from cryptography.fernet import Fernet
from sqlmodel import col, select

from app import crypto, db
from app.helpline.models import CallMoment, HelpKind, HelpRequest
from app.helpline.service import explanation, sealed_as
from tests.conftest import DEFAULT_PASSWORD, TEST_FERNET_KEY, build_app
from tests.helpline.test_helpline import STORY, send


def stored(app) -> list[tuple[int, str]]:
    """(id, explanation) as the main database holds them."""
    with app.extensions["db_engine"].connect() as connection:
        query = sa.text("SELECT id, explanation FROM helpline_request ORDER BY id")
        return [tuple(row) for row in connection.execute(query)]


def keys_in_store(app) -> list[str]:
    with app.app_context():
        engine = app.extensions["key_store"]
    with engine.connect() as connection:
        return list(connection.execute(sa.select(crypto.DATA_KEYS.c.subject)).scalars())


def test_the_explanation_is_sealed_with_a_key_kept_apart_from_the_database(app, client):
    send(client)
    [(request_id, token)] = stored(app)
    assert STORY not in token
    with app.app_context(), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)  # ENCRYPTION_KEYS alone do not open it
    with app.app_context():
        row = db.session().get_one(HelpRequest, request_id)
        assert explanation(row) == STORY
    assert keys_in_store(app) == [f"helpline_request:{request_id}"]
    # The key store is a file of its own, readable by its owner only; the main database has no
    # table of keys, and the key store holds the key wrapped, never the key itself.
    store = Path(app.config["INSTANCE_DIR"]) / "keys.db"
    assert app.config["KEY_STORE_URL"] == f"sqlite:///{store}"
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
    with app.extensions["db_engine"].connect() as connection:
        assert "data_key" not in sa.inspect(connection).get_table_names()
    with app.extensions["key_store"].connect() as connection:
        [wrapped] = connection.execute(sa.select(crypto.DATA_KEYS.c.wrapped)).scalars()
    data_key = Fernet(TEST_FERNET_KEY).decrypt(wrapped.encode())
    assert data_key not in store.read_bytes()
    assert Fernet(data_key).decrypt(token.encode()).decode() == STORY


def test_each_request_has_its_own_key(app, client):
    send(client, name="Een")
    send(client, name="Twee")
    (first, token), (second, _) = stored(app)
    with app.app_context():
        assert crypto.unseal(sealed_as(first), token) == STORY
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(sealed_as(second), token)


def test_p34_retention_destroys_the_key_with_the_request(app, client, runner):
    with time_machine.travel(datetime(2026, 1, 1, 9, tzinfo=UTC), tick=False):
        send(client, name="Oud")
    with time_machine.travel(datetime(2026, 1, 3, 9, tzinfo=UTC), tick=False):
        send(client, name="Jonger")
    (old, old_token), (young, _) = stored(app)
    with time_machine.travel(datetime(2026, 7, 1, 9, 30, tzinfo=UTC), tick=False):
        assert runner.invoke(args=["privacy", "retention", "--dry-run"]).exit_code == 0
        assert len(keys_in_store(app)) == 2  # a dry run destroys nothing
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    assert keys_in_store(app) == [sealed_as(young)]
    with app.app_context(), pytest.raises(crypto.KeyDestroyed):
        crypto.unseal(sealed_as(old), old_token)  # a copy kept anywhere stays unreadable


def test_withdrawing_the_consent_destroys_the_key(app, client, login_as):
    login_as(name="Carla Mantel", email="carla@example.nl")
    send(client, name="Carla Mantel")
    [(request_id, token)] = stored(app)
    withdrawn = client.submit("/privacy/intrekken/hulplijn_gezondheid", page="/privacy")
    assert withdrawn.status_code in (302, 303)
    assert stored(app) == [(request_id, "")]
    assert keys_in_store(app) == []
    with app.app_context(), pytest.raises(crypto.KeyDestroyed):
        crypto.unseal(sealed_as(request_id), token)


def test_erasing_the_account_destroys_the_key(app, client, login_as):
    login_as(name="Carla Mantel", email="carla@example.nl")
    send(client, name="Carla Mantel")
    [(request_id, token)] = stored(app)
    erased = client.submit("/privacy/verwijderen", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert erased.status_code == 303, erased.get_data(as_text=True)
    assert stored(app) == [] and keys_in_store(app) == []
    with app.app_context(), pytest.raises(crypto.KeyDestroyed):
        crypto.unseal(sealed_as(request_id), token)


def test_keys_rotate_seals_older_values_and_rewraps_the_keys(app, client, tmp_path, database_url):
    send(client, name="Nieuw")
    [(sealed_id, _)] = stored(app)
    with app.app_context():
        # A value from before explanations were sealed: encrypted with ENCRYPTION_KEYS.
        session = db.session()
        older = HelpRequest(
            kind=HelpKind.QUESTION, name="Ouder", phone="0612345678", moment=CallMoment.MORNING
        )
        session.add(older)
        session.flush()
        older.explanation = crypto.encrypt("Een oudere uitleg.")
        session.commit()
        older_id = older.id
        assert explanation(older) == "Een oudere uitleg."
    new_key = Fernet.generate_key().decode()
    both = build_app(tmp_path, database_url, ENCRYPTION_KEYS=f"{new_key},{TEST_FERNET_KEY}")
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    # The older value got a key of its own (wrapped with the new key at once); the key that
    # was there already is wrapped again.
    assert "1 sleutel(s) in de sleutelopslag opnieuw ingepakt" in result.output
    again = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert again.output.startswith("0 waarde(n) opnieuw versleuteld")
    assert "0 sleutel(s)" in again.output
    # The old key can go: everything opens with the new one alone.
    only_new = build_app(tmp_path, database_url, ENCRYPTION_KEYS=new_key)
    with only_new.app_context():
        session = db.session()
        rows = session.exec(select(HelpRequest).order_by(col(HelpRequest.id))).all()
        assert [r.id for r in rows] == [sealed_id, older_id]
        assert [explanation(r) for r in rows] == [STORY, "Een oudere uitleg."]
        assert crypto.is_sealed(sealed_as(older_id), rows[1].explanation)
    for other in (both, only_new):
        other.extensions["db_engine"].dispose()
