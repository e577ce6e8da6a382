"""Hulplijn requests: taken by a makelaar

Revision ID: 0a7c5e9d1b34
Revises: f1b2c3d4e5f6
Create Date: 2026-12-03 08:30:00

On SQLite the table is copied (batch mode, needed for the foreign key); no other table points
at helpline_request, so the copy loses nothing. On PostgreSQL these are plain ALTERs.
"""

from alembic import op
import sqlalchemy as sa

import app.db

# revision identifiers, used by Alembic.
revision = '0a7c5e9d1b34'
down_revision = 'f1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('helpline_request') as batch:
        batch.add_column(sa.Column('taken_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('taken_by', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_helpline_request_taken_by', 'user_account', ['taken_by'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('helpline_request') as batch:
        batch.drop_constraint('fk_helpline_request_taken_by', type_='foreignkey')
        batch.drop_column('taken_by')
        batch.drop_column('taken_at')
