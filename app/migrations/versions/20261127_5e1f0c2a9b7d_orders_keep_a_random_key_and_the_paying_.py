"""orders keep a random key and the paying payment; payments remember checks and extra payments

Each order gets a random key for its Mollie idempotency keys (filled here for orders that
exist), so a restored backup or a second environment never sends a key Mollie saw before.
Paid orders get the payment that paid them, so any other paid payment is known as an extra one.

Revision ID: 5e1f0c2a9b7d
Revises: 433b2db36a6e
Create Date: 2026-11-27 09:00:00.000000
"""

import secrets

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import app.db


revision = '5e1f0c2a9b7d'
down_revision = '433b2db36a6e'
branch_labels = None
depends_on = None

orders = sa.table(
    'shop_order',
    sa.column('id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('idempotency_key', sa.String),
    sa.column('paid_with', sa.String),
)
payments = sa.table(
    'shop_payment',
    sa.column('id', sa.Integer),
    sa.column('order_id', sa.Integer),
    sa.column('mollie_id', sa.String),
    sa.column('status', sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('paid_with', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    with op.batch_alter_table('shop_payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('surplus_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('surplus_refund_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))

    connection = op.get_bind()
    for (order_id,) in connection.execute(sa.select(orders.c.id)).all():
        connection.execute(
            orders.update().where(orders.c.id == order_id).values(idempotency_key=secrets.token_hex(16))
        )
    first_paid = (
        sa.select(payments.c.mollie_id)
        .where(payments.c.order_id == orders.c.id, payments.c.status == 'paid')
        .order_by(payments.c.id)
        .limit(1)
        .scalar_subquery()
    )
    connection.execute(orders.update().where(orders.c.status == 'paid').values(paid_with=first_paid))

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.alter_column('idempotency_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False)
        batch_op.create_unique_constraint('uq_shop_order_idempotency_key', ['idempotency_key'])


def downgrade() -> None:
    with op.batch_alter_table('shop_payment', schema=None) as batch_op:
        batch_op.drop_column('surplus_refund_id')
        batch_op.drop_column('surplus_at')
        batch_op.drop_column('checked_at')
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_constraint('uq_shop_order_idempotency_key', type_='unique')
        batch_op.drop_column('paid_with')
        batch_op.drop_column('idempotency_key')
