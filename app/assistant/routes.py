"""/assistent: questions answered from the hub, with their sources.

Without JavaScript the form posts and the whole page shows the conversation; with htmx only the
new question and its reply are appended. A logged-in caregiver's questions are kept in the
database (masked, sealed, 90 days; `history`); a visitor's only in their own session cookie
(masked, the last few questions), never on the server.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request, session, url_for
from flask_login import current_user

from app import crypto, db
from app.assistant import history, service
from app.assistant.forms import QuestionForm
from app.assistant.masking import LABELS, mask
from app.assistant.models import PERSONAL_DATA
from app.core import personal_data
from app.core.navigation import Link, add_link
from app.extensions import rate_limit
from app.forms import ButtonForm
from app.htmx import redirect, wants_fragment

bp = Blueprint("assistant", __name__, url_prefix="/assistent")

KEPT = 4  # questions kept in the session cookie, which has room for a few kilobytes only
SESSION_KEY = "assistent"
TARGET = "gesprek"


def _kept() -> list[dict]:
    """The conversation shown: a logged-in caregiver's from the database, a visitor's from the
    session cookie."""
    if current_user.is_authenticated:
        return history.recent(db.session(), current_user.id)
    turns = session.get(SESSION_KEY)
    return turns if isinstance(turns, list) else []


def _keep(masked) -> None:
    if current_user.is_authenticated:
        history.add(db.session(), current_user.id, masked)
        db.session().commit()
    else:
        turn = {"q": masked.text, "found": list(masked.found)}
        session[SESSION_KEY] = [*_kept(), turn][-KEPT:]


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
        _keep(masked)
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
        stored=current_user.is_authenticated,
        keep_days=PERSONAL_DATA[0].retention.days,
    )
    return page, status


@bp.post("/wissen")
def clear():
    """Forget the conversation: the one kept in this browser and, when logged in, the stored
    one (its keys destroyed, so no copy of the database can show it again)."""
    if ButtonForm().validate_on_submit():
        session.pop(SESSION_KEY, None)
        if current_user.is_authenticated:
            history.clear(db.session(), current_user.id)
            db.session().commit()
    return redirect(url_for("assistant.chat"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    personal_data.register(app, *PERSONAL_DATA, presenters={"assistant_turn": history.present})
    crypto.register_column(app, "assistant_turn", "question", sealed_by="id")
    add_link(app, Link("main", "assistant.chat", "Assistent", order=55))
