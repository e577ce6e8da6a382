"""assistant answer reports

Revision ID: 9cca0de39480
Revises: cf8bf7b50a69
Create Date: 2026-12-03 19:05:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import app.db


revision = '9cca0de39480'
down_revision = 'cf8bf7b50a69'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assistant_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('article_url', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('article_title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assistant_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistant_report_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assistant_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assistant_report_created_at'))

    op.drop_table('assistant_report')
