"""Access log (NEN 7513): append-only and hash-chained

Revision ID: e5a8c31f9d20
Revises: 7d3e91a0c5b2
Create Date: 2026-12-03 07:30:00

Every read or action of staff on someone's records gets an entry. The database refuses DELETE and
every UPDATE except the one erasure does (emptying the link to the person and the reason while a
row sits in access_log_unlock): triggers on SQLite, a trigger function on PostgreSQL, as the
model declares them.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

import app.db
from app.audit.models import DROP_TRIGGERS, TRIGGERS

# revision identifiers, used by Alembic.
revision = 'e5a8c31f9d20'
down_revision = '7d3e91a0c5b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_log_unlock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('subject_salt', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('subject_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash')
    )
    op.create_index(op.f('ix_access_log_at'), 'access_log', ['at'], unique=False)
    op.create_index(op.f('ix_access_log_subject_id'), 'access_log', ['subject_id'], unique=False)
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index(op.f('ix_access_log_subject_id'), table_name='access_log')
    op.drop_index(op.f('ix_access_log_at'), table_name='access_log')
    op.drop_table('access_log')
    op.drop_table('access_log_unlock')
