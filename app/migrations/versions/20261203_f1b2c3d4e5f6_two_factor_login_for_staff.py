"""Second login step for staff and administrators (TOTP and recovery codes)

Revision ID: f1b2c3d4e5f6
Revises: e5a8c31f9d20
Create Date: 2026-12-03 08:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

import app.db

# revision identifiers, used by Alembic.
revision = 'f1b2c3d4e5f6'
down_revision = 'e5a8c31f9d20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_two_factor',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('account_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('used_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_account_recovery_code_user_id'), 'account_recovery_code', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_account_recovery_code_user_id'), table_name='account_recovery_code')
    op.drop_table('account_recovery_code')
    op.drop_table('account_two_factor')
