"""One mailbox, one account: addresses are normalised (NFKC, the domain case-folded) before they
are stored or looked up, everywhere, and the stored ones were normalised by a migration (A1)."""

import logging

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import select

from app.accounts.addresses import normalise_email
from app.accounts.models import User
from app.core.cli import alembic_config
from app.db import utcnow
from tests.conftest import DEFAULT_PASSWORD, build_app, confirm_registration
from tests.test_migrations import migration_url  # noqa: F401 - the fixture

REVISION_BEFORE = "433b2db36a6e"
REVISION = "c1773af94321"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("anna@ＥＸＡＭＰＬＥ.nl", "anna@example.nl"),
        ("ａｎｎａ＠ｅｘａｍｐｌｅ．ｎｌ", "anna@example.nl"),
        ("𝐚𝐧𝐧𝐚@𝐞𝐱𝐚𝐦𝐩𝐥𝐞.nl", "anna@example.nl"),
        ("  Anna@Example.NL  ", "anna@example.nl"),
        ("anna@example.nl.", "anna@example.nl"),
        ("anna@example。nl", "anna@example.nl"),
        ("anna@xn--bcher-kva.nl", "anna@bücher.nl"),
        ("anna@BÜCHER.nl", "anna@bücher.nl"),
        # Kept as typed (lowercased): they can be different mailboxes at some providers.
        ("a.n.n.a+zorg@example.nl", "a.n.n.a+zorg@example.nl"),
        ("straße@straße.de", "straße@straße.de"),
    ],
)
def test_addresses_are_normalised(typed, stored):
    assert normalise_email(typed) == stored


def test_a_full_width_address_cannot_make_a_second_account(app, client, make_user, session, outbox):
    make_user(email="anna@example.nl", name="Anna")
    response = client.submit(
        "/registreren",
        {
            "name": "Tweede Anna",
            "email": "anna@ＥＸＡＭＰＬＥ.nl",
            "password": "een andere lange zin",
            "password_confirm": "een andere lange zin",
        },
    )
    assert response.status_code == 200
    [message] = outbox.messages()
    assert message["To"] == "anna@example.nl"
    assert message["Subject"] == "Iemand wilde een account maken met je e-mailadres"
    assert [u.email for u in session.exec(select(User)).all()] == ["anna@example.nl"]


def test_a_registration_stores_the_normalised_address(client, session, outbox):
    client.submit(
        "/registreren",
        {
            "name": "Anna",
            "email": "Anna@ＥＸＡＭＰＬＥ.NL",
            "password": DEFAULT_PASSWORD,
            "password_confirm": DEFAULT_PASSWORD,
        },
    )
    assert outbox.last()["To"] == "anna@example.nl"
    confirm_registration(client, outbox, DEFAULT_PASSWORD)
    assert session.exec(select(User.email)).one() == "anna@example.nl"


def test_every_lookup_normalises(client, auth, make_user, outbox):
    make_user(email="anna@example.nl")
    assert auth.login("ＡＮＮＡ@ｅｘａｍｐｌｅ.ｎｌ").status_code == 303
    auth.logout()
    client.submit("/wachtwoord-vergeten", {"email": "anna@ＥＸＡＭＰＬＥ.nl"})
    assert [m["To"] for m in outbox.messages()] == ["anna@example.nl"]
    auth.login("anna@example.nl")
    own = client.submit(
        "/account/e-mailadres", {"email": "ＡＮＮＡ@example.nl", "password": DEFAULT_PASSWORD}
    )
    assert "Dit is al je e-mailadres." in own.get_data(as_text=True)


def _insert_user(connection, table: sa.Table, **values) -> None:
    now = utcnow().replace(tzinfo=None)
    row: dict[str, object] = {}
    for column in table.columns:
        if column.name in values or column.nullable or column.name == "id":
            continue
        python_type = column.type.python_type
        if python_type is bool:
            row[column.name] = False
        elif python_type is int:
            row[column.name] = 1
        elif python_type is str:
            row[column.name] = ""
        else:
            row[column.name] = now
    connection.execute(sa.insert(table).values(**{**row, **values}))


def test_the_migration_normalises_stored_addresses_and_leaves_collisions_alone(
    tmp_path,
    migration_url,  # noqa: F811
    caplog,
):
    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    command.upgrade(config, REVISION_BEFORE)
    engine = app.extensions["db_engine"]
    verified = utcnow().replace(tzinfo=None)
    with engine.begin() as connection:
        users = sa.Table("user_account", sa.MetaData(), autoload_with=connection)
        # What the old code stored: the address as typed, lowercased.
        _insert_user(
            connection, users, id=1, email="anna@ｅｘａｍｐｌｅ.nl", pending_email="ＮＩＥＵＷ@x.nl"
        )
        _insert_user(connection, users, id=2, email="bob@example.nl")
        _insert_user(
            connection, users, id=3, email="bob@ｅｘａｍｐｌｅ.nl", email_verified_at=verified
        )
        _insert_user(connection, users, id=4, email="cas@ｅｘａｍｐｌｅ.nl")
        _insert_user(connection, users, id=5, email="cas@example.nl.", email_verified_at=verified)
    with caplog.at_level(logging.WARNING):
        command.upgrade(config, REVISION)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, email, pending_email FROM user_account ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [
        (1, "anna@example.nl", "nieuw@x.nl"),
        (2, "bob@example.nl", None),  # the account logins reached keeps the address
        (3, "bob@ｅｘａｍｐｌｅ.nl", None),  # left as it was, for staff to decide
        (4, "cas@ｅｘａｍｐｌｅ.nl", None),
        (5, "cas@example.nl", None),  # the one that confirmed it
    ]
    collisions = [r.getMessage() for r in caplog.records if "address collision" in r.getMessage()]
    assert len(collisions) == 2
    assert "account 3" in collisions[0] + collisions[1]
    assert "account 4" in collisions[0] + collisions[1]
    command.downgrade(config, REVISION_BEFORE)
    engine.dispose()
