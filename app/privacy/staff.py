"""The staff queue (/staff/privacy): requests by phone, e-mail or post, by due date.

Staff record the request, confirm the caller with a code mailed to the account's address, run
the same actions the caregiver has in the privacy centre, extend (with a reason, before the due
date) and close. Staff never see the person's data here: an access request is answered with a
download the person fetches after logging in.
"""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import db
from app.accounts import service as accounts
from app.accounts.access import role_required
from app.accounts.models import Role, User
from app.audit import access
from app.audit import service as audit
from app.audit.models import AccessAction
from app.core.formatting import AMSTERDAM
from app.db import utcnow
from app.forms import ButtonForm, FieldError, add_error
from app.mail import service as mail
from app.privacy import erasure, export, requests, rights
from app.privacy.forms import CloseForm, CodeForm, ExtendForm, RecordRequestForm, StaffEraseForm
from app.privacy.models import PrivacyRequest
from app.urls import public_url

bp = Blueprint("privacy_staff", __name__, url_prefix="/staff/privacy")
STAFF = (Role.STAFF, Role.ADMIN)
NO_ACCOUNT = (
    "Er is geen account met dit e-mailadres. Vraag naar het adres waarmee de aanvrager zich "
    "registreerde."
)
OWN_ACCOUNT = "Je eigen account verwijder je in je eigen privacycentrum."


def _request(request_id: int) -> PrivacyRequest:
    row = db.session().get(PrivacyRequest, request_id)
    if row is None:
        abort(404)
    return row


def _subject(row: PrivacyRequest) -> User | None:
    return db.session().get(User, row.user_id) if row.user_id else None


def _detail(request_id: int):
    return redirect(url_for("privacy_staff.detail", request_id=request_id), code=303)


@bp.route("", methods=["GET", "POST"])
@role_required(*STAFF)
def queue():
    """Open requests, most urgent first, and the form to record a new one."""
    s = db.session()
    form = RecordRequestForm()
    if request.method == "GET":
        form.received_on.data = datetime.now(AMSTERDAM).date()
    if form.validate_on_submit():
        user = accounts.find_by_email(s, form.email.data)
        if user is None:
            add_error(form, FieldError("email", NO_ACCOUNT))
        else:
            received = datetime.combine(form.received_on.data, time(9), AMSTERDAM)
            row = requests.open_request(
                s,
                user_id=user.id,
                kind=form.kind.data,
                channel=form.channel.data,
                detail=form.detail.data or "",
                received_at=min(received, utcnow()),
                handled_by=current_user.id,
            )
            audit.record(
                s, action="privacyverzoek vastgelegd", user_id=user.id, actor_id=current_user.id
            )
            s.commit()
            flash("Het verzoek is vastgelegd. Stuur nu een controlecode naar de aanvrager.", "ok")
            return _detail(db.id_of(row))
    return render_template(
        "privacy/staff_queue.html",
        form=form,
        open_requests=requests.queue(s),
        closed=requests.recently_closed(s),
        now=utcnow(),
    ), (422 if form.errors else 200)


@bp.get("/<int:request_id>")
@role_required(*STAFF)
def detail(request_id: int):
    row = _request(request_id)
    access.record(
        db.session(),
        actor=current_user,
        action=AccessAction.READ,
        what=f"privacyverzoek {row.id}",
        subject_id=row.user_id,
    )
    db.session().commit()
    return _render_detail(row)


