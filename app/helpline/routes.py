"""/hulplijn: ask for a call-back or a question; /staff/hulplijn: the mantelzorgmakelaars' queue."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required

from app import crypto, db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.core import personal_data
from app.core.cli import add_demo
from app.core.navigation import Link, add_link
from app.core.sitemap import Entry, add_pages
from app.db import utcnow
from app.extensions import rate_limit
from app.forms import ButtonForm, FieldError, add_error
from app.helpline import dossier, dossier_views, service
from app.helpline.demo import load_demo
from app.helpline.forms import (
    CONSENT_TEXT,
    TOPIC_LABELS,
    CloseForm,
    ContactForm,
    CorrectionForm,
    DocumentForm,
)
from app.helpline.models import (
    DOSSIER_DATA,
    PERSONAL_DATA,
    CallMoment,
    Client,
    Document,
    HelpKind,
    HelpRequest,
)
from app.helpline.privacy import DOSSIER_PRESENTERS, HelplineData, present
from app.routing import accepts_files

bp = Blueprint("helpline", __name__, url_prefix="/hulplijn")
staff_bp = Blueprint("helpline_staff", __name__, url_prefix="/staff/hulplijn")
STAFF = (Role.STAFF, Role.ADMIN)


@bp.route("", methods=["GET", "POST"])
@rate_limit("10 per hour")
def contact():
    """The Hulplijn's number and hours, and the form for a call-back or a question."""
    user = current_user if current_user.is_authenticated else None
    form = ContactForm(
        data={"name": user.name, "email": user.email, "phone": user.phone} if user else None
    )
    if form.validate_on_submit():
        if form.website.data:  # filled in by a program, not a person: say thanks, keep nothing
            return redirect(url_for("helpline.received"), code=303)
        service.submit(
            db.session(),
            service.Contact(
                kind=HelpKind.parse(form.kind.data) or HelpKind.CALL_BACK,
                name=form.name.data,
                phone=form.phone.data,
                email=form.email.data,
                moment=CallMoment.parse(form.moment.data) or CallMoment.ANY,
                explanation=form.explanation.data or "",
                consent_text=CONSENT_TEXT,
            ),
            user_id=user.id if user else None,
        )
        db.session().commit()
        return redirect(url_for("helpline.received"), code=303)
    return render_template("helpline/contact.html", form=form), 422 if form.errors else 200


@bp.get("/ontvangen")
def received():
    return render_template("helpline/received.html")


def _own_dossiers() -> list[Client]:
    return dossier.of_account(db.session(), current_user.id)


def _mine(status: int = 200, **forms):
    """What a logged-in caregiver asked the Hulplijn, newest first, with what happened to it;
    and their dossier: questions, the contact moments' summaries, documents."""
    session = db.session()
    clients = _own_dossiers()
    return render_template(
        "helpline/mine.html",
        rows=service.of_user(session, current_user.id),
        explanation=service.explanation,
        dossiers=[
            {
                "client": c,
                "number": dossier.number(c.id),
                "questions": dossier.questions(session, c),
                "contacts": dossier.contacts(session, c),
                "documents": dossier.documents(session, c),
            }
            for c in clients
        ],
        unseal=dossier.unseal,
        document_name=dossier.document_name,
        topics=TOPIC_LABELS,
        document_form=forms.get("document_form") or DocumentForm(formdata=None),
        correction_form=forms.get("correction_form") or CorrectionForm(formdata=None),
    ), status


@bp.get("/mijn-vragen")
@login_required
def mine():
    return _mine()


def _own_client(client_id: int) -> Client:
    client = db.session().get(Client, client_id)
    if client is None or client.user_id != current_user.id:
        abort(404)
    return client


