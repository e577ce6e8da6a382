"""/assistent: questions answered from the hub, with their sources.

Without JavaScript the form posts and the whole page shows the conversation; with htmx only the
new question and its reply are appended. A logged-in caregiver's questions are kept in the
database (masked, sealed, 90 days; `history`); a visitor's only in their own session cookie
(masked, the last few questions), never on the server. Under each reply "Klopt dit antwoord
niet?" sends a report to the editors (app.assistant.feedback), who read the open reports at
/redactie/assistent.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, abort, flash, render_template, request, session, url_for
from flask_login import current_user

from app import crypto, db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.assistant import feedback, history, rephrase, service
from app.assistant.forms import QuestionForm, ReportForm
from app.assistant.masking import LABELS, Masked, mask
from app.assistant.models import PERSONAL_DATA
from app.core import personal_data
from app.core.navigation import Link, add_link
from app.extensions import rate_limit
from app.forms import ButtonForm
from app.htmx import redirect, wants_fragment

bp = Blueprint("assistant", __name__, url_prefix="/assistent")
editor_bp = Blueprint("assistant_editor", __name__, url_prefix="/redactie/assistent")

KEPT = 4  # questions kept in the session cookie, which has room for a few kilobytes only
SESSION_KEY = "assistent"
# For a logged-in caregiver: the ids of the stored questions whose reply was reported already
# (ids only; the questions themselves are in the database).
REPORTED_KEY = "assistent-gemeld"
TARGET = "gesprek"


def _kept() -> list[dict]:
    """The conversation shown: a logged-in caregiver's from the database, a visitor's from the
    session cookie."""
    if current_user.is_authenticated:
        reported = set(session.get(REPORTED_KEY) or [])
        stored = history.recent(db.session(), current_user.id)
        return [t | {"reported": t["id"] in reported} for t in stored]
    turns = session.get(SESSION_KEY)
    return turns if isinstance(turns, list) else []


def _keep(masked: Masked) -> dict:
    """Keep a new question where this visitor's conversation lives; returns it as shown."""
    if current_user.is_authenticated:
        turn = history.add(db.session(), current_user.id, masked)
        db.session().commit()
        return {"q": masked.text, "found": list(masked.found), "id": str(turn.id)}
    new = {"q": masked.text, "found": list(masked.found), "id": secrets.token_hex(4)}
    session[SESSION_KEY] = [*_kept(), new][-KEPT:]
    return new


def _mark_reported(turns: list[dict], turn: dict) -> None:
    if current_user.is_authenticated:
        session[REPORTED_KEY] = [*(session.get(REPORTED_KEY) or []), turn["id"]][-history.SHOWN :]
    else:
        turn["reported"] = True
        session[SESSION_KEY] = turns


def _exchanges(turns: list[dict]) -> list[tuple[dict, service.Reply]]:
    return [(turn, rephrase.apply(service.reply(str(turn.get("q", ""))))) for turn in turns]


def _area(turn_id: str) -> str:
    """The id of the element around one reply's report form (and the form's field prefix)."""
    return f"melding-{turn_id}"


def _report_forms(turns: list[dict], sent: dict[str, ReportForm] | None = None) -> dict:
    """A report form for each turn: empty, or the one `sent` back with its message."""
    forms = {
        str(t["id"]): ReportForm(formdata=None, prefix=_area(str(t["id"])))
        for t in turns
        if t.get("id")
    }
    return forms | (sent or {})


def _page(form: QuestionForm, sent: dict[str, ReportForm] | None = None) -> str:
    turns = _kept()
    return render_template(
        "assistant/chat.html",
        exchanges=_exchanges(turns),
        form=form,
        report_forms=_report_forms(turns, sent),
        clear_form=ButtonForm(),
        oob=False,
        labels=LABELS,
        kept=KEPT,
        stored=current_user.is_authenticated,
        keep_days=PERSONAL_DATA[0].retention.days,
    )


@bp.route("", methods=["GET", "POST"])
@rate_limit("20 per minute")
def chat():
    """Ask a question; the reply quotes the hub and links its source."""
    form = QuestionForm()
    if request.method == "GET" and request.args.get("vraag"):
        form.question.data = request.args.get("vraag", "")[: service.MAX_QUESTION]
    new: list[dict] = []
    if form.validate_on_submit():
        new = [_keep(mask(form.question.data or ""))]
        if not wants_fragment(TARGET):
            return redirect(url_for("assistant.chat", _anchor="laatste-antwoord"))
        form = QuestionForm(formdata=None)
    if request.method == "POST" and wants_fragment(TARGET):
        # htmx swaps only 2xx answers: a refused question comes back as the form with its message.
        return render_template(
            "assistant/_exchange.html",
            exchanges=_exchanges(new),
            form=form,
            report_forms=_report_forms(new),
            oob=True,
            labels=LABELS,
        )
    return _page(form), 422 if form.errors else 200


@bp.post("/melden/<turn_id>")
@rate_limit("10 per minute")
def report(turn_id: str):
    """ "Klopt dit antwoord niet?" for one reply of this visitor's conversation: the reply is
    worked out again from the question kept (see feedback), only the optional comment comes
    from the form. A turn that is not (or no longer) in the conversation is a 404."""
    turns = _kept()
    turn = next((t for t in turns if t.get("id") == turn_id), None)
    if turn is None:
        abort(404)
    form = ReportForm(prefix=_area(turn_id))
    fragment = wants_fragment(_area(turn_id))
    if form.validate_on_submit():
        if not turn.get("reported"):
            row = feedback.report(db.session(), str(turn.get("q", "")), form.comment.data or "")
            if row is None:
                abort(404)
            db.session().commit()
            _mark_reported(turns, turn)
        if not fragment:
            return redirect(url_for("assistant.chat", _anchor=_area(turn_id)))
    if fragment:
        # htmx swaps only 2xx answers: a refused comment comes back as the form with its message.
        return render_template("assistant/_report.html", turn=turn, report_form=form)
    return _page(QuestionForm(formdata=None), sent={turn_id: form}), 422


@bp.post("/wissen")
def clear():
    """Forget the conversation: the one kept in this browser and, when logged in, the stored
    one (its keys destroyed, so no copy of the database can show it again)."""
    if ButtonForm().validate_on_submit():
        session.pop(SESSION_KEY, None)
        session.pop(REPORTED_KEY, None)
        if current_user.is_authenticated:
            history.clear(db.session(), current_user.id)
            db.session().commit()
    return redirect(url_for("assistant.chat"))


@editor_bp.get("")
@role_required(Role.EDITOR, Role.ADMIN)
def reports():
    """For editors: the open reports about the assistant's answers, newest first."""
    return render_template(
        "assistant/reports.html",
        reports=feedback.open_reports(db.session()),
        handled_form=ButtonForm(),
    )


@editor_bp.post("/<int:report_id>/afgehandeld")
@role_required(Role.EDITOR, Role.ADMIN)
def handled(report_id: int):
    """The editor dealt with the report: it is deleted."""
    if ButtonForm().validate_on_submit():
        if feedback.handle(db.session(), report_id):
            db.session().commit()
            flash("De melding is afgehandeld en verwijderd.", "ok")
        else:
            flash("Deze melding was al afgehandeld.", "ok")
    return redirect(url_for("assistant_editor.reports"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(editor_bp)
    personal_data.register(
        app,
        *PERSONAL_DATA,
        handler=feedback.Reports(),
        presenters={"assistant_turn": history.present},
    )
    crypto.register_column(app, "assistant_turn", "question", sealed_by="id")
    add_link(app, Link("main", "assistant.chat", "Assistent", order=55))
