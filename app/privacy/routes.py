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
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from app import db
from app.accounts import service as accounts
from app.accounts.forms import EmptyForm
from app.consent import gate, register
from app.consent import service as consent
from app.consent.register import CONSENT_COOKIE, COOKIES
from app.core import pagecache
from app.core.formatting import dutch_datetime
from app.core.navigation import Link, add_link
from app.db import utcnow
from app.extensions import limiter
from app.privacy import erasure, export, ledger, overview, requests, rights
from app.privacy.forms import EraseForm, order_form
from app.privacy.overview import AP_URL
from app.privacy.processors import processors
from app.privacy.registry import Erasure, LegalBasis, Source, categories
from app.shop import service as shop

bp = Blueprint("privacy", __name__)

# The statement's own version: change both when its text changes.
STATEMENT_VERSION = "1.1"
STATEMENT_DATE = date(2026, 12, 2)


def _user():
    return current_user._get_current_object()


def _back() -> Response:
    return redirect(url_for("privacy.centre"), code=303)


@bp.get("/privacy")
@login_required
def centre():
    """Every right in one place, each a button or a link."""
    s = db.session()
    return render_template(
        "privacy/centre.html",
        form=EmptyForm(),
        ready=export.current(s, current_user.id),
        consents=rights.consent_lines(s, current_user.id),
        cookies_on=gate.allows("analytics"),
        objections=rights.OBJECTIONS,
        orders=rights.correctable_orders(s, current_user.id),
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
        overview=overview.gather(s, _user(), consent_id=_consent_id()),
        ap_url=AP_URL,
    )


def _consent_id() -> str | None:
    """The random id in this browser's consent cookie, if it holds a valid choice."""
    choice = consent.read_choice(request.cookies.get(CONSENT_COOKIE))
    return choice.consent_id if choice else None


@bp.post("/privacy/download")
@login_required
@limiter.limit("5 per hour")
def make_export():
    if not EmptyForm().validate_on_submit():
        abort(400)
    export.create(db.session(), _user(), consent_id=_consent_id())
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
    if not EmptyForm().validate_on_submit():
        abort(400)
    on = request.form.get("aan") == "1"
    if rights.set_restriction(db.session(), _user(), on=on):
        db.session().commit()
        gate.forget()
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
    if not EmptyForm().validate_on_submit():
        abort(400)
    on = request.form.get("aan") == "1"
    if rights.set_objection(db.session(), _user(), kind=kind, on=on):
        db.session().commit()
        gate.forget()
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
    if not EmptyForm().validate_on_submit():
        abort(400)
    s = db.session()
    if scope == "cookies":
        previous = consent.read_choice(request.cookies.get(CONSENT_COOKIE))
        g.new_choice = consent.decide_cookies(
            s, previous=previous, accepted=set(), method="withdraw", user_id=current_user.id
        )
        rights.record_cookie_withdrawal(s, _user())
        s.commit()
        gate.forget()
        flash("Je toestemming voor analytische cookies is ingetrokken.", "ok")
    elif rights.withdraw(s, _user(), scope=scope):
        s.commit()
        gate.forget()
        flash("Je toestemming is ingetrokken. We gebruiken je gegevens hiervoor niet meer.", "ok")
    else:
        flash("Voor dit onderdeel had je geen toestemming (meer) gegeven.", "info")
    return redirect(url_for("privacy.centre", _anchor="toestemmingen"), code=303)


@bp.route("/privacy/bestelling/<number>/corrigeren", methods=["GET", "POST"])
@login_required
def correct_order(number: str):
    """R3 for what was given at checkout; partners that received it are told."""
    s = db.session()
    order = shop.order_for(s, number=number, user_id=current_user.id)
    if order is None:
        abort(404)
    columns = [c for c in rights.ORDER_FIELDS if getattr(order, c) is not None]
    form = order_form(columns)(obj=order)
    if form.validate_on_submit():
        changed = rights.correct_order(s, _user(), order, {c: form[c].data for c in columns})
        s.commit()
        flash(
            "Je gegevens bij deze bestelling zijn gecorrigeerd."
            + (" De partner die ze kreeg, is ingelicht." if changed else "")
            if changed
            else "Er was niets veranderd.",
            "ok" if changed else "info",
        )
        return _back()
    return render_template("privacy/correct_order.html", form=form, order=order), (
        422 if form.errors else 200
    )


@bp.route("/privacy/verwijderen", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
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
        form.password.errors.append("Je wachtwoord klopt niet.")
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
        cookies=COOKIES,
        cookie_policy=register.POLICY,
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
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def init_app(app: Flask) -> None:
    from app.privacy import staff
    from app.privacy.cli import privacy_cli

    app.jinja_env.filters["waarde"] = shown
    app.register_blueprint(bp)
    app.register_blueprint(staff.bp)
    add_link(app, Link("footer", "privacy.statement", "Privacyverklaring", order=40))
    app.cli.add_command(privacy_cli)
