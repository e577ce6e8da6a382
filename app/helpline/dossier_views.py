"""/staff/hulplijn/dossiers: the mantelzorgmakelaars' dossiers (staff only: editors and
administrators never read them)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from app import db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.audit.models import AccessAction
from app.core.formatting import AMSTERDAM, today
from app.core.pagination import page_number
from app.db import utcnow
from app.forms import FieldError, add_error
from app.helpline import dossier, service
from app.helpline.forms import (
    TOPIC_LABELS,
    ContactMomentForm,
    DetailsForm,
    DocumentForm,
    DossierSearchForm,
    DossierStartForm,
    EraseForm,
    NotesForm,
    PolicyForm,
    QuestionEditForm,
    QuestionForm,
    ReasonForm,
)
from app.helpline.models import (
    DOCUMENT_MAX_BYTES,
    Channel,
    Client,
    ContactMoment,
    Document,
    HelpRequest,
    Question,
    QuestionStatus,
)
from app.routing import accepts_files

bp = Blueprint("dossiers", __name__, url_prefix="/staff/hulplijn/dossiers")
ONLY_STAFF = (Role.STAFF,)
# A document form may carry up to 10 MB plus the rest of the form.
UPLOAD_LIMIT = DOCUMENT_MAX_BYTES + 64 * 1024
# Contact moments on one page of the dossier, newest first (a long dossier stays quick).
CONTACTS_PER_PAGE = 20
# The dossier page lists the newest documents; all of them are on a page of their own.
DOCUMENTS_SHOWN = 10
# A search shows at most this many dossiers, and says so when there are more.
SEARCH_SHOWN = 50


def _client(client_id: int) -> Client:
    client = db.session().get(Client, client_id)
    if client is None:
        abort(404)
    return client


def _owned(model: Any, row_id: int, client: Client) -> Any:
    row = db.session().get(model, row_id)
    if row is None or row.client_id != client.id:
        abort(404)
    return row


def _reason_first(client: Client) -> WerkzeugResponse | None:
    if dossier.needs_reason(db.session(), client, current_user):
        return redirect(url_for("dossiers.reason", client_id=client.id), code=303)
    return None


def _question_choices(questions: list[Question]) -> list[tuple[str, str]]:
    return [("", "geen bepaalde vraag")] + [
        (str(q.id), f"Vraag {q.id} ({q.topic})") for q in questions
    ]


def _page(client: Client, *, status: int = 200, **forms: Any):
    """The dossier page; `forms` replaces the empty form of that name (with its errors) and
    `policy` shows the insurance data."""
    session = db.session()
    questions = dossier.questions(session, client)
    contacts = dossier.contacts_page(
        session, client, page_number(request.args.get("pagina")), CONTACTS_PER_PAGE
    )
    documents = dossier.documents(session, client, limit=DOCUMENTS_SHOWN)
    contact_form = forms.pop("contact_form", None) or ContactMomentForm(
        formdata=None, on=datetime.now(AMSTERDAM).date()
    )
    contact_form.question.choices = _question_choices(questions)
    dossier.log(session, client, current_user, AccessAction.READ, "ingezien")
    session.commit()
    responsible = dossier.staff_name(session, client.responsible_id)

    return render_template(
        "helpline/staff_dossier.html",
        client=client,
        number=dossier.number(client.id),
        details=dossier.details(client),
        questions=questions,
        contacts=contacts,
        documents=documents,
        document_total=len(documents)
        if len(documents) < DOCUMENTS_SHOWN
        else dossier.document_count(session, client),
        requests=dossier.requests_of(session, client),
        reasons=dossier.reasons_given(session, client)
        if client.responsible_id == current_user.id
        else [],
        responsible=responsible,
        unseal=lambda token: dossier.unseal(client.id, token),
        document_name=dossier.document_name,
        topics=TOPIC_LABELS,
        policy=forms.pop("policy", None),
        new_question_form=forms.pop("question_form", None) or QuestionForm(formdata=None),
        contact_form=contact_form,
        document_form=forms.pop("document_form", None) or DocumentForm(formdata=None),
        reason_form=forms.pop("reason_form", None) or ReasonForm(formdata=None),
        policy_form=forms.pop("policy_form", None) or PolicyForm(formdata=None),
        erase_form=forms.pop("erase_form", None) or EraseForm(formdata=None),
        **forms,
    ), status


@bp.get("")
@role_required(*ONLY_STAFF)
def search():
    session = db.session()
    form = DossierSearchForm(request.args)
    text = (form.q.data or "")[:200]
    found = dossier.search(session, text, limit=SEARCH_SHOWN + 1) if text.strip() else []
    more, found = len(found) > SEARCH_SHOWN, found[:SEARCH_SHOWN]
    for client in found:
        dossier.log(session, client, current_user, AccessAction.READ, "in zoekresultaat")
    session.commit()
    return render_template(
        "helpline/staff_dossiers.html",
        form=form,
        found=[(c, dossier.details(c)) for c in found],
        number=dossier.number,
        follow_ups=dossier.follow_ups(session, current_user, datetime.now(AMSTERDAM).date()),
        searched=bool(text.strip()),
        more=more,
    )


@bp.route("/<int:client_id>/reden", methods=["GET", "POST"])
@role_required(*ONLY_STAFF)
def reason(client_id: int):
    client = _client(client_id)
    form = ReasonForm()
    if form.validate_on_submit():
        dossier.state_reason(db.session(), client, current_user, form.reason.data)
        db.session().commit()
        return redirect(url_for("dossiers.show", client_id=client.id), code=303)
    return render_template(
        "helpline/staff_reason.html",
        client=client,
        number=dossier.number(client.id),
        form=form,
        responsible=dossier.staff_name(db.session(), client.responsible_id),
    ), 422 if form.errors else 200


@bp.get("/<int:client_id>")
@role_required(*ONLY_STAFF)
def show(client_id: int):
    client = _client(client_id)
    return _reason_first(client) or _page(client)


def _act(client: Client, form: Any, name: str, action) -> Any:
    """Run `action` when the form is valid; show the page again with what was typed when the
    form or the service refuses it."""
    if form.validate_on_submit():
        try:
            action()
        except FieldError as error:
            db.session().rollback()
            add_error(form, error)
        else:
            db.session().commit()
            return None
    return _page(client, status=422, **{name: form})


@bp.post("/<int:client_id>/vragen")
@role_required(*ONLY_STAFF)
def add_question(client_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    form = QuestionForm()
    shown = _act(
        client,
        form,
        "question_form",
        lambda: dossier.add_question(
            db.session(),
            client,
            staff=current_user,
            topic=form.topic.data,
            description=form.description.data,
        ),
    )
    if shown is not None:
        return shown
    flash("De vraag is toegevoegd.", "ok")
    return redirect(url_for("dossiers.show", client_id=client.id, _anchor="vragen"), code=303)


def _edit(form_class: Any, record: Any, initial: dict, save: Any, *, prefix: str = "") -> Any:
    """The one way a versioned record (question, contact moment, client details) is edited on a
    page of its own: a GET shows `initial`; a valid POST runs `save(form)` and commits, and then
    this returns None; a colleague's earlier save gives 409 with what they stored and what was
    typed. Otherwise it returns (form, status, conflict) for the page."""
    form = form_class(prefix=prefix)
    if not form.is_submitted():
        return (
            form_class(formdata=None, prefix=prefix, version=record.version, **initial),
            200,
            False,
        )
    if not form.validate_on_submit() or form.version.data is None:
        return form, 422, False
    session = db.session()
    try:
        save(form)
    except dossier.Conflict:
        session.rollback()
        add_error(form, FieldError(None, CONFLICT))
        form.version.data = record.version
        return form, 409, True
    except FieldError as error:
        session.rollback()
        add_error(form, error)
        return form, 422, False
    session.commit()
    return None


@bp.route("/<int:client_id>/vragen/<int:question_id>", methods=["GET", "POST"])
@role_required(*ONLY_STAFF)
def edit_question(client_id: int, question_id: int):
    """Change a help question's status, text and follow-up date on a page of its own."""
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    session = db.session()
    question = _owned(Question, question_id, client)
    edited = _edit(
        QuestionEditForm,
        question,
        {
            "status": question.status.value,
            "description": dossier.unseal(client.id, question.description),
            "follow_up": question.follow_up,
        },
        lambda form: dossier.update_question(
            session,
            client,
            question,
            staff=current_user,
            status=QuestionStatus.parse(form.status.data) or QuestionStatus.OPEN,
            description=form.description.data,
            follow_up=form.follow_up.data,
            version=form.version.data,
        ),
        prefix=f"q{question.id}",
    )
    if edited is None:
        flash("De vraag is bijgewerkt.", "ok")
        anchor = f"vraag-{question.id}"
        return redirect(url_for("dossiers.show", client_id=client.id, _anchor=anchor), 303)
    form, status, conflict = edited
    dossier.log(session, client, current_user, AccessAction.READ, f"vraag {question.id}")
    session.commit()
    return render_template(
        "helpline/staff_question.html",
        client=client,
        number=dossier.number(client.id),
        question=question,
        topics=TOPIC_LABELS,
        stored=dossier.unseal(client.id, question.description),
        conflict=conflict,
        form=form,
    ), status


