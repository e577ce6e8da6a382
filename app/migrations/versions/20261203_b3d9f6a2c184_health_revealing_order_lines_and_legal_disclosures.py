"""order lines of products that reveal health are sealed; legal disclosures to authorities

Products that reveal something about health (incontinence material, medical aids) are marked
`reveals_health` in the catalogue and in `shop_product`. An order line of such a product keeps
its title and product encrypted in `sealed`; in plain text it says only "hulpmiddel", with no
product slug (so `product_slug` may now be empty).

Lines ordered before this migration of the starter products marked in the same change are
sealed here. Encrypting needs the app's keys, so run this with `flask db upgrade` (plain
`alembic upgrade` stops with a message when there is a line to seal). A line of an erased
account (its order no longer has a person) is not sealed but made generic at once, as erasure
now does.

Staff record what was given to an authority about an account (`legal_disclosure`, P18).

Revision ID: b3d9f6a2c184
Revises: a7c4e2f19b38
Create Date: 2026-12-03 12:00:00
"""

import json

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

import app.db

revision = 'b3d9f6a2c184'
down_revision = 'a7c4e2f19b38'
branch_labels = None
depends_on = None

GENERIC = "hulpmiddel"
# The starter products marked `reveals_health: true` together with this migration.
HEALTH_PRODUCTS = (
    "bedbeugel",
    "douchestoel-verstelbaar",
    "lichtgewicht-rollator-met-zitje",
    "pakket-incontinentiebroekjes",
    "personenalarm-met-valdetectie",
    "set-handige-helpers",
    "toiletverhoger-met-armleuningen",
    "verzorgingsset-wassen-zonder-water",
    "wasbare-onderleggers-set-van-twee",
)

lines = sa.table(
    'shop_order_line',
    sa.column('id', sa.Integer),
    sa.column('order_id', sa.Integer),
    sa.column('product_slug', sa.String),
    sa.column('title', sa.String),
    sa.column('sealed', sa.Text),
)
orders = sa.table('shop_order', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer))


def _crypto():
    from flask import has_app_context

    if not has_app_context():
        raise RuntimeError(
            "Er zijn bestelregels die versleuteld (of weer ontsleuteld) moeten worden: voer "
            "deze migratie uit met `flask db upgrade` (of `flask db downgrade`)."
        )
    from app import crypto

    return crypto


def upgrade() -> None:
    op.create_table('legal_disclosure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('legal_basis', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('disclosed_on', sa.Date(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_legal_disclosure_user_id'), 'legal_disclosure', ['user_id'], unique=False)
    # Columns are added and dropped in place: on SQLite a batch copy of shop_product would
    # fail (order lines point at it with foreign keys on). Only shop_order_line, which nothing
    # points at, is copied, to let product_slug be empty.
    op.add_column(
        'shop_product',
        sa.Column('reveals_health', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column('shop_order_line', sa.Column('sealed', sa.Text(), nullable=True))
    with op.batch_alter_table('shop_order_line') as batch:
        batch.alter_column('product_slug', existing_type=sa.String(length=120), nullable=True)
    connection = op.get_bind()
    found = connection.execute(
        sa.select(lines.c.id, lines.c.product_slug, lines.c.title, orders.c.user_id)
        .join(orders, orders.c.id == lines.c.order_id)
        .where(lines.c.product_slug.in_(HEALTH_PRODUCTS))
    ).all()
    for line_id, slug, title, user_id in found:
        sealed = None
        if user_id is not None:
            sealed = _crypto().encrypt(
                json.dumps({"title": title, "product_slug": slug}, ensure_ascii=False)
            )
        connection.execute(
            sa.update(lines)
            .where(lines.c.id == line_id)
            .values(title=GENERIC, product_slug=None, sealed=sealed)
        )


def downgrade() -> None:
    connection = op.get_bind()
    for line_id, sealed in connection.execute(
        sa.select(lines.c.id, lines.c.sealed).where(lines.c.sealed.is_not(None))
    ).all():
        data = json.loads(_crypto().decrypt(sealed))
        connection.execute(
            sa.update(lines)
            .where(lines.c.id == line_id)
            .values(title=data["title"], product_slug=data["product_slug"])
        )
    if connection.execute(
        sa.select(sa.func.count()).select_from(lines).where(lines.c.product_slug.is_(None))
    ).scalar_one():
        raise RuntimeError(
            "Bestelregels van verwijderde accounts zeggen alleen nog 'hulpmiddel': welk product "
            "het was, is niet meer bekend, dus deze migratie kan niet terug."
        )
    op.drop_column('shop_order_line', 'sealed')
    with op.batch_alter_table('shop_order_line') as batch:
        batch.alter_column('product_slug', existing_type=sa.String(length=120), nullable=False)
    op.drop_column('shop_product', 'reveals_health')
    op.drop_index(op.f('ix_legal_disclosure_user_id'), table_name='legal_disclosure')
    op.drop_table('legal_disclosure')
