"""Invariant 1: every table that holds personal data is registered, every column described (P03)."""

import sqlalchemy as sa

from app.tables import metadata
from tests.conftest import registered, registered_category

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


def test_p03_every_personal_table_is_registered(app):
    missing = [
        t.name
        for t in metadata.sorted_tables
        if refers_to_a_person(t) and not registered_category(app, t.name)
    ]
    assert not missing, f"register these tables in the personal-data registry: {missing}"


def test_p03_every_column_of_a_registered_table_has_a_purpose(app):
    for category in registered(app):
        table = metadata.tables[category.table]
        undescribed = {c.name for c in table.columns} - set(category.fields)
        unknown = set(category.fields) - {c.name for c in table.columns}
        assert not undescribed, f"{category.table}: describe {sorted(undescribed)}"
        assert not unknown, f"{category.table}: fields that are not columns: {sorted(unknown)}"


def test_every_category_declares_the_rules_the_privacy_centre_needs(app):
    for category in registered(app):
        assert category.table in metadata.tables
        assert category.purpose and category.name
        assert category.retention.rule and category.retention.description
        assert category.erasure and category.legal_basis
        columns = metadata.tables[category.table].columns
        if category.parent:
            column, parent = category.parent
            assert column in columns and registered_category(app, parent) is not None, (
                category.table
            )
        else:
            assert category.subject_column in columns, category.table


def test_the_check_would_catch_an_unregistered_table(app):
    scratch = sa.MetaData()
    sa.Table("user_account", scratch, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        "newsletter_signup",
        scratch,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("user_account.id")),
    )
    assert refers_to_a_person(table) and registered_category(app, table.name) is None


def test_every_category_has_an_export_an_erasure_and_a_retention_rule_the_job_applies(app):
    from app.core.personal_data import RETENTION_RULES, Erasure

    for category in registered(app):
        table = metadata.tables[category.table]
        rule = category.retention
        assert isinstance(category.export, bool), category.table
        assert category.erasure in Erasure, category.table
        assert rule.rule in RETENTION_RULES, (category.table, rule.rule)
        if rule.rule == "age":
            assert rule.column in table.columns and (rule.days or rule.years), category.table
        if rule.rule == "fiscal" and not category.parent:
            assert rule.column in table.columns, category.table
        if category.parent:
            parent = registered_category(app, category.parent[1])
            # Rows that belong to a parent row go with it.
            assert rule.rule in ("with_parent", parent.retention.rule), category.table
        else:
            assert rule.rule != "with_parent", category.table
        for column in (*category.anonymise, *category.hidden):
            assert column in table.columns, (category.table, column)
        for column in category.anonymise:
            column = table.columns[column]
            text = isinstance(getattr(column.type, "impl", column.type), sa.String)
            assert column.nullable or text, (category.table, column.name)
        if category.erasure != Erasure.DELETE and not category.parent:
            assert table.columns[category.subject_column].nullable, category.table


def test_every_category_is_on_the_statement_page(app, client):
    html = client.get("/privacy-verklaring").get_data(as_text=True)
    for category in registered(app):
        assert f'data-table="{category.table}"' in html and category.name in html