CONFLICT = (
    "Een collega heeft dit intussen veranderd. Hieronder staat wat er nu is opgeslagen, en in "
    "het formulier wat jij typte: neem over wat nodig is en sla opnieuw op."
)


@bp.post("/<int:client_id>/contact")
@role_required(*ONLY_STAFF)
def add_contact(client_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    form = ContactMomentForm()
    form.question.choices = _question_choices(dossier.questions(db.session(), client))

    def save() -> None:
        on = form.on.data
        if on > today():
            raise FieldError("on", "Een contactmoment kan niet in de toekomst liggen.")
        # Today's contact is recorded now; an earlier day's at noon (its hour is not asked).
        at = utcnow() if on == today() else datetime.combine(on, time(12, 0), AMSTERDAM)
        dossier.add_contact(
            db.session(),
            client,
            staff=current_user,
            channel=Channel.parse(form.channel.data) or Channel.PHONE,
            at=at,
            minutes=form.minutes.data or 0,
            summary=form.summary.data,
            notes=form.notes.data or "",
            question_id=int(form.question.data) if (form.question.data or "").isdigit() else None,
            follow_up=form.follow_up.data,
        )

    shown = _act(client, form, "contact_form", save)
    if shown is not None:
        return shown
    flash("Het contactmoment is vastgelegd.", "ok")
    return redirect(url_for("dossiers.show", client_id=client.id, _anchor="contact"), code=303)


@bp.route("/<int:client_id>/contact/<int:contact_id>", methods=["GET", "POST"])
@role_required(*ONLY_STAFF)
def edit_contact(client_id: int, contact_id: int):
    """Change a contact moment's summary and notes on a page of its own (a dossier with
    hundreds of contact moments stays light)."""
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    session = db.session()
    moment = _owned(ContactMoment, contact_id, client)
    edited = _edit(
        NotesForm,
        moment,
        {
            "summary": dossier.unseal(client.id, moment.summary),
            "notes": dossier.unseal(client.id, moment.notes),
        },
        lambda form: dossier.update_notes(
            session,
            client,
            moment,
            staff=current_user,
            summary=form.summary.data,
            notes=form.notes.data or "",
            version=form.version.data,
        ),
    )
    if edited is None:
        flash("Het contactmoment is bijgewerkt.", "ok")
        anchor = f"contact-{moment.id}"
        return redirect(url_for("dossiers.show", client_id=client.id, _anchor=anchor), 303)
    form, status, conflict = edited
    dossier.log(session, client, current_user, AccessAction.READ, f"contactmoment {moment.id}")
    session.commit()
    return render_template(
        "helpline/staff_contact.html",
        client=client,
        number=dossier.number(client.id),
        moment=moment,
        stored=(dossier.unseal(client.id, moment.summary), dossier.unseal(client.id, moment.notes)),
        conflict=conflict,
        form=form,
    ), status


@bp.post("/<int:client_id>/documenten")
@accepts_files(UPLOAD_LIMIT)
@role_required(*ONLY_STAFF)
def upload(client_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    form = DocumentForm()

    def save() -> None:
        dossier.add_upload(
            db.session(),
            client,
            form.document.data,
            staff=current_user,
            uploader_id=current_user.id,
        )

    shown = _act(client, form, "document_form", save)
    if shown is not None:
        return shown
    flash("Het document is toegevoegd.", "ok")
    return redirect(url_for("dossiers.show", client_id=client.id, _anchor="documenten"), code=303)


def send_document(document: Document) -> Response:
    """A document as a download: never shown inline, never sniffed."""
    response = Response(dossier.document_content(document), mimetype=document.media_type)
    response.headers.set(
        "Content-Disposition", "attachment", filename=dossier.document_name(document)
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:client_id>/documenten")
@role_required(*ONLY_STAFF)
def all_documents(client_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    session = db.session()
    documents = dossier.documents(session, client)
    dossier.log(session, client, current_user, AccessAction.READ, "alle documenten")
    session.commit()
    return render_template(
        "helpline/staff_documents.html",
        client=client,
        number=dossier.number(client.id),
        documents=documents,
        document_name=dossier.document_name,
    )


@bp.get("/<int:client_id>/documenten/<int:document_id>")
@role_required(*ONLY_STAFF)
def download(client_id: int, document_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    document = _owned(Document, document_id, client)
    dossier.log(
        db.session(), client, current_user, AccessAction.DOWNLOAD, f"document {document.id}"
    )
    db.session().commit()
    return send_document(document)


@bp.post("/<int:client_id>/verzekering/inzien")
@role_required(*ONLY_STAFF)
def show_policy(client_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    form = ReasonForm()
    if not form.validate_on_submit():
        return _page(client, status=422, reason_form=form)
    insurer, policy = dossier.show_policy(db.session(), client, current_user, form.reason.data)
    db.session().commit()
    return _page(
        client,
        policy=(insurer, policy),
        policy_form=PolicyForm(formdata=None, insurer=insurer, policy_number=policy),
    )


@bp.post("/<int:client_id>/verzekering")
@role_required(*ONLY_STAFF)
def save_policy(client_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    form = PolicyForm()
    shown = _act(
        client,
        form,
        "policy_form",
        lambda: dossier.save_policy(
            db.session(),
            client,
            staff=current_user,
            insurer=form.insurer.data or "",
            policy=form.policy_number.data or "",
        ),
    )
    if shown is not None:
        return shown
    flash("De verzekeringsgegevens zijn opgeslagen.", "ok")
    return redirect(url_for("dossiers.show", client_id=client.id, _anchor="verzekering"), code=303)


@bp.route("/<int:client_id>/gegevens", methods=["GET", "POST"])
@role_required(*ONLY_STAFF)
def edit_details(client_id: int):
    """Correct the client's name, phone and e-mail (rectification) on a page of its own."""
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    session = db.session()
    stored = dossier.details(client)
    edited = _edit(
        DetailsForm,
        client,
        {"name": stored.name, "phone": stored.phone, "email": stored.email},
        lambda form: dossier.change_details(
            session,
            client,
            dossier.Details(form.name.data, form.phone.data or "", form.email.data or ""),
            staff=current_user,
            version=form.version.data,
        ),
    )
    if edited is None:
        flash("De gegevens van de cliënt zijn gecorrigeerd.", "ok")
        return redirect(url_for("dossiers.show", client_id=client.id), code=303)
    form, status, conflict = edited
    dossier.log(session, client, current_user, AccessAction.READ, "gegevens")
    session.commit()
    return render_template(
        "helpline/staff_details.html",
        client=client,
        number=dossier.number(client.id),
        stored=stored,
        conflict=conflict,
        form=form,
    ), status


@bp.post("/<int:client_id>/wissen")
@role_required(*ONLY_STAFF)
def erase(client_id: int):
    client = _client(client_id)
    if refused := _reason_first(client):
        return refused
    form = EraseForm()
    if not form.validate_on_submit():
        return _page(client, status=422, erase_form=form)
    number = dossier.number(client.id)
    dossier.erase(db.session(), [client], staff=current_user)
    db.session().commit()
    flash(f"Dossier {number} is gewist, met de documenten en de sleutel ervan.", "ok")
    return redirect(url_for("dossiers.search"), code=303)


def start(request_id: int):
    """A request becomes a dossier, or joins a proposed one (never without confirmation)."""
    session = db.session()
    row = session.get(HelpRequest, request_id)
    if row is None:
        abort(404)
    if row.client_id is not None:
        return redirect(url_for("dossiers.show", client_id=row.client_id), code=303)
    matches = dossier.matches_for(session, row)
    for client in matches:
        dossier.log(
            session, client, current_user, AccessAction.READ, f"voorgesteld bij vraag {row.id}"
        )
    form = DossierStartForm()
    if not form.is_submitted():
        form.description.data = service.explanation(row)
    form.target.choices = [SelectChoice("nieuw", "Een nieuw dossier")] + [
        SelectChoice(str(c.id), f"Dossier {dossier.number(c.id)}: {dossier.details(c).name}")
        for c in matches
    ]
    if form.validate_on_submit():
        target = form.target.data
        if target == "nieuw":
            client = dossier.from_request(
                session,
                row,
                staff=current_user,
                topic=form.topic.data,
                description=form.description.data or "",
            )
        else:
            chosen = next((c for c in matches if str(c.id) == target), None)
            if chosen is None:
                abort(404)
            client = chosen
            dossier.attach(session, row, client, staff=current_user)
        session.commit()
        flash(f"De vraag staat nu in dossier {dossier.number(client.id)}.", "ok")
        return redirect(url_for("dossiers.show", client_id=client.id), code=303)
    return render_template(
        "helpline/staff_start.html", row=row, form=form, matches=matches
    ), 422 if form.errors else 200
