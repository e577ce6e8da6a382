"""R4 (P37, P32): erasing an account leaves nothing personal in the database."""

import logging
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app import db
from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.core.personal_data import Erasure
from app.db import utcnow
from app.enums import EnumString
from app.payments.models import PaymentRow
from app.privacy import erasure
from app.privacy.models import PrivacyRequest
from app.shop.models import Handoff, Order, OrderLine, PartnerNotice
from app.tables import metadata
from tests.conftest import (
    DEFAULT_PASSWORD,
    EXTERNAL_DB,
    database_dump,
    database_files,
    registered,
    registered_category,
)
from tests.privacy.conftest import PARTNER

# A "~" is in no base64, hex or number: no ciphertext or token left in the dump can hold the
# canary by chance (with "ZQXK" a Fernet token in a mail queued by the erasure once did).
CANARY = "ZQ~K"
# Words that mark a column as personal or free text: such a column may only survive erasure
# when its category empties it (`anonymise`).
PERSONAL_WORDS = (
    "email",
    "name",
    "phone",
    "street",
    "house",
    "postcode",
    "city",
    "address",
    "situation",
    "note",
    "detail",
    "reason",
    "message",
    "body",
    "payload",
    "outcome",
    "value",
    "answer",
)


def is_text(column: sa.Column) -> bool:
    return isinstance(getattr(column.type, "impl", column.type), sa.String | sa.Text)


def test_columns_that_survive_erasure_are_not_personal(app):
    for category in registered(app):
        if category.erasure == Erasure.DELETE:
            continue
        table = metadata.tables[category.table]
        for column in table.columns:
            personal = any(word in column.name for word in PERSONAL_WORDS)
            if personal and is_text(column):
                kept = (*category.anonymise, *category.about_others)
                assert column.name in kept, (category.table, column.name)


class Filler:
    """Puts one row in every registered table for one person, with a canary in every value
    that erasure must remove."""

    def __init__(self, connection: sa.Connection, app) -> None:
        self.connection = connection
        self.app = app
        self.refs: dict[tuple[str, str], object] = {}
        self.counter = 0

    def text(self, column: sa.Column, canary: bool) -> str:
        self.counter += 1
        length = getattr(getattr(column.type, "impl", column.type), "length", None) or 400
        value = f"{CANARY}{self.counter:03d}" if canary else f"gewoon{self.counter:03d}"
        return value[:length]

    def row(self, table: sa.Table, user_id: int | None) -> None:
        category = registered_category(self.app, table.name)
        values = {}
        for column in table.columns:
            targets = [fk.column for fk in column.foreign_keys]
            if targets:
                target = targets[0]
                values[column.name] = (
                    user_id
                    if target.table.name == "user_account"
                    else self.refs[(target.table.name, target.name)]
                )
                continue
            subject = category is not None and category.parent is None and not column.primary_key
            if subject and column.name == category.subject_column:  # no foreign key
                values[column.name] = user_id
                continue
            single_key = len(table.primary_key.columns) == 1
            if column.primary_key and single_key and isinstance(column.type, sa.Integer):
                continue  # the database numbers it
            canary = category is not None and (
                category.erasure == Erasure.DELETE or column.name in category.anonymise
            )
            if isinstance(column.type, EnumString):
                # A status takes only its own values: the last one (a hand-off withheld, so
                # that erasure has no partner to tell, as with the made-up value before).
                values[column.name] = list(column.type.enum_class)[-1].value
            elif is_text(column):
                values[column.name] = self.text(column, canary)
            elif isinstance(column.type, sa.Boolean):
                values[column.name] = True
            elif isinstance(column.type, sa.Integer):
                values[column.name] = 7
            elif isinstance(column.type, sa.Date):
                values[column.name] = utcnow().date()
            else:
                values[column.name] = utcnow()
        result = self.connection.execute(sa.insert(table).values(**values))
        key = result.inserted_primary_key
        assert key is not None
        stored = {**values, **dict(zip(table.primary_key.columns.keys(), key, strict=True))}
        for name, value in stored.items():
            self.refs[(table.name, name)] = value


