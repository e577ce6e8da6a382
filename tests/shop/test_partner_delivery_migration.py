"""The migration that brings deliveries to partners: hand-offs and notices made before it were
never sent, so they show up as failed for staff to send, and nothing old goes out by itself."""

from datetime import UTC, datetime

import sqlalchemy as sa

from app.core.cli import alembic_config
from tests.conftest import build_app
from tests.test_migrations import migration_url  # noqa: F401 - the fixture

REVISION = "c2f6066645de"


def test_earlier_hand_offs_and_notices_wait_for_staff_as_never_sent(
    tmp_path,
    migration_url,  # noqa: F811
):
    from alembic import command

    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    command.upgrade(config, "b3d9f6a2c184")
    engine = app.extensions["db_engine"]
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO shop_order (id, number, checkout_token, status, total_cents, "
                "payment_attempts, idempotency_key, created_at, refunded_cents) "
                "VALUES (1, 'ZG-1', 't1', 'paid', 1000, 1, 'k1', :now, 0)"
            ),
            {"now": now},
        )
        for id_, slug, status in ((1, "soepterrine", "klaar"), (2, "pauze", "tegengehouden")):
            connection.execute(
                sa.text(
                    "INSERT INTO shop_handoff (id, order_id, partner_slug, fields, payload, "
                    "status, created_at) VALUES (:id, 1, :slug, 'name', '{}', :status, :now)"
                ),
                {"id": id_, "slug": slug, "status": status, "now": now},
            )
        for id_, sent in ((1, None), (2, now)):
            connection.execute(
                sa.text(
                    "INSERT INTO privacy_partner_notice (id, partner_slug, kind, order_numbers, "
                    "payload, created_at, sent_at) "
                    "VALUES (:id, 'soepterrine', 'verwijdering', 'ZG-1', '{}', :now, :sent)"
                ),
                {"id": id_, "now": now, "sent": sent},
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT handoff_id, notice_id, status, last_error, key "
                "FROM shop_partner_delivery ORDER BY id"
            )
        ).all()
        jobs = connection.execute(sa.text("SELECT count(*) FROM job_queue")).scalar_one()
    # The withheld hand-off carried nothing and the notice sent before needs nothing.
    assert [(h, n, s) for h, n, s, _, _ in rows] == [(1, None, "mislukt"), (None, 1, "mislukt")]
    assert all("nooit verstuurd" in error for _, _, _, error, _ in rows)
    assert len({key for *_, key in rows}) == 2
    assert jobs == 0
    command.downgrade(config, "b3d9f6a2c184")
    with engine.connect() as connection:
        assert "shop_partner_delivery" not in sa.inspect(connection).get_table_names()
    engine.dispose()
