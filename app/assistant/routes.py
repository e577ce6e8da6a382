"""/assistent: questions answered from the hub, with their sources.

Without JavaScript the form posts and the whole page shows the conversation; with htmx only the
new question and its reply are appended. The conversation is kept in the visitor's own session
cookie (masked, the last few questions), never in the database.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request, session, url_for

from app.assistant import service
from app.assistant.forms import QuestionForm
from app.assistant.masking import LABELS, mask
from app.core.navigation import Link, add_link
from app.extensions import rate_limit
from app.forms import ButtonForm
from app.htmx import redirect, wants_fragment

bp = Blueprint("assistant", __name__, url_prefix="/assistent")

KEPT = 4  # questions kept in the session cookie, which has room for a few kilobytes only
SESSION_KEY = "assistent"
TARGET = "gesprek"


def _kept() -> list[dict]:
    turns = session.get(SESSION_KEY)
    return turns if isinstance(turns, list) else []


def _exchanges(turns: list[dict]) -> list[tuple[dict, service.Reply]]:
    return [(turn, service.reply(str(turn.get("q", "")))) for turn in turns]


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
        new = [{"q": masked.text, "found": list(masked.found)}]
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
            oob=True,
            labels=LABELS,
        )
    status = 422 if form.errors else 200
    page = render_template(
        "assistant/chat.html",
        exchanges=_exchanges(_kept()),
        form=form,
        clear_form=ButtonForm(),
        oob=False,
        labels=LABELS,
        kept=KEPT,
    )
    return page, status


@bp.post("/wissen")
def clear():
    """Forget the conversation kept in this browser."""
    if ButtonForm().validate_on_submit():
        session.pop(SESSION_KEY, None)
    return redirect(url_for("assistant.chat"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_link(app, Link("main", "assistant.chat", "Assistent", order=55))