@bp.post("/mijn-vragen/<int:client_id>/documenten")
@accepts_files(dossier_views.UPLOAD_LIMIT)
@login_required
def upload(client_id: int):
    client = _own_client(client_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            dossier.add_upload(
                db.session(), client, form.document.data, staff=None, uploader_id=current_user.id
            )
        except FieldError as error:
            db.session().rollback()
            add_error(form, error)
        else:
            db.session().commit()
            flash("Je document staat in je dossier. Je mantelzorgmakelaar ziet het.", "ok")
            return redirect(url_for("helpline.mine", _anchor="documenten"), code=303)
    return _mine(422, document_form=form)


@bp.get("/mijn-vragen/documenten/<int:document_id>")
@login_required
def download(document_id: int):
    document = db.session().get(Document, document_id)
    if document is None:
        abort(404)
    _own_client(document.client_id)
    return dossier_views.send_document(document)


@bp.post("/mijn-vragen/<int:client_id>/correctie")
@login_required
def correction(client_id: int):
    """The client asks for a correction of their dossier; staff apply it (both logged)."""
    client = _own_client(client_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        row = service.ask_correction(db.session(), client, current_user, form.what.data)
        personal_data.right_exercised.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            session=db.session(),
            user_id=current_user.id,
            kind="correctie",
            outcome=f"gevraagd voor dossier {dossier.number(client.id)} (Hulplijn-vraag {row.id})",
        )
        db.session().commit()
        flash(
            "We hebben je verzoek ontvangen. Een mantelzorgmakelaar past je dossier aan en laat "
            "je weten wat er is veranderd.",
            "ok",
        )
        return redirect(url_for("helpline.mine"), code=303)
    return _mine(422, correction_form=form)


@staff_bp.get("")
@role_required(*STAFF)
def queue():
    session = db.session()
    now = utcnow()
    rows = service.queue(session)
    return render_template(
        "helpline/staff_queue.html",
        rows=rows,
        takers=service.staff_names(session, {r.taken_by for r in rows if r.taken_by}),
        closed=service.recently_closed(session),
        late=lambda row: service.is_late(row, now),
        days=lambda row: service.working_days_between(row.created_at, now),
    )


@staff_bp.route("/<int:request_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def detail(request_id: int):
    session = db.session()
    row = session.get(HelpRequest, request_id)
    if row is None:
        abort(404)
    form = CloseForm()
    if form.validate_on_submit():
        if service.close(session, row, staff=current_user, outcome=form.outcome.data):
            session.commit()
            flash("De vraag is afgehandeld.", "ok")
            return redirect(url_for("helpline_staff.queue"), code=303)
        add_error(form, FieldError(None, "Deze vraag was al afgehandeld door een collega."))
    service.shown_to_staff(session, row, staff=current_user)
    session.commit()
    return render_template(
        "helpline/staff_request.html",
        row=row,
        explanation=service.explanation(row),
        form=form,
        take_form=ButtonForm(),
        taker=service.staff_names(session, {row.taken_by}).get(row.taken_by or 0),
        late=service.is_late(row),
    ), 422 if form.errors else 200


@staff_bp.post("/<int:request_id>/oppakken")
@role_required(*STAFF)
def take(request_id: int):
    session = db.session()
    row = session.get(HelpRequest, request_id)
    if row is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        if service.take(session, row, staff=current_user):
            session.commit()
            flash("Je hebt deze vraag opgepakt. Je collega's zien dat in de lijst.", "ok")
        else:
            flash("Een collega heeft deze vraag al opgepakt of afgehandeld.", "error")
    return redirect(url_for("helpline_staff.detail", request_id=request_id), code=303)


@staff_bp.route("/<int:request_id>/dossier", methods=["GET", "POST"])
@role_required(Role.STAFF)
def start_dossier(request_id: int):
    return dossier_views.start(request_id)


def _pages() -> list[Entry]:
    return [Entry(url_for("helpline.contact"))]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(dossier_views.bp)
    personal_data.register(
        app,
        *PERSONAL_DATA,
        *DOSSIER_DATA,
        handler=HelplineData(),
        presenters={"helpline_request": present, **DOSSIER_PRESENTERS},
    )
    crypto.register_column(app, "helpline_request", "explanation", sealed_by="id")
    for table, columns, owner in (
        ("helpline_client", ("name", "phone", "email", "insurer", "policy_number"), "id"),
        ("helpline_question", ("description",), "client_id"),
        ("helpline_contact", ("summary", "notes"), "client_id"),
        ("helpline_document", ("filename",), "client_id"),
    ):
        for column in columns:
            crypto.register_column(app, table, column, sealed_by=owner, key_of="helpline_client")
    staff_roles = tuple(role.value for role in STAFF)
    for link in (
        Link("main", "helpline.contact", "Hulplijn", order=70),
        Link("footer", "helpline.contact", "Hulplijn", order=30),
        Link("account", "helpline.mine", "Mijn hulpvragen", roles=(Role.CAREGIVER.value,)),
        Link("staff", "helpline_staff.queue", "Hulplijn-vragen", roles=staff_roles, order=10),
        Link("staff", "dossiers.search", "Dossiers", roles=(Role.STAFF.value,), order=11),
    ):
        add_link(app, link)
    add_pages(app, _pages)
    add_demo(app, load_demo)