def test_p37_erasure_leaves_no_canary_in_a_database_dump(app, make_user):
    keeper = make_user(email="blijft@example.nl", name="Bea Blijft")
    engine = app.extensions["db_engine"]
    with engine.begin() as connection:
        filler = Filler(connection, app)
        user_table = metadata.tables["user_account"]
        filler.row(user_table, None)  # first: some tables link to it without a foreign key
        user_id = filler.refs[("user_account", "id")]
        assert isinstance(user_id, int)
        for table in metadata.sorted_tables:  # parents first
            if table is not user_table:
                filler.row(table, user_id)
    before = database_dump(app)
    tables = {c.table for c in registered(app)}
    assert before.count(CANARY) >= len(tables), "every registered table holds a canary"
    assert "blijft@example.nl" in before

    with app.app_context():
        session = db.session()
        erasure.erase_account(session, session.get_one(User, user_id))
        session.commit()

    after = database_dump(app)
    assert CANARY not in after, [line for line in after.splitlines() if CANARY in line][:5]
    assert "blijft@example.nl" in after and "Bea Blijft" in after  # others keep everything
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "user_account" for fk in column.foreign_keys):
                    linked = connection.execute(
                        sa.select(sa.func.count()).where(column == user_id)
                    ).scalar_one()
                    assert linked == 0, f"{table.name}.{column.name} still points at the account"
    assert keeper.id != user_id


@pytest.mark.skipif(bool(EXTERNAL_DB), reason="the raw-file check is about SQLite's own files")
def test_erased_values_are_overwritten_in_the_sqlite_files(app, client, caregiver, auth, session):
    client.submit("/account", {"name": "Zxqvbn Canarie", "phone": ""})
    client.submit(
        "/privacy/verwijderen", {"password": "een lange zin als wachtwoord", "confirm": "y"}
    )
    files = database_files(app)  # as they are: the database file, its -wal and its -shm
    assert len(files) == 3, list(files)
    for name, raw in files.items():
        assert b"Zxqvbn" not in raw and b"carla@example.nl" not in raw, name


def test_erasing_via_the_centre_needs_the_password_and_ends_every_session(
    app, client, profiled, ordered, session, outbox
):
    other_device = app.test_client()
    other_device.submit(
        "/inloggen", {"email": "carla@example.nl", "password": "een lange zin als wachtwoord"}
    )
    assert other_device.get("/account").status_code == 200

    page = client.get("/privacy/verwijderen").get_data(as_text=True)
    assert "Wat verdwijnt" in page and "Wat blijft, zonder je naam" in page
    assert "Bestellingen" in page and "Toestemmingen" in page  # what stays, and why

    wrong = client.submit(
        "/privacy/verwijderen", {"password": "niet mijn wachtwoord", "confirm": "y"}
    )
    assert wrong.status_code == 422 and "Je wachtwoord klopt niet." in wrong.get_data(as_text=True)
    unticked = client.submit("/privacy/verwijderen", {"password": "een lange zin als wachtwoord"})
    assert unticked.status_code == 422 and "Vink aan" in unticked.get_data(as_text=True)
    assert session.get(User, profiled.id) is not None

    done = client.submit(
        "/privacy/verwijderen", {"password": "een lange zin als wachtwoord", "confirm": "y"}
    )
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert session.get(User, profiled.id) is None
    for device in (client, other_device):
        response = device.get("/account")
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]

    # The fiscal record stays, without the person; the partner is asked to erase too.
    order = session.get(Order, ordered.id)
    assert order.user_id is None and order.customer_name is None and order.street is None
    assert order.total_cents == 12900 and order.number == ordered.number
    assert session.exec(select(OrderLine)).all() and session.exec(select(PaymentRow)).all()
    assert session.exec(select(Handoff)).all() == []
    [notice] = session.exec(select(PartnerNotice).where(PartnerNotice.kind == "verwijdering")).all()
    assert notice.partner_slug == PARTNER and notice.order_numbers == ordered.number
    assert notice.user_id is None and notice.payload == ""
    [logged] = session.exec(
        select(PrivacyRequest).where(PrivacyRequest.kind == "verwijdering")
    ).all()
    assert logged.user_id is None and logged.completed_at is not None
    assert "account en gegevens verwijderd" in logged.outcome
    assert outbox.last()["Subject"] == "Je account is verwijderd"
    assert outbox.last()["To"] == "carla@example.nl"


