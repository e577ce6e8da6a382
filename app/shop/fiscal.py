"""The staff's fiscal page: the BTW totals per quarter of a year and the sales journal as CSV
(the same file as `flask shop fiscal-export`). Every download is in the access log."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from app import db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.audit import access
from app.audit.models import AccessAction
from app.db import utcnow
from app.shop import journal
from app.shop.forms import YearForm
from app.shop.invoices import AMSTERDAM
from app.shop.money import VAT_RATES

bp = Blueprint("shop_fiscal", __name__, url_prefix="/staff/fiscaal")
STAFF = (Role.STAFF, Role.ADMIN)


def _year(choices: list[int]) -> int:
    """The year asked for in `?jaar=`, when it is one of `choices`; else the newest."""
    raw = (request.args.get("jaar") or "").strip()
    year = int(raw) if raw.isdecimal() and len(raw) == 4 else None
    return year if year in choices else choices[0]


@bp.get("")
@role_required(*STAFF)
def overview():
    """The BTW totals per quarter of the chosen year, and its download."""
    session = db.session()
    choices = journal.years(session, utcnow().astimezone(AMSTERDAM).date())
    year = _year(choices)
    found = journal.entries(session, year)
    form = YearForm(meta={"csrf": False})
    form.jaar.choices = [(str(c), str(c)) for c in choices]
    form.jaar.data = str(year)
    return render_template(
        "shop/staff_fiscal.html",
        year=year,
        form=form,
        quarters=journal.quarters(found),
        count=len(found),
        rates=VAT_RATES,
        rubrieken=journal.RUBRIEKEN,
        zero_rate_note=journal.ZERO_RATE_NOTE,
    )


@bp.get("/verkoopdagboek.csv")
@role_required(*STAFF)
def download():
    """The sales journal of the chosen year as CSV for a spreadsheet."""
    session = db.session()
    choices = journal.years(session, utcnow().astimezone(AMSTERDAM).date())
    year = _year(choices)
    body = journal.csv_text(journal.entries(session, year)).encode("utf-8")
    access.record(
        session,
        actor=current_user,
        action=AccessAction.EXPORT,
        what=f"verkoopdagboek {year} (alle facturen en creditnota's)",
        subject_id=None,
    )
    session.commit()
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{journal.filename(year)}"',
            "Cache-Control": "no-store",
        },
    )
