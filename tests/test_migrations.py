"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.core.cli import alembic_config
from app.tables import metadata
from tests.conftest import EXTERNAL_DB, build_app


@pytest.fixture
def migration_url(tmp_path):
    if not EXTERNAL_DB:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    # A schema of its own on the PostgreSQL server, so the shared test tables stay untouched.
    schema = f"migrations_{os.getpid()}"
    admin = sa.create_engine(EXTERNAL_DB.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in EXTERNAL_DB else "?"
    yield f"{EXTERNAL_DB}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_migrations_match_the_models(tmp_path, migration_url):
    from alembic import command

    app = build_app(tmp_path, migration_url)
    command.upgrade(alembic_config(app), "head")
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), metadata
        )
    assert diff == []
    # And they can be undone.
    command.downgrade(alembic_config(app), "base")
    with engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrade_twice_is_safe(tmp_path, migration_url):
    from alembic import command

    app = build_app(tmp_path, migration_url)
    command.upgrade(alembic_config(app), "head")
    command.upgrade(alembic_config(app), "head")
    app.extensions["db_engine"].dispose()


def test_orders_that_exist_get_their_own_random_key_and_paid_ones_their_payment(
    tmp_path, migration_url
):
    """The migration that gives orders a random key for Mollie fills it for orders made
    before it (each its own), and records which payment paid the paid ones."""
    from alembic import command
    from alembic.script import ScriptDirectory

    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    before = ScriptDirectory.from_config(config).get_revision("5e1f0c2a9b7d").down_revision
    assert isinstance(before, str)  # one parent, no merge
    command.upgrade(config, before)
    engine = app.extensions["db_engine"]
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for number, status in ((1, "paid"), (2, "canceled"), (3, "pending")):
            connection.execute(
                sa.text(
                    "INSERT INTO shop_order (id, number, checkout_token, status, total_cents, "
                    "payment_attempts, created_at, refunded_cents) "
                    "VALUES (:id, :number, :token, :status, 1000, 1, :now, 0)"
                ),
                {
                    "id": number,
                    "number": f"ZG-{number}",
                    "token": f"t{number}",
                    "status": status,
                    "now": now,
                },
            )
        for id_, mollie_id, status in ((1, "tr_open1", "open"), (2, "tr_paid1", "paid")):
            connection.execute(
                sa.text(
                    "INSERT INTO shop_payment (id, order_id, mollie_id, attempt, status, "
                    "amount_cents, created_at, updated_at) "
                    "VALUES (:id, 1, :mollie_id, :id, :status, 1000, :now, :now)"
                ),
                {"id": id_, "mollie_id": mollie_id, "status": status, "now": now},
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT idempotency_key, paid_with FROM shop_order ORDER BY id")
        ).all()
    keys = [key for key, _ in rows]
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys) and len(set(keys)) == 3
    assert [paid_with for _, paid_with in rows] == ["tr_paid1", None, None]
    command.downgrade(config, before)
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("shop_order")}
    assert "idempotency_key" not in columns
    engine.dispose()


def test_a_situation_given_at_registration_moves_to_the_hulplijn_only_with_health_consent(
    tmp_path, migration_url
):
    """The situation leaves the account: with a yes on the health consent it becomes an
    encrypted Hulplijn request of that person; without one it is deleted."""
    from alembic import command

    from app import crypto

    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    command.upgrade(config, "c1773af94321")
    engine = app.extensions["db_engine"]
    now = datetime.now(UTC).replace(tzinfo=None)
    people = (
        (1, "ja@example.nl", "Mijn vader heeft dementie.", "health"),
        (2, "nee@example.nl", "Mijn moeder heeft kanker.", ""),
        (3, "leeg@example.nl", "", "health"),
    )
    with engine.begin() as connection:
        for id_, email, situation, accepted in people:
            connection.execute(
                sa.text(
                    "INSERT INTO user_account (id, email, name, phone, situation, password_hash, "
                    "role, created_at, restricted, objects_profiling, objects_marketing, "
                    "objects_open_tracking, last_active_at) VALUES (:id, :email, 'Naam', NULL, "
                    ":situation, 'x', 'caregiver', :now, false, false, false, false, :now)"
                ),
                {"id": id_, "email": email, "situation": situation, "now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO consent_record (at, consent_id, user_id, scope, accepted, "
                    "refused, method, policy_version, text_hash) VALUES (:now, :cid, :id, "
                    "'health', :accepted, :refused, 'custom', '1', 'h')"
                ),
                {
                    "now": now,
                    "cid": f"c{id_}",
                    "id": id_,
                    "accepted": accepted,
                    "refused": "" if accepted else "health",
                },
            )
    with app.app_context():
        command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT user_id, explanation, consent_id, source, kind FROM helpline_request")
        ).all()
        columns = {c["name"] for c in sa.inspect(connection).get_columns("user_account")}
        raw = " ".join(
            str(v) for row in connection.execute(sa.text("SELECT * FROM user_account")) for v in row
        )
    assert "situation" not in columns
    assert "dementie" not in raw and "kanker" not in raw
    [(user_id, explanation, consent_id, source, kind)] = rows
    assert (user_id, consent_id, source, kind) == (1, "c1", "registratie", "vraag")
    assert "dementie" not in explanation
    with app.app_context():
        assert crypto.decrypt(explanation) == "Mijn vader heeft dementie."
    engine.dispose()