def _render_detail(row: PrivacyRequest, **forms):
    user = _subject(row)
    s = db.session()
    context = {
        "row": row,
        "user": user,
        "now": utcnow(),
        "action": ButtonForm(),
        "code_form": forms.get("code_form") or CodeForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "erase_form": forms.get("erase_form") or StaffEraseForm(),
        "consents": rights.consent_lines(s, user) if user else [],
        "objections": rights.OBJECTIONS,
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render_template("privacy/staff_request.html", **context), status


@bp.post("/<int:request_id>/code-sturen")
@role_required(*STAFF)
def send_code(request_id: int):
    row = _request(request_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        requests.send_code(db.session(), row)
    except requests.RequestError as problem:
        flash(str(problem), "error")
    else:
        db.session().commit()
        flash(
            "De code is gemaild naar het adres van het account. "
            "Vraag de aanvrager hem voor te lezen.",
            "ok",
        )
    return _detail(db.id_of(row))


@bp.post("/<int:request_id>/code")
@role_required(*STAFF)
def check_code(request_id: int):
    row = _request(request_id)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            requests.check_code(db.session(), row, form.code.data)
        except requests.RequestError as problem:
            add_error(form, problem)
        else:
            db.session().commit()
            flash("De aanvrager is bevestigd. Je kunt het verzoek nu uitvoeren.", "ok")
            return _detail(db.id_of(row))
    return _render_detail(row, code_form=form)


def _verified_subject(row: PrivacyRequest) -> User:
    user = _subject(row)
    if user is None or not row.is_open:
        abort(404)
    if row.verified_at is None:
        abort(403)
    return user


@bp.post("/<int:request_id>/actie")
@role_required(*STAFF)
def act(request_id: int):
    """Run one of the centre's actions for the person behind a verified request."""
    row = _request(request_id)
    user = _verified_subject(row)
    if not ButtonForm().validate_on_submit():
        abort(400)
    s = db.session()
    action = request.form.get("actie", "")
    staff = current_user.id
    if action == "download":
        export.create(s, user, by=staff, request=row)
        mail.send(
            s,
            to=user.email,
            user_id=user.id,
            subject="Je gegevens staan klaar om te downloaden",
            template="privacy_export_ready",
            user=user,
            link=public_url("privacy.centre"),
        )
        message = (
            "De download staat klaar; de aanvrager kreeg een e-mail om in te loggen en hem "
            "op te halen."
        )
    elif action in ("beperken", "opheffen"):
        rights.set_restriction(s, user, on=action == "beperken", by=staff, request=row)
        message = "De beperking is aangepast."
    elif action.startswith("bezwaar:") or action.startswith("geen-bezwaar:"):
        kind = action.split(":", 1)[1]
        if kind not in rights.OBJECTIONS:
            abort(400)
        rights.set_objection(
            s, user, kind=kind, on=action.startswith("bezwaar:"), by=staff, request=row
        )
        message = "Het bezwaar is verwerkt."
    elif action.startswith("intrekken:"):
        scope = action.split(":", 1)[1]
        if not rights.withdraw(s, user, scope=scope, by=staff, request=row):
            abort(400)
        message = "De toestemming is ingetrokken."
    else:
        abort(400)
    audit.record(s, action=f"privacyverzoek: {action}", user_id=user.id, actor_id=staff)
    s.commit()
    flash(message, "ok")
    return _detail(db.id_of(row))


@bp.post("/<int:request_id>/verwijderen")
@role_required(*STAFF)
def erase(request_id: int):
    row = _request(request_id)
    user = _verified_subject(row)
    form = StaffEraseForm()
    if form.validate_on_submit():
        if user.id == current_user.id:
            add_error(form, FieldError(None, OWN_ACCOUNT))
        else:
            erasure.erase_account(db.session(), user, by=current_user.id, request=row)
            db.session().commit()
            flash(
                "Het account en de gegevens zijn verwijderd; de aanvrager kreeg een bevestiging.",
                "ok",
            )
            return redirect(url_for("privacy_staff.queue"), code=303)
    return _render_detail(row, erase_form=form)


@bp.post("/<int:request_id>/verlengen")
@role_required(*STAFF)
def extend(request_id: int):
    row = _request(request_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            requests.extend(
                db.session(),
                row,
                months=int(form.months.data),
                reason=form.reason.data,
                by=current_user.id,
            )
        except requests.RequestError as problem:
            add_error(form, problem)
        else:
            db.session().commit()
            flash("De termijn is verlengd en de aanvrager kreeg de reden per e-mail.", "ok")
            return _detail(db.id_of(row))
    return _render_detail(row, extend_form=form)


@bp.post("/<int:request_id>/afsluiten")
@role_required(*STAFF)
def close(request_id: int):
    row = _request(request_id)
    if not row.is_open:
        abort(404)
    form = CloseForm()
    if form.validate_on_submit():
        outcome = form.outcome.data
        if row.outcome:
            outcome = f"{row.outcome}; {outcome}"
        requests.complete(db.session(), row, outcome=outcome, by=current_user.id)
        db.session().commit()
        flash("Het verzoek is afgehandeld.", "ok")
        return redirect(url_for("privacy_staff.queue"), code=303)
    return _render_detail(row, close_form=form)
