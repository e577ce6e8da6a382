""" "Klopt dit antwoord niet?": a visitor reports one reply, editors read the open reports.

What is reported is taken from what the server can work out itself, never from posted text.
The form names one turn of the conversation in the visitor's session cookie by its random id
(not by its position: the cookie keeps only the last few questions, so positions shift while a
page is open). The server takes that turn's question, which was masked when it was asked,
masks it again, and runs `service.reply` on it once more: with the same search index that
gives the same quote and article, so the report shows what the visitor saw (had an editor
changed the article in between, the report shows the answer of now, which is what matters).
Only the comment is typed; it is masked the same way before it is stored. No account, IP
address or session goes with a report.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.assistant import service
from app.assistant.masking import mask
from app.assistant.models import KEEP_YEARS, REPORTS, AnswerReport
from app.core.personal_data import DataHandler, RetentionLine
from app.db import table_of
from app.privacy.requests import add_years

REPORTABLE = ("answer", "unsure")  # replies built from the hub's content


def can_report(reply: service.Reply) -> bool:
    return reply.kind in REPORTABLE


def report(session: Session, question: str, comment: str = "") -> AnswerReport | None:
    """Store a report about the reply to `question` (a question from the session cookie),
    with the visitor's `comment`. None when that reply is not one that can be reported (the
    crisis numbers, or the assistant saying what it is)."""
    masked_question = mask(question).text
    reply = service.reply(masked_question)
    if not can_report(reply):
        return None
    row = AnswerReport(
        question=masked_question,
        kind=reply.kind,
        quote=reply.quote,
        article_url=reply.source.url if reply.source else "",
        article_title=reply.source.title if reply.source else "",
        comment=mask(comment.strip()).text,
    )
    session.add(row)
    session.flush()
    return row


def open_reports(session: Session) -> list[AnswerReport]:
    """Every report not yet handled, newest first."""
    query = select(AnswerReport).order_by(
        col(AnswerReport.created_at).desc(), col(AnswerReport.id).desc()
    )
    return list(session.exec(query).all())


def handle(session: Session, report_id: int) -> bool:
    """An editor dealt with the report: it is deleted (nothing is kept once it is handled).
    False when there is no such report (already handled by someone else)."""
    row = session.get(AnswerReport, report_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


class Reports(DataHandler):
    """The reports' part in the retention job: open reports go after 12 months."""

    def retention(self, session: Session, *, now: datetime, dry_run: bool) -> list[RetentionLine]:
        table = table_of(AnswerReport)
        old = table.c.created_at <= add_years(now, -KEEP_YEARS)
        connection = session.connection()
        if dry_run:
            count = connection.execute(
                sa.select(sa.func.count()).select_from(table).where(old)
            ).scalar_one()
        else:
            count = connection.execute(sa.delete(table).where(old)).rowcount
            session.commit()
        verb = "zou(den) worden verwijderd" if dry_run else "verwijderd"
        return [RetentionLine(REPORTS, count, f"{verb} (12 maanden oud)")]