def test_upgrading_keeps_every_row_that_hangs_off_an_account(tmp_path, migration_url):
    """Dropping a column of user_account must not copy and drop the table on SQLite: with
    foreign keys on, dropping the old table deletes every row that cascades from it (intake
    answers, audit events, ...) and unlinks the consent log."""
    from alembic import command

    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    command.upgrade(config, "5e1f0c2a9b7d")  # before the two migrations that drop a column
    engine = app.extensions["db_engine"]
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO user_account (id, email, name, situation, password_hash, role, "
                "created_at, restricted, objects_profiling, objects_marketing, "
                "objects_open_tracking, last_active_at, session_version) VALUES (1, "
                "'a@example.nl', 'A', '', 'x', 'caregiver', :now, false, false, false, false, "
                ":now, 1)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO profile_answer (user_id, question_key, version, health, value, "
                "updated_at, answer_label) VALUES (1, 'relatie', '1', false, 'x', :now, 'x')"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO consent_record (at, consent_id, user_id, scope, accepted, refused, "
                "method, policy_version, text_hash) VALUES (:now, 'c', 1, 'health', 'health', "
                "'', 'custom', '1', 'h')"
            ),
            {"now": now},
        )
    with app.app_context():
        command.upgrade(config, "head")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM profile_answer")).scalar() == 1
        assert connection.execute(sa.text("SELECT user_id FROM consent_record")).scalar() == 1
    engine.dispose()


def test_lines_of_products_that_reveal_health_are_sealed_by_the_migration(tmp_path, migration_url):
    """Order lines made before products were marked: a line of a marked starter product is
    sealed (an erased account's only made generic); every other line stays as it was."""
    from alembic import command

    from app.shop import lines

    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    command.upgrade(config, "a7c4e2f19b38")
    engine = app.extensions["db_engine"]
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO user_account (id, email, name, password_hash, role, created_at, "
                "restricted, objects_profiling, objects_marketing, objects_open_tracking, "
                "last_active_at) VALUES (1, 'a@example.nl', 'A', 'x', "
                "'caregiver', :now, false, false, false, false, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO shop_partner (slug, name, needs, privacy_url) VALUES "
                "('zachtjes-zorgwaren', 'Zachtjes', 'name', 'https://example.nl')"
            )
        )
        for slug, title in (
            ("pakket-incontinentiebroekjes", "Pakket incontinentiebroekjes"),
            ("soepenpakket-zes-porties", "Soepenpakket"),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO shop_product (slug, partner_slug, title, kind, price_cents, "
                    "vat_rate, shipping, active, synced_at) VALUES (:slug, "
                    "'zachtjes-zorgwaren', :title, 'product', 100, 21, true, true, :now)"
                ),
                {"slug": slug, "title": title, "now": now},
            )
        for order_id, user_id in ((1, 1), (2, None)):
            connection.execute(
                sa.text(
                    "INSERT INTO shop_order (id, number, user_id, checkout_token, status, "
                    "total_cents, payment_attempts, created_at, refunded_cents, "
                    "idempotency_key) VALUES (:id, :number, :user_id, :token, 'paid', 200, 1, "
                    ":now, 0, :key)"
                ),
                {
                    "id": order_id,
                    "number": f"ZG-{order_id}",
                    "user_id": user_id,
                    "token": f"t{order_id}",
                    "now": now,
                    "key": f"k{order_id}",
                },
            )
            for slug, title in (
                ("pakket-incontinentiebroekjes", "Pakket incontinentiebroekjes"),
                ("soepenpakket-zes-porties", "Soepenpakket"),
            ):
                connection.execute(
                    sa.text(
                        "INSERT INTO shop_order_line (order_id, product_slug, partner_slug, "
                        "title, quantity, unit_price_cents, vat_rate, line_total_cents) VALUES "
                        "(:order_id, :slug, 'zachtjes-zorgwaren', :title, 1, 100, 21, 100)"
                    ),
                    {"order_id": order_id, "slug": slug, "title": title},
                )
    with app.app_context():
        command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT order_id, product_slug, title, sealed, line_total_cents "
                "FROM shop_order_line ORDER BY id"
            )
        ).all()
    assert "incontinentie" not in " ".join(str(v) for row in rows for v in row[:3])
    (own_pads, own_soup, erased_pads, erased_soup) = rows
    assert own_pads[1:3] == (None, "hulpmiddel") and own_pads[4] == 100
    with app.app_context():
        assert lines.unsealed(own_pads[3], own_pads[0]) == {
            "title": "Pakket incontinentiebroekjes",
            "product_slug": "pakket-incontinentiebroekjes",
        }
    assert erased_pads[1:4] == (None, "hulpmiddel", None)
    assert own_soup[1:4] == erased_soup[1:4] == ("soepenpakket-zes-porties", "Soepenpakket", None)
    # Back down: the person's line is unsealed; the erased one cannot come back, and says so.
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM shop_order_line WHERE order_id = 2"))
    with app.app_context():
        command.downgrade(config, "a7c4e2f19b38")
    with engine.connect() as connection:
        first = connection.execute(
            sa.text("SELECT product_slug, title FROM shop_order_line ORDER BY id")
        ).first()
    assert tuple(first) == ("pakket-incontinentiebroekjes", "Pakket incontinentiebroekjes")
    engine.dispose()
