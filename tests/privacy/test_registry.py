"""Invariant 1: every table that holds personal data is registered, every column described (P03)."""

import sqlalchemy as sa

from app.privacy.registry import categories, category_for
from app.tables import metadata

# Column names that hold personal data wherever they appear.
PERSONAL_COLUMN_NAMES = {
    "email",
    "name",
    "phone",
    "address",
    "street",
    "postcode",
    "city",
    "ip",
    "ip_address",
    "birth_date",
    "situation",
    "note",
    "notes",
    "message",
    "body",
    "iban",
}


def refers_to_a_person(table: sa.Table) -> bool:
    for column in table.columns:
        if column.info.get("personal") is False:  # declared not personal, e.g. a company's name
            continue
        if column.name in PERSONAL_COLUMN_NAMES or column.info.get("personal"):
            return True
        if any(fk.column.table.name == "user_account" for fk in column.foreign_keys):
            return True
    return table.name == "user_account"


def test_p03_every_personal_table_is_registered():
    missing = [
        t.name for t in metadata.sorted_tables if refers_to_a_person(t) and not category_for(t.name)
    ]
    assert not missing, f"register these tables in the personal-data registry: {missing}"


def test_p03_every_column_of_a_registered_table_has_a_purpose():
    for category in categories():
        table = metadata.tables[category.table]
        undescribed = {c.name for c in table.columns} - set(category.fields)
        unknown = set(category.fields) - {c.name for c in table.columns}
        assert not undescribed, f"{category.table}: describe {sorted(undescribed)}"
        assert not unknown, f"{category.table}: fields that are not columns: {sorted(unknown)}"


def test_every_category_declares_the_rules_the_privacy_centre_needs():
    for category in categories():
        assert category.table in metadata.tables
        assert category.purpose and category.name
        assert category.retention.rule and category.retention.description
        assert category.erasure and category.legal_basis
        columns = metadata.tables[category.table].columns
        if category.parent:
            column, parent = category.parent
            assert column in columns and category_for(parent) is not None, category.table
        else:
            assert category.subject_column in columns, category.table


def test_the_check_would_catch_an_unregistered_table():
    scratch = sa.MetaData()
    sa.Table("user_account", scratch, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        "newsletter_signup",
        scratch,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("user_account.id")),
    )
    assert refers_to_a_person(table) and category_for(table.name) is None
