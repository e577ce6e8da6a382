"""/staff/verstrekkingen: staff record what the platform gave an authority (P18), and lift the
secrecy of one when the law allows telling the person again;
/privacy/verstrekking/<id>: the person reads one, unless the law forbids telling them."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.core import personal_data
from app.core.formatting import AMSTERDAM
from app.core.navigation import Link, add_link
from app.db import utcnow
from app.disclosures import service
from app.disclosures.forms import DisclosureForm
from app.disclosures.models import PERSONAL_DATA, LegalDisclosure
from app.disclosures.privacy import DisclosureData
from app.forms import ButtonForm, FieldError, add_error

bp = Blueprint("disclosures", __name__)
STAFF = (Role.STAFF, Role.ADMIN)


@bp.route("/staff/verstrekkingen", methods=["GET", "POST"])
@role_required(*STAFF)
def staff_list():
    """The disclosures recorded so far, and the form to record one."""
    session = db.session()
    form = DisclosureForm()
    if request.method == "GET":
        form.disclosed_on.data = utcnow().astimezone(AMSTERDAM).date()
    if form.validate_on_submit():
        try:
            service.record(
                session,
                service.Disclosure(
                    email=form.email.data,
                    authority=form.authority.data,
                    legal_basis=form.legal_basis.data,
                    what=form.what.data,
                    disclosed_on=form.disclosed_on.data,
                    reference=form.reference.data or "",
                    secret=bool(form.secret.data),
                ),
                staff=current_user,
            )
        except FieldError as problem:
            add_error(form, problem)
        else:
            session.commit()
            flash("De verstrekking is vastgelegd.", "ok")
            return redirect(url_for("disclosures.staff_list"), code=303)
    return render_template(
        "disclosures/staff_list.html",
        form=form,
        rows=service.recent(session),
        lift_form=ButtonForm(),
    ), 422 if form.errors else 200


@bp.post("/staff/verstrekkingen/<int:disclosure_id>/niet-meer-geheim")
@role_required(*STAFF)
def lift_secrecy(disclosure_id: int):
    """The person may now be told of a disclosure that was secret."""
    session = db.session()
    row = session.get(LegalDisclosure, disclosure_id)
    if row is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if service.lift_secrecy(session, row, staff=current_user):
        session.commit()
        flash("De persoon ziet deze verstrekking nu in het privacycentrum.", "ok")
    return redirect(url_for("disclosures.staff_list"), code=303)


@bp.get("/privacy/verstrekking/<int:disclosure_id>")
@login_required
def mine(disclosure_id: int):
    """One disclosure about the person who is logged in."""
    row = service.one_told(db.session(), disclosure_id, current_user.id)
    if row is None:
        abort(404)
    return render_template("disclosures/mine.html", row=row)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    personal_data.register(app, *PERSONAL_DATA, handler=DisclosureData())
    add_link(
        app,
        Link(
            "staff",
            "disclosures.staff_list",
            "Verstrekkingen aan instanties",
            roles=tuple(role.value for role in STAFF),
            order=60,
        ),
    )
