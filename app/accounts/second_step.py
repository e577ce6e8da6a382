"""The second step of logging in for staff and administrators: set up an authenticator app
(`/account/tweestapsverificatie`) and type its code after the password (`/inloggen/code`)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import db
from app.accounts import two_factor
from app.accounts.forms import EnrolForm, SecondStepForm
from app.extensions import rate_limit
from app.forms import FieldError, add_error
from app.urls import is_safe_next

bp = Blueprint("second_step", __name__)

WRONG_CODE = (
    "Deze code klopt niet. Typ de zes cijfers die je app nu laat zien (elke code werkt één "
    "keer), of een herstelcode. Staat de klok van je telefoon goed?"
)
WRONG_FIRST_CODE = (
    "Deze code klopt niet. Typ de zes cijfers die je app nu laat zien; kijk of je de QR-code "
    "van deze pagina hebt gescand."
)


def _next(target: str | None) -> str:
    return target if is_safe_next(target) else url_for("accounts.account")


def after_password(user, target: str) -> str:
    """Where a login goes once the password was right: for staff and administrators first to
    the second step (setting it up, the first time)."""
    if not two_factor.needed(user):
        return target
    if two_factor.enrolled(db.session(), user):
        return url_for("second_step.code", next=target)
    return url_for("second_step.enrol", next=target)


@bp.route("/inloggen/code", methods=["GET", "POST"])
@login_required
@rate_limit("5 per minute", methods=["POST"])
def code():
    user = current_user._get_current_object()
    form = SecondStepForm()
    form.next.data = form.next.data or _request_next()
    target = _next(form.next.data)
    if not two_factor.needed(user) or two_factor.passed(user):
        return redirect(target, code=303)
    if not two_factor.enrolled(db.session(), user):
        return redirect(url_for("second_step.enrol", next=target), code=303)
    if form.validate_on_submit():
        if two_factor.verify(db.session(), user, form.code.data):
            two_factor.mark_passed(user)
            db.session().commit()
            return redirect(target, code=303)
        db.session().commit()  # a used recovery code or the last step stays used
        add_error(form, FieldError("code", WRONG_CODE))
        form.code.data = ""
    return render_template("accounts/second_step.html", form=form), 422 if form.errors else 200


@bp.route("/account/tweestapsverificatie", methods=["GET", "POST"])
@login_required
@rate_limit("5 per minute", methods=["POST"])
def enrol():
    user = current_user._get_current_object()
    session = db.session()
    form = EnrolForm()
    form.next.data = form.next.data or _request_next()
    target = _next(form.next.data)
    if not two_factor.needed(user):
        return redirect(target, code=303)
    if two_factor.enrolled(session, user):
        if two_factor.needed(user) and not two_factor.passed(user):
            return redirect(url_for("second_step.code", next=target), code=303)
        left = two_factor.recovery_codes_left(session, user)
        return render_template("accounts/enrol.html", done=True, left=left, target=target)
    if form.validate_on_submit():
        codes = two_factor.confirm(session, user, form.code.data)
        if codes is not None:
            two_factor.mark_passed(user)
            session.commit()
            return render_template("accounts/enrol.html", codes=codes, target=target)
        add_error(form, FieldError("code", WRONG_FIRST_CODE))
        form.code.data = ""
    setup = two_factor.enrolment(session, user)
    session.commit()
    return render_template(
        "accounts/enrol.html", form=form, setup=setup, target=target
    ), 422 if form.errors else 200


def _request_next() -> str:
    return request.args.get("next", "")
