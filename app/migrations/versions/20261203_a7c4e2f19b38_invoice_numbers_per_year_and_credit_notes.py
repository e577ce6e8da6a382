"""invoice numbers per calendar year for paid orders, and credit notes for refunds

Orders paid before this migration get their invoice numbers here, in the order they were paid,
per calendar year in Dutch time; the counters continue from there.

Revision ID: a7c4e2f19b38
Revises: 0a7c5e9d1b34
Create Date: 2026-12-03 09:00:00
"""

from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

import app.db

revision = 'a7c4e2f19b38'
down_revision = '0a7c5e9d1b34'
branch_labels = None
depends_on = None

orders = sa.table(
    'shop_order',
    sa.column('id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('paid_at', app.db.UTCDateTime(timezone=True)),
    sa.column('invoice_number', sa.String),
)
counters = sa.table(
    'shop_invoice_counter',
    sa.column('series', sa.String),
    sa.column('year', sa.Integer),
    sa.column('last', sa.Integer),
)


def upgrade() -> None:
    op.create_table('shop_invoice_counter',
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'year')
    )
    op.create_table('shop_credit_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('rates', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('issued_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['refund_id'], ['shop_refund.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('refund_id')
    )
    op.create_index(op.f('ix_shop_credit_note_order_id'), 'shop_credit_note', ['order_id'], unique=False)
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.create_unique_constraint('uq_shop_order_invoice_number', ['invoice_number'])

    connection = op.get_bind()
    amsterdam = ZoneInfo('Europe/Amsterdam')
    last: dict[int, int] = {}
    paid = connection.execute(
        sa.select(orders.c.id, orders.c.paid_at)
        .where(orders.c.status == 'paid', orders.c.paid_at.is_not(None))
        .order_by(orders.c.paid_at, orders.c.id)
    ).all()
    for order_id, paid_at in paid:
        year = paid_at.astimezone(amsterdam).year
        last[year] = last.get(year, 0) + 1
        connection.execute(
            orders.update()
            .where(orders.c.id == order_id)
            .values(invoice_number=f'F{year}-{last[year]:06d}')
        )
    for year, number in last.items():
        connection.execute(counters.insert().values(series='F', year=year, last=number))


def downgrade() -> None:
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_constraint('uq_shop_order_invoice_number', type_='unique')
        batch_op.drop_column('invoice_number')
    op.drop_index(op.f('ix_shop_credit_note_order_id'), table_name='shop_credit_note')
    op.drop_table('shop_credit_note')
    op.drop_table('shop_invoice_counter')