def test_p32_sessions_and_logs_with_the_user_id_end_with_the_account(
    app, client, make_user, session, caplog
):
    """Every session of the account ends (a copied session or remember-me cookie opens
    nothing, not even an account made later that gets the same number), every log row that
    names the account goes or loses the link, and the application log never names the person."""
    caplog.set_level(logging.DEBUG)
    staff = make_user(role=Role.STAFF, email="medewerker@example.nl", name="Mia Medewerker")
    caregiver = make_user(email="carla@example.nl", name="Carla Mantel")  # the newest account
    client.submit("/inloggen", {"email": "carla@example.nl", "password": DEFAULT_PASSWORD})
    remembered = app.test_client()
    assert (
        remembered.submit(
            "/inloggen",
            {"email": "carla@example.nl", "password": DEFAULT_PASSWORD, "remember": "y"},
        ).status_code
        == 303
    )
    copied = {name: remembered.get_cookie(name).value for name in ("session", "remember_token")}
    client.submit("/inloggen", {"email": "carla@example.nl", "password": "niet goed"})
    client.submit("/account", {"name": "Carla Mantel", "phone": ""})
    with app.app_context():
        s = db.session()
        audit.record(s, action="privacyverzoek: download", user_id=caregiver.id, actor_id=staff.id)
        audit.record(s, action="iets namens een ander", user_id=staff.id, actor_id=caregiver.id)
        s.commit()
    logged = session.exec(
        select(AuditEvent).where(
            sa.or_(AuditEvent.user_id == caregiver.id, AuditEvent.actor_id == caregiver.id)
        )
    ).all()
    assert len(logged) >= 4  # created, logged in twice, a failed login, changes, staff

    erased = client.submit("/privacy/verwijderen", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert erased.status_code == 303

    # Logs: no row names the account; another person's row keeps itself, without the link.
    assert session.exec(select(AuditEvent).where(AuditEvent.user_id == caregiver.id)).all() == []
    [kept] = session.exec(
        select(AuditEvent).where(AuditEvent.action == "iets namens een ander")
    ).all()
    assert kept.user_id == staff.id and kept.actor_id is None
    with app.extensions["db_engine"].connect() as connection:
        for table in metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "user_account" for fk in column.foreign_keys):
                    still = connection.execute(
                        sa.select(sa.func.count()).where(column == caregiver.id)
                    ).scalar_one()
                    assert still == 0, f"{table.name}.{column.name} still names the account"
    assert not [r for r in caplog.records if "carla" in r.getMessage().lower()]

    # Sessions: whatever was copied opens nothing, also once a new account gets the number.
    newcomer = make_user(email="nieuw@example.nl", name="Nina Nieuw")
    if not EXTERNAL_DB:
        assert newcomer.id == caregiver.id  # SQLite hands out the highest number again
    for cookies in ({"session": copied["session"]}, {"remember_token": copied["remember_token"]}):
        device = app.test_client()
        for name, value in cookies.items():
            device.set_cookie(name, value)
        response = device.get("/account")
        assert response.status_code == 302, (cookies.keys(), newcomer.id == caregiver.id)
        assert "/inloggen" in response.headers["Location"]
    assert remembered.get("/account").status_code == 302


def test_the_erase_page_needs_a_login(client):
    response = client.get("/privacy/verwijderen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert client.post("/privacy/verwijderen", data={"confirm": "y"}).status_code in (302, 400)


def test_erasure_when_nothing_else_was_ever_stored(app, make_user, session):
    user = make_user()
    with app.app_context():
        s = db.session()
        erasure.erase_account(s, s.get_one(User, user.id))
        s.commit()
    assert session.get(User, user.id) is None
    assert isinstance(utcnow(), datetime)
