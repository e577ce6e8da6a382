"""reading counted up to five, and of the last reading only the day

The topics a caregiver read are now counted up to five (more never weighed more in the profile)
and of the last reading only the Dutch calendar day is kept. Counts kept before are cut back to
five and their moments to the start of their day, so what is held is what the access page says.
Nothing to undo: the higher counts and times of day are not kept anywhere.

Revision ID: 5c5b5ee537e1
Revises: 9cca0de39480
Create Date: 2026-12-04 18:30:00
"""

from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import app.db

revision = '5c5b5ee537e1'
down_revision = '9cca0de39480'
branch_labels = None
depends_on = None

READS_KEPT = 5
AMSTERDAM = ZoneInfo('Europe/Amsterdam')

read_topic = sa.table(
    'profile_read_topic',
    sa.column('id', sa.Integer),
    sa.column('reads', sa.Integer),
    sa.column('last_read_at', app.db.UTCDateTime()),
)


def upgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        read_topic.update().where(read_topic.c.reads > READS_KEPT).values(reads=READS_KEPT)
    )
    for row_id, moment in bind.execute(sa.select(read_topic.c.id, read_topic.c.last_read_at)).all():
        day = moment.astimezone(AMSTERDAM).replace(hour=0, minute=0, second=0, microsecond=0)
        if day != moment:
            bind.execute(
                read_topic.update().where(read_topic.c.id == row_id).values(last_read_at=day)
            )


def downgrade() -> None:
    pass  # the counts above five and the times of day are gone
