"""/assistent: questions answered from the hub, with their sources.

Without JavaScript the form posts and the whole page shows the conversation; with htmx only the
new question and its reply are appended. The conversation is kept in the visitor's own session
cookie (masked, the last few questions), never in the database. Under each reply "Klopt dit
antwoord niet?" sends a report to the editors (app.assistant.feedback), who read the open
reports at /redactie/assistent.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, abort, flash, render_template, request, session, url_for

from app import db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.assistant import feedback, service
from app.assistant.forms import QuestionForm, ReportForm
from app.assistant.masking import LABELS, mask
from app.core import personal_data
from app.core.navigation import Link, add_link
from app.extensions import rate_limit
from app.forms import ButtonForm
from app.htmx import redirect, wants_fragment

bp = Blueprint("assistant", __name__, url_prefix="/assistent")
editor_bp = Blueprint("assistant_editor", __name__, url_prefix="/redactie/assistent")

KEPT = 4  # questions kept in the session cookie, which has room for a few kilobytes only
SESSION_KEY = "assistent"
TARGET = "gesprek"


def _kept() -> list[dict]:
    turns = session.get(SESSION_KEY)
    return turns if isinstance(turns, list) else []


def _exchanges(turns: list[dict]) -> list[tuple[dict, service.Reply]]:
    return [(turn, service.reply(str(turn.get("q", "")))) for turn in turns]


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
        masked = mask(form.question.data or "")
        new = [{"q": masked.text, "found": list(masked.found), "id": secrets.token_hex(4)}]
        session[SESSION_KEY] = [*_kept(), *new][-KEPT:]
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
    """ "Klopt dit antwoord niet?" for one reply of the conversation in this browser: the
    reply is worked out again from the question kept in the session (see feedback), only the
    optional comment comes from the form. A turn that is not (or no longer) in the
    conversation is a 404."""
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
            turn["reported"] = True
            session[SESSION_KEY] = turns
        if not fragment:
            return redirect(url_for("assistant.chat", _anchor=_area(turn_id)))
    if fragment:
        # htmx swaps only 2xx answers: a refused comment comes back as the form with its message.
        return render_template("assistant/_report.html", turn=turn, report_form=form)
    return _page(QuestionForm(formdata=None), sent={turn_id: form}), 422


@bp.post("/wissen")
def clear():
    """Forget the conversation kept in this browser."""
    if ButtonForm().validate_on_submit():
        session.pop(SESSION_KEY, None)
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
    personal_data.register(app, handler=feedback.Reports())
    add_link(app, Link("main", "assistant.chat", "Assistent", order=55))
