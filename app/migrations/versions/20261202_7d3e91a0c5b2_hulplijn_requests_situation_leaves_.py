"""Hulplijn requests; the situation leaves the account

Revision ID: 7d3e91a0c5b2
Revises: c1773af94321
Create Date: 2026-12-02 19:30:00

Registration no longer asks for "je situatie in het kort": that free text invited health details
about someone else without an art. 9 ground, and was stored as plain text on the account. Each
non-empty situation of a person whose latest decision on the health consent ("health") is a yes
becomes a Hulplijn request of that person, encrypted with the app's keys (source "registratie",
linked to that consent decision); every other situation is deleted. Then the column goes.

Encrypting needs the app's keys, so run this with `flask db upgrade` (plain `alembic upgrade`
stops with a message when there is a situation to move).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

import app.db

# revision identifiers, used by Alembic.
revision = '7d3e91a0c5b2'
down_revision = 'c1773af94321'
branch_labels = None
depends_on = None


def _encrypt(text: str) -> str:
    from flask import has_app_context

    if not has_app_context():
        raise RuntimeError(
            "Er staan situaties in accounts die versleuteld moeten worden: voer deze migratie "
            "uit met `flask db upgrade`."
        )
    from app import crypto

    return crypto.encrypt(text)


def upgrade() -> None:
    op.create_table('helpline_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('moment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('consent_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('handled_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['handled_by'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('helpline_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_helpline_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_helpline_request_user_id'), ['user_id'], unique=False)

    connection = op.get_bind()
    people = connection.execute(sa.text(
        "SELECT id, name, email, phone, situation, created_at FROM user_account "
        "WHERE situation IS NOT NULL AND situation <> ''"
    )).mappings().all()
    for person in people:
        latest = connection.execute(sa.text(
            "SELECT consent_id, accepted FROM consent_record WHERE user_id = :user AND "
            "scope = 'health' ORDER BY at DESC, id DESC LIMIT 1"
        ), {"user": person["id"]}).mappings().first()
        if latest is None or latest["accepted"] != "health":
            continue  # no consent for it: the situation is simply deleted with the column
        connection.execute(sa.text(
            "INSERT INTO helpline_request (created_at, user_id, kind, name, phone, email, "
            "moment, explanation, consent_id, source, status, outcome) VALUES (:created_at, "
            ":user_id, 'vraag', :name, :phone, :email, 'maakt-niet-uit', :explanation, "
            ":consent_id, 'registratie', 'nieuw', '')"
        ), {
            "created_at": person["created_at"],
            "user_id": person["id"],
            "name": person["name"],
            "phone": person["phone"],
            "email": person["email"],
            "explanation": _encrypt(person["situation"]),
            "consent_id": latest["consent_id"],
        })

    # A plain ALTER TABLE on SQLite too (3.35+): batch mode would copy user_account and drop
    # the old table, and with foreign keys on that deletes every row that cascades from it.
    op.drop_column('user_account', 'situation')


def downgrade() -> None:
    # The moved situations stay in the Hulplijn's requests until that table goes; they are
    # not put back on the accounts as plain text.
    op.add_column(
        'user_account', sa.Column('situation', sa.Text(), nullable=False, server_default='')
    )
    with op.batch_alter_table('helpline_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_helpline_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_helpline_request_created_at'))
    op.drop_table('helpline_request')
