"""deliveries to partners: whether each hand-off and notice really arrived

Hand-offs and notices made before this migration were never sent. They get a delivery marked
failed ("nooit verstuurd"), so staff see them on /staff/partners and decide to send them with
"opnieuw proberen"; nothing old goes out by itself.

Revision ID: c2f6066645de
Revises: b3d9f6a2c184
Create Date: 2026-12-03 11:41:47
"""

import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

import app.db

revision = 'c2f6066645de'
down_revision = 'b3d9f6a2c184'
branch_labels = None
depends_on = None

NEVER_SENT = 'nooit verstuurd (van voor de koppeling met partners)'

handoffs = sa.table(
    'shop_handoff',
    sa.column('id', sa.Integer),
    sa.column('order_id', sa.Integer),
    sa.column('partner_slug', sa.String),
    sa.column('status', sa.String),
    sa.column('created_at', app.db.UTCDateTime(timezone=True)),
)
orders = sa.table('shop_order', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer))
notices = sa.table(
    'privacy_partner_notice',
    sa.column('id', sa.Integer),
    sa.column('user_id', sa.Integer),
    sa.column('partner_slug', sa.String),
    sa.column('created_at', app.db.UTCDateTime(timezone=True)),
    sa.column('sent_at', app.db.UTCDateTime(timezone=True)),
)
deliveries = sa.table(
    'shop_partner_delivery',
    sa.column('user_id', sa.Integer),
    sa.column('partner_slug', sa.String),
    sa.column('handoff_id', sa.Integer),
    sa.column('notice_id', sa.Integer),
    sa.column('key', sa.String),
    sa.column('channel', sa.String),
    sa.column('status', sa.String),
    sa.column('attempts', sa.Integer),
    sa.column('last_error', sa.String),
    sa.column('created_at', app.db.UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table('shop_partner_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('partner_slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('handoff_id', sa.Integer(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_try_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['handoff_id'], ['shop_handoff.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['privacy_partner_notice.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('handoff_id'),
    sa.UniqueConstraint('key'),
    sa.UniqueConstraint('notice_id')
    )
    with op.batch_alter_table('shop_partner_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_partner_delivery_partner_slug'), ['partner_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_partner_delivery_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_partner_delivery_user_id'), ['user_id'], unique=False)

    connection = op.get_bind()
    rows = []
    for handoff_id, slug, user_id, created_at in connection.execute(
        sa.select(handoffs.c.id, handoffs.c.partner_slug, orders.c.user_id, handoffs.c.created_at)
        .join(orders, orders.c.id == handoffs.c.order_id)
        .where(handoffs.c.status == 'klaar')
        .order_by(handoffs.c.id)
    ):
        rows.append({'user_id': user_id, 'partner_slug': slug, 'handoff_id': handoff_id,
                     'notice_id': None, 'created_at': created_at})
    for notice_id, slug, user_id, created_at in connection.execute(
        sa.select(notices.c.id, notices.c.partner_slug, notices.c.user_id, notices.c.created_at)
        .where(notices.c.sent_at.is_(None))
        .order_by(notices.c.id)
    ):
        rows.append({'user_id': user_id, 'partner_slug': slug, 'handoff_id': None,
                     'notice_id': notice_id, 'created_at': created_at})
    now = datetime.now(timezone.utc)
    for row in rows:
        connection.execute(deliveries.insert().values(
            **{**row, 'created_at': row['created_at'] or now},
            key=secrets.token_hex(16),
            channel='email',
            status='mislukt',
            attempts=0,
            last_error=NEVER_SENT,
        ))


def downgrade() -> None:
    with op.batch_alter_table('shop_partner_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_partner_delivery_user_id'))
        batch_op.drop_index(batch_op.f('ix_shop_partner_delivery_status'))
        batch_op.drop_index(batch_op.f('ix_shop_partner_delivery_partner_slug'))

    op.drop_table('shop_partner_delivery')
