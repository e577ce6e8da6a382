"""The Hulplijn's own retention rules (run by the privacy centre's retention job):

- a request that never became part of a dossier is deleted 180 days after it came in (P34);
- a dossier is erased 3 years after its last activity (closing its last question is one), with
  its key; a client with an e-mail address is told 4 weeks before (P25). A dossier the job first
  meets inside those 4 weeks is warned at once and erased on the day all the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import crypto
from app.helpline import dossier
from app.helpline.models import DOSSIER_YEARS, KEEP_DAYS, Client, HelpRequest
from app.mail import service as mail

WARNING = timedelta(weeks=4)


def _years_before(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def loose_requests(session: Session, *, now: datetime, dry_run: bool) -> int:
    where = sa.and_(
        col(HelpRequest.client_id).is_(None),
        col(HelpRequest.created_at) <= now - timedelta(days=KEEP_DAYS),
    )
    ids = list(session.exec(select(HelpRequest.id).where(where)))
    if dry_run or not ids:
        return len(ids)
    crypto.destroy_keys(crypto.subject(HelpRequest.__tablename__, i) for i in ids)
    session.execute(sa.delete(HelpRequest).where(col(HelpRequest.id).in_(ids)))
    session.commit()
    return len(ids)


def dossiers(session: Session, *, now: datetime, dry_run: bool) -> tuple[int, int]:
    """(dossiers erased, warnings sent)."""
    limit = _years_before(now, DOSSIER_YEARS)
    expired = list(session.exec(select(Client).where(col(Client.last_activity_at) <= limit)))
    soon = list(
        session.exec(
            select(Client).where(
                col(Client.last_activity_at) <= limit + WARNING,
                col(Client.last_activity_at) > limit,
                col(Client.retention_warned_at).is_(None),
            )
        )
    )
    if dry_run:
        return len(expired), len(soon)
    for client in soon:
        details = dossier.details(client)
        if details.email:
            erase_on = _years_before(client.last_activity_at, -DOSSIER_YEARS)
            mail.send(
                session,
                to=details.email,
                user_id=client.user_id,
                subject="Je dossier bij de Hulplijn wordt binnenkort gewist",
                template="helpline_dossier_expiring",
                name=details.name,
                number=dossier.number(client.id),
                on=erase_on,
            )
        client.retention_warned_at = now
        session.add(client)
    erased = dossier.erase(session, expired)
    session.commit()
    return erased, len(soon)
