"""The staff page of deliveries to partners: what waits, what failed (with "opnieuw
proberen") and what arrived, per partner."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.audit import access
from app.audit.models import AccessAction
from app.forms import ButtonForm
from app.shop import delivery, delivery_report, service

bp = Blueprint("shop_partners", __name__, url_prefix="/staff/partners")
STAFF = (Role.STAFF, Role.ADMIN)


@bp.get("")
@role_required(*STAFF)
def overview():
    """Per partner: deliveries that wait, that failed, and those that arrived lately."""
    return render_template(
        "shop/staff_partners.html",
        partners=delivery_report.overview(db.session()),
        form=ButtonForm(),
        keep_trying=delivery.KEEP_TRYING,
    )


@bp.post("/<int:delivery_id>/opnieuw")
@role_required(*STAFF)
def retry(delivery_id: int):
    """Send a failed delivery again (the partner recognises it by the same key)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    session = db.session()
    found, again = delivery.retry(session, delivery_id)
    if found is None:
        abort(404)
    name = service.partner_name(found.partner_slug)
    if not again:
        flash(f"Deze verzending aan {name} is niet mislukt; er is niets opnieuw gestuurd.", "info")
        return redirect(url_for("shop_partners.overview"), code=303)
    access.record(
        session,
        actor=current_user,
        action=AccessAction.CHANGE,
        what=f"{name}: verzending {delivery_id} opnieuw klaargezet",
        subject_id=found.user_id,
    )
    session.commit()
    flash(f"De verzending aan {name} staat weer klaar en gaat zo opnieuw weg.", "ok")
    return redirect(url_for("shop_partners.overview"), code=303)
