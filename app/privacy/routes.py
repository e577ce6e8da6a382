"""The privacy centre (/privacy) and the privacy statement (/privacy-verklaring)."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from app import db
from app.accounts import service as accounts
from app.core import pagecache, personal_data
from app.core.formatting import dutch_date, dutch_datetime
from app.core.navigation import Link, add_link
from app.core.personal_data import Erasure, LegalBasis, Source, categories
from app.core.sitemap import Entry, add_pages
from app.db import utcnow
from app.extensions import rate_limit
from app.forms import ButtonForm, FieldError, add_error
from app.privacy import erasure, export, ledger, models, overview, requests, rights, staff
from app.privacy.cli import privacy_cli
from app.privacy.forms import EraseForm
from app.privacy.overview import AP_URL
from app.privacy.processors import processors

bp = Blueprint("privacy", __name__)

# The statement's own version: change both when its text changes.
STATEMENT_VERSION = "1.5"
STATEMENT_DATE = date(2026, 12, 3)


def _user():
    return current_user._get_current_object()


def _back() -> WerkzeugResponse:
    return redirect(url_for("privacy.centre"), code=303)


@bp.get("/privacy")
@login_required
def centre():
    """Every right in one place, each a button or a link."""
    s = db.session()
    return render_template(
        "privacy/centre.html",
        form=ButtonForm(),
        ready=export.current(s, current_user.id),
        consents=rights.consent_lines(s, _user(), cookies=request.cookies),
        objections=rights.OBJECTIONS,
        corrections=rights.corrections(s, _user()),
        recent=requests.of_user(s, current_user.id)[:5],
        ap_url=AP_URL,
    )


@bp.get("/privacy/inzage")
@login_required
def access():
    """R1: every value held, with why, on what basis, for whom, how long and from where."""
    s = db.session()
    requests.note_access(s, current_user.id)
    s.commit()
    return render_template(
        "privacy/access.html",
        overview=overview.gather(s, _user(), cookies=request.cookies),
        ap_url=AP_URL,
    )


@bp.post("/privacy/download")
@login_required
@rate_limit("5 per hour")
def make_export():
    if not ButtonForm().validate_on_submit():
        abort(400)
    export.create(db.session(), _user(), cookies=request.cookies)
    db.session().commit()
    flash("Je download staat klaar. Hij blijft 7 dagen beschikbaar.", "ok")
    return redirect(url_for("privacy.centre", _anchor="downloaden"), code=303)


@bp.get("/privacy/download/<int:export_id>")
@login_required
def download(export_id: int):
    s = db.session()
    row = export.for_owner(s, export_id=export_id, user_id=current_user.id)
    if row is None:
        abort(404)
    payload = export.read(row)
    row.downloaded_at = utcnow()
    s.add(row)
    s.commit()
    response = Response(payload, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.download_name(row)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/privacy/beperken")
@login_required
def restrict():
    if not ButtonForm().validate_on_submit():
        abort(400)
    on = request.form.get("aan") == "1"
    if rights.set_restriction(db.session(), _user(), on=on):
        db.session().commit()
        flash(
            "De verwerking van je gegevens is beperkt: we bewaren ze alleen."
            if on
            else "De beperking is opgeheven. We hebben je dit ook per e-mail laten weten.",
            "ok",
        )
    return redirect(url_for("privacy.centre", _anchor="beperken"), code=303)


@bp.post("/privacy/bezwaar/<kind>")
@login_required
def objection(kind: str):
    if kind not in rights.OBJECTIONS:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on = request.form.get("aan") == "1"
    if rights.set_objection(db.session(), _user(), kind=kind, on=on):
        db.session().commit()
        label = rights.OBJECTIONS[kind][1]
        flash(
            f"Je bezwaar is verwerkt: {rights.OBJECTIONS[kind][2]}"
            if on
            else f"Je bezwaar tegen ‘{label.lower()}’ is ingetrokken.",
            "ok",
        )
    return redirect(url_for("privacy.centre", _anchor="bezwaar"), code=303)


@bp.post("/privacy/intrekken/<scope>")
@login_required
def withdraw(scope: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    s = db.session()
    if rights.withdraw(s, _user(), scope=scope):
        s.commit()
        flash("Je toestemming is ingetrokken. We gebruiken je gegevens hiervoor niet meer.", "ok")
    else:
        flash("Voor dit onderdeel had je geen toestemming (meer) gegeven.", "info")
    return redirect(url_for("privacy.centre", _anchor="toestemmingen"), code=303)


@bp.route("/privacy/verwijderen", methods=["GET", "POST"])
@login_required
@rate_limit("10 per hour", methods=["POST"])
def erase():
    """R4: a plain summary, the password again, then everything goes."""
    s = db.session()
    form = EraseForm()
    if form.validate_on_submit():
        if accounts.hasher().verify(current_user.password_hash, form.password.data):
            erasure.erase_account(s, _user())
            s.commit()
            logout_user()
            session.clear()
            flash(
                "Je account en je gegevens zijn verwijderd. We stuurden je een bevestiging.", "ok"
            )
            return redirect(url_for("hub.home"), code=303)
        add_error(form, FieldError("password", "Je wachtwoord klopt niet."))
    return render_template(
        "privacy/erase.html", form=form, summary=erasure.summary(s, current_user.id)
    ), (422 if form.errors else 200)


@bp.get("/privacy-verklaring")
@pagecache.cached_page
def statement():
    """R9: written for this software; the tables come from the registries."""
    return render_template(
        "privacy/statement.html",
        categories=categories(),
        bases=list(LegalBasis),
        sources=list(Source),
        erasure=Erasure,
        version=STATEMENT_VERSION,
        updated=STATEMENT_DATE,
        ap_url=AP_URL,
        backup_days=ledger.BACKUP_DAYS,
        processors=processors(current_app.config),
    )


def shown(value: object) -> str:
    """A stored value as the access page shows it."""
    if value is None or value == "":
        return "(leeg)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return dutch_datetime(value)
    if isinstance(value, date):
        return dutch_date(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _log_right(app: Flask, *, session, user_id: int, kind: str, outcome: str) -> None:
    """A right exercised outside the centre (the account page, the cookie settings)."""
    requests.record_done(session, user_id=user_id, kind=kind, outcome=outcome)


def init_app(app: Flask) -> None:
    personal_data.register(app, *models.PERSONAL_DATA)
    personal_data.right_exercised.connect(_log_right, sender=app, weak=False)
    app.jinja_env.filters["waarde"] = shown
    app.register_blueprint(bp)
    app.register_blueprint(staff.bp)
    add_link(app, Link("footer", "privacy.statement", "Privacyverklaring", order=40))
    staff_roles = tuple(role.value for role in staff.STAFF)
    add_link(app, Link("staff", "privacy_staff.queue", "Privacyverzoeken", roles=staff_roles))
    add_pages(app, lambda: [Entry(url_for("privacy.statement"), STATEMENT_DATE)])
    app.cli.add_command(privacy_cli)
