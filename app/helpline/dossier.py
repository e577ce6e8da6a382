"""The digital dossier of the Hulplijn: clients, their help questions, contact moments and
documents. Everything a client said is sealed with the dossier's own data key (crypto), so that
erasing the dossier destroys the key and every copy of the data becomes unreadable. Staff find a
dossier through keyed hashes (`crypto.blind_index`) of normalised names, e-mail addresses and
phone numbers, never by decrypting every row.

Who may open a dossier: its responsible makelaar; another member of staff only after stating a
reason, which is logged and shown to the responsible makelaar and the client. A frozen dossier
(restriction of processing) is opened only with a reason, by anyone, and not changed."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlmodel import Session, col, select

from app import crypto, db
from app.audit import access
from app.audit.models import AccessAction, AccessEntry
from app.core.pagination import Page
from app.db import utcnow
from app.forms import FieldError
from app.helpline.models import (
    DOCUMENT_MAX_BYTES,
    Channel,
    Client,
    ClientTerm,
    ContactMoment,
    Document,
    HelpRequest,
    HelpStatus,
    Question,
    QuestionStatus,
)

# How long a stated reason opens a colleague's dossier.
REASON_VALID = timedelta(hours=8)
# What a document may be, by its content.
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}
REFUSED_TYPE = "Dit soort bestand nemen we niet aan. Kies een PDF, JPEG, PNG, DOCX of ODT."
TOO_BIG = "Dit bestand is groter dan 10 MB. Maak het kleiner of stuur het in delen."
EMPTY_FILE = "Kies een bestand."
PREFIX_MIN = 3
PREFIX_MAX = 8
# A name search asks for each next part only among the clients found so far, up to this many.
NARROW_WITHIN = 2000


class Conflict(Exception):
    """A colleague changed the same thing since the form was opened."""

    def __init__(self, current: Any) -> None:
        super().__init__("changed by someone else")
        self.current = current


# --- sealing with the dossier's key -------------------------------------------------------


def key_subject(client_id: int | None) -> str:
    return crypto.subject(Client.__tablename__, client_id)


def seal(client_id: int | None, text: str) -> str:
    return crypto.seal(key_subject(client_id), text) if text else ""


def unseal(client_id: int | None, token: str) -> str:
    return crypto.unseal(key_subject(client_id), token) if token else ""


def number(client_id: int | None) -> str:
    """The dossier number staff and the client use."""
    return f"D-{client_id:06d}"


NUMBER = re.compile(r"^d-?\s*0*(\d{1,9})$", re.IGNORECASE)


# --- finding a client by keyed hashes ----------------------------------------------------


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_parts(name: str) -> list[str]:
    return [part for part in re.split(r"[^a-z0-9]+", _plain(name)) if part]


def normal_phone(phone: str) -> str:
    """06 12345678, +31 6 1234 5678 and 0031612345678 are the same number."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    elif digits.startswith("31") and phone.strip().startswith("+"):
        digits = "0" + digits[2:]
    return digits


def normal_email(email: str) -> str:
    return email.strip().casefold()


def terms(name: str, email: str, phone: str) -> set[str]:
    """The hashes a client is found by: each name part whole, its first 3 to 8 letters (a
    prefix), the e-mail address and the phone number."""
    found = set()
    for part in name_parts(name):
        found.add(crypto.blind_index(f"n:{part}"))
        for size in range(PREFIX_MIN, min(len(part), PREFIX_MAX) + 1):
            found.add(crypto.blind_index(f"p:{part[:size]}"))
    if email.strip():
        found.add(crypto.blind_index(f"e:{normal_email(email)}"))
    if len(normal_phone(phone)) >= 6:
        found.add(crypto.blind_index(f"t:{normal_phone(phone)}"))
    return found


def _index(session: Session, client: Client, name: str, email: str, phone: str) -> None:
    session.execute(sa.delete(ClientTerm).where(col(ClientTerm.client_id) == client.id))
    for term in sorted(terms(name, email, phone)):
        session.add(ClientTerm(client_id=db.id_of(client), term=term))


def _with_all(session: Session, hashes: list[set[str]]) -> list[int]:
    """Clients that have, for every set in `hashes`, at least one of its terms. Put the most
    telling set first: each next query only looks among the clients found so far."""
    ids: set[int] | None = None
    for options in hashes:
        query = select(ClientTerm.client_id).where(col(ClientTerm.term).in_(options))
        if ids is not None and len(ids) <= NARROW_WITHIN:
            query = query.where(col(ClientTerm.client_id).in_(ids))
        found = set(session.exec(query))
        ids = found if ids is None else ids & found
        if not ids:
            return []
    return sorted(ids or [])


def search(session: Session, text: str, limit: int = 50) -> list[Client]:
    """Clients by dossier number, e-mail address, phone number or (parts of) their name."""
    text = text.strip()[:200]
    if not text:
        return []
    if match := NUMBER.match(text):
        client = session.get(Client, int(match.group(1)))
        return [client] if client else []
    if "@" in text:
        ids = _with_all(session, [{crypto.blind_index(f"e:{normal_email(text)}")}])
    elif len(normal_phone(text)) >= 6 and not re.search(r"[a-zA-Z]", text):
        ids = _with_all(session, [{crypto.blind_index(f"t:{normal_phone(text)}")}])
    else:
        parts = [p for p in name_parts(text) if len(p) >= PREFIX_MIN or len(name_parts(text)) > 1]
        if not parts:
            return []
        parts.sort(key=len, reverse=True)  # a long part names few people: ask for it first
        wanted = [
            {crypto.blind_index(f"n:{p}"), crypto.blind_index(f"p:{p[:PREFIX_MAX]}")} for p in parts
        ]
        ids = _with_all(session, wanted)
        if ids and any(len(p) > PREFIX_MAX for p in parts):
            # A long part may have matched on its first letters only. Clients with every part
            # as a whole part of their name are certain; only the others have it checked.
            certain = set(_with_all(session, [{crypto.blind_index(f"n:{p}")} for p in parts]))
            ids = [
                i
                for i in ids
                if i in certain
                or all(
                    any(n.startswith(p) for n in name_parts(unseal(i, _name_token(session, i))))
                    for p in parts
                )
            ]
    rows = session.exec(select(Client).where(col(Client.id).in_(ids[:limit])))
    return sorted(rows, key=lambda c: c.id or 0)


def _name_token(session: Session, client_id: int) -> str:
    return session.exec(select(Client.name).where(Client.id == client_id)).one()


def matches_for(session: Session, row: HelpRequest) -> list[Client]:
    """Dossiers with the request's e-mail address or phone number: proposed, never merged."""
    options = set()
    if row.email:
        options.add(crypto.blind_index(f"e:{normal_email(row.email)}"))
    if row.phone and len(normal_phone(row.phone)) >= 6:
        options.add(crypto.blind_index(f"t:{normal_phone(row.phone)}"))
    if not options:
        return []
    ids = _with_all(session, [options])
    return list(session.exec(select(Client).where(col(Client.id).in_(ids))))


# --- who may open a dossier -------------------------------------------------------------


def _what(client: Client, thing: str) -> str:
    return f"Dossier {number(client.id)}: {thing}"


def log(
    session: Session,
    client: Client,
    staff: Any,
    action: AccessAction,
    thing: str,
    reason: str | None = None,
) -> None:
    access.record(
        session,
        actor=staff,
        action=action,
        what=_what(client, thing),
        subject_id=client.user_id,
        reason=reason,
    )


def needs_reason(session: Session, client: Client, staff: Any) -> bool:
    """Whether `staff` must state a reason before the dossier opens."""
    if client.responsible_id == staff.id and not client.frozen:
        return False
    since = utcnow() - REASON_VALID
    stated = session.exec(
        select(AccessEntry.id)
        .where(
            AccessEntry.actor_id == staff.id,
            AccessEntry.what == _what(client, "geopend met reden"),
            col(AccessEntry.at) >= since,
            col(AccessEntry.reason).is_not(None),
        )
        .limit(1)
    ).first()
    return stated is None


def state_reason(session: Session, client: Client, staff: Any, reason: str) -> None:
    log(session, client, staff, AccessAction.READ, "geopend met reden", reason=reason)


def reasons_given(session: Session, client: Client) -> list[AccessEntry]:
    """Who opened the dossier with a reason (shown to the responsible makelaar)."""
    return list(
        session.exec(
            select(AccessEntry)
            .where(
                AccessEntry.what == _what(client, "geopend met reden"),
                col(AccessEntry.reason).is_not(None),
            )
            .order_by(col(AccessEntry.at).desc())
            .limit(50)
        )
    )


def _touch(session: Session, client: Client) -> None:
    client.last_activity_at = utcnow()
    client.retention_warned_at = None
    session.add(client)


def _editable(client: Client) -> None:
    if client.frozen:
        raise FieldError(
            None, "Dit dossier is bevroren: de cliënt heeft de verwerking laten beperken."
        )


# --- making and keeping a dossier ------------------------------------------------------


@dataclass(frozen=True)
class Details:
    name: str
    phone: str
    email: str


def details(client: Client) -> Details:
    return Details(
        unseal(client.id, client.name),
        unseal(client.id, client.phone),
        unseal(client.id, client.email),
    )


def create(
    session: Session, details_: Details, *, staff: Any, user_id: int | None = None
) -> Client:
    client = Client(name="", user_id=user_id, responsible_id=staff.id)
    session.add(client)
    session.flush()
    client.name = seal(client.id, details_.name)
    client.phone = seal(client.id, details_.phone)
    client.email = seal(client.id, details_.email)
    _index(session, client, details_.name, details_.email, details_.phone)
    log(session, client, staff, AccessAction.CREATE, "aangemaakt")
    return client


def change_details(
    session: Session, client: Client, new: Details, *, staff: Any, version: int
) -> None:
    """Correct the client's details (rectification); refused when a colleague changed them."""
    _editable(client)
    if client.version != version:
        raise Conflict(details(client))
    client.name = seal(client.id, new.name)
    client.phone = seal(client.id, new.phone)
    client.email = seal(client.id, new.email)
    client.version += 1
    _index(session, client, new.name, new.email, new.phone)
    _touch(session, client)
    log(session, client, staff, AccessAction.CHANGE, "gegevens gecorrigeerd")


def from_request(
    session: Session, row: HelpRequest, *, staff: Any, topic: str, description: str
) -> Client:
    """A new dossier for the person who sent `row`, with their first help question."""
    client = create(
        session,
        Details(row.name, row.phone or "", row.email or ""),
        staff=staff,
        user_id=row.user_id,
    )
    add_question(session, client, staff=staff, topic=topic, description=description)
    _settle(session, row, client, staff)
    return client


def attach(session: Session, row: HelpRequest, client: Client, *, staff: Any) -> None:
    """Add a request to an existing dossier (after staff confirmed it is the same person)."""
    _editable(client)
    if row.user_id and not client.user_id:
        client.user_id = row.user_id
    _settle(session, row, client, staff)
    _touch(session, client)
    log(session, client, staff, AccessAction.CHANGE, f"Hulplijn-vraag {row.id} toegevoegd")


def _settle(session: Session, row: HelpRequest, client: Client, staff: Any) -> None:
    """The request becomes part of the dossier: its contact details now live there, sealed,
    so the request's plain copies go."""
    row.client_id = client.id
    row.name, row.phone, row.email = "", None, None
    if row.status != HelpStatus.DONE:
        row.status = HelpStatus.DONE
        row.handled_at = utcnow()
        row.handled_by = staff.id
        row.outcome = f"opgenomen in dossier {number(client.id)}"
    session.add(row)


def requests_of(session: Session, client: Client) -> list[HelpRequest]:
    return list(
        session.exec(
            select(HelpRequest)
            .where(HelpRequest.client_id == client.id)
            .order_by(col(HelpRequest.created_at))
        )
    )


def of_account(session: Session, user_id: int) -> list[Client]:
    return list(session.exec(select(Client).where(Client.user_id == user_id)))


# --- questions and contact moments ---------------------------------------------------------


def questions(session: Session, client: Client) -> list[Question]:
    return list(
        session.exec(
            select(Question)
            .where(Question.client_id == client.id)
            .order_by(col(Question.opened_at).desc(), col(Question.id).desc())
        )
    )


def add_question(
    session: Session, client: Client, *, staff: Any, topic: str, description: str
) -> Question:
    _editable(client)
    question = Question(
        client_id=db.id_of(client), topic=topic, description=seal(client.id, description)
    )
    session.add(question)
    session.flush()
    _touch(session, client)
    log(session, client, staff, AccessAction.CREATE, f"vraag {question.id}")
    return question


def update_question(
    session: Session,
    client: Client,
    question: Question,
    *,
    staff: Any,
    status: QuestionStatus,
    description: str,
    follow_up: date | None,
    version: int,
) -> None:
    """Change a question; raises Conflict (with what is stored now) when a colleague changed
    it after `version` was read."""
    _editable(client)
    result = session.execute(
        sa.update(Question)
        .where(col(Question.id) == question.id, col(Question.version) == version)
        .values(
            status=status,
            description=seal(client.id, description),
            follow_up=follow_up,
            closed_at=(question.closed_at or utcnow()) if status == QuestionStatus.DONE else None,
            version=version + 1,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(question)
        raise Conflict(question)
    session.refresh(question)
    _touch(session, client)
    log(session, client, staff, AccessAction.CHANGE, f"vraag {question.id}")


def contacts(session: Session, client: Client) -> list[ContactMoment]:
    return list(
        session.exec(
            select(ContactMoment)
            .where(ContactMoment.client_id == client.id)
            .order_by(col(ContactMoment.at).desc(), col(ContactMoment.id).desc())
        )
    )


def contacts_page(session: Session, client: Client, number: int, per_page: int) -> Page:
    """One page of the dossier's contact moments, newest first, read from the database alone
    (a dossier with hundreds of them loads only the ones shown)."""
    total = session.exec(
        select(sa.func.count())
        .select_from(ContactMoment)
        .where(ContactMoment.client_id == client.id)
    ).one()
    number = max(1, min(number, max(1, -(-total // per_page))))
    rows = session.exec(
        select(ContactMoment)
        .where(ContactMoment.client_id == client.id)
        .order_by(col(ContactMoment.at).desc(), col(ContactMoment.id).desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    )
    return Page(items=list(rows), number=number, per_page=per_page, total=total)


def add_contact(
    session: Session,
    client: Client,
    *,
    staff: Any,
    channel: Channel,
    at: datetime,
    minutes: int,
    summary: str,
    notes: str,
    question_id: int | None,
    follow_up: date | None,
) -> ContactMoment:
    _editable(client)
    if question_id is not None:
        owned = session.get(Question, question_id)
        if owned is None or owned.client_id != client.id:
            question_id = None
    moment = ContactMoment(
        client_id=db.id_of(client),
        question_id=question_id,
        channel=channel,
        at=at,
        minutes=minutes,
        summary=seal(client.id, summary),
        notes=seal(client.id, notes),
        follow_up=follow_up,
        staff_id=staff.id,
    )
    session.add(moment)
    session.flush()
    _touch(session, client)
    log(session, client, staff, AccessAction.CREATE, f"contactmoment {moment.id}")
    return moment


def update_notes(
    session: Session,
    client: Client,
    moment: ContactMoment,
    *,
    staff: Any,
    summary: str,
    notes: str,
    version: int,
) -> None:
    _editable(client)
    result = session.execute(
        sa.update(ContactMoment)
        .where(col(ContactMoment.id) == moment.id, col(ContactMoment.version) == version)
        .values(summary=seal(client.id, summary), notes=seal(client.id, notes), version=version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(moment)
        raise Conflict(moment)
    session.refresh(moment)
    _touch(session, client)
    log(session, client, staff, AccessAction.CHANGE, f"contactmoment {moment.id}")


def follow_ups(session: Session, staff: Any, until: date) -> list[tuple[Client, Question]]:
    """Questions of `staff`'s dossiers that are due for a follow-up by `until`."""
    rows = session.exec(
        select(Client, Question)
        .join(Question, col(Question.client_id) == col(Client.id))
        .where(
            Client.responsible_id == staff.id,
            col(Question.follow_up).is_not(None),
            col(Question.follow_up) <= until,
            Question.status != QuestionStatus.DONE,
        )
        .order_by(col(Question.follow_up))
    )
    return list(rows)


# --- insurance (D5): shown only with the reason it is needed ---------------------------------


def show_policy(session: Session, client: Client, staff: Any, reason: str) -> tuple[str, str]:
    log(session, client, staff, AccessAction.READ, "verzekering ingezien", reason=reason)
    return unseal(client.id, client.insurer), unseal(client.id, client.policy_number)


def save_policy(session: Session, client: Client, *, staff: Any, insurer: str, policy: str) -> None:
    _editable(client)
    client.insurer = seal(client.id, insurer)
    client.policy_number = seal(client.id, policy)
    _touch(session, client)
    log(session, client, staff, AccessAction.CHANGE, "verzekering")


# --- documents --------------------------------------------------------------------------


def document_folder() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "dossiers"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def check_document(data: bytes) -> str:
    """The media type of `data`, judged from its content; FieldError when refused."""
    import filetype  # only when a document arrives

    if not data:
        raise FieldError("document", EMPTY_FILE)
    if len(data) > DOCUMENT_MAX_BYTES:
        raise FieldError("document", TOO_BIG)
    kind = filetype.guess(data)
    if kind is None or kind.mime not in DOCUMENT_TYPES:
        raise FieldError("document", REFUSED_TYPE)
    return kind.mime


def safe_filename(name: str, media_type: str) -> str:
    stem = re.sub(r"[^\w .()-]+", "_", Path(name or "document").stem).strip(" ._")[:80]
    return f"{stem or 'document'}.{DOCUMENT_TYPES[media_type]}"


def add_document(
    session: Session,
    client: Client,
    data: bytes,
    filename: str,
    *,
    staff: Any | None,
    uploader_id: int | None,
) -> Document:
    """Store a document sealed with the dossier's key, outside the static files."""
    _editable(client)
    media_type = check_document(data)
    stored_as = secrets.token_hex(16)
    (document_folder() / stored_as).write_bytes(crypto.seal_bytes(key_subject(client.id), data))
    document = Document(
        client_id=db.id_of(client),
        uploaded_by=uploader_id,
        by_client=staff is None,
        filename=seal(client.id, safe_filename(filename, media_type)),
        media_type=media_type,
        size=len(data),
        stored_as=stored_as,
    )
    session.add(document)
    session.flush()
    _touch(session, client)
    if staff is not None:
        log(session, client, staff, AccessAction.CREATE, f"document {document.id}")
    return document


def documents(session: Session, client: Client, *, limit: int | None = None) -> list[Document]:
    """The dossier's documents, the newest first (the newest `limit` of them when given)."""
    return list(
        session.exec(
            select(Document)
            .where(Document.client_id == client.id)
            .order_by(col(Document.uploaded_at).desc(), col(Document.id).desc())
            .limit(limit)
        )
    )


def add_upload(
    session: Session, client: Client, upload: Any, *, staff: Any | None, uploader_id: int | None
) -> Document:
    """A document from a form's file field (staff's or the client's own upload): refused with
    a field message when no file was chosen, too large or of a kind we do not take."""
    if upload is None or not getattr(upload, "filename", ""):
        raise FieldError("document", EMPTY_FILE)
    try:
        data = upload.read(DOCUMENT_MAX_BYTES + 1)  # one byte over the limit is enough to refuse
    finally:
        upload.close()
    return add_document(
        session, client, data, upload.filename, staff=staff, uploader_id=uploader_id
    )


def document_count(session: Session, client: Client) -> int:
    return session.exec(
        select(sa.func.count()).select_from(Document).where(Document.client_id == client.id)
    ).one()


def document_content(document: Document) -> bytes:
    token = (document_folder() / document.stored_as).read_bytes()
    return crypto.unseal_bytes(key_subject(document.client_id), token)


def document_name(document: Document) -> str:
    return unseal(document.client_id, document.filename)


def remove_files(session: Session, client_ids: list[int]) -> int:
    """Delete the document files of these dossiers (their rows go with the dossier)."""
    if not client_ids:
        return 0
    stored = session.exec(
        select(Document.stored_as).where(col(Document.client_id).in_(client_ids))
    ).all()
    for name in stored:
        (document_folder() / name).unlink(missing_ok=True)
    return len(stored)


# --- erasure ---------------------------------------------------------------------------


def erase(session: Session, clients: list[Client], *, staff: Any | None = None) -> int:
    """Erase whole dossiers: document files, the attached requests, every row, and the data
    keys (the dossier's and its requests'), so no copy anywhere can be read again."""
    ids = [db.id_of(c) for c in clients]
    if not ids:
        return 0
    for client in clients:
        if staff is not None:
            log(session, client, staff, AccessAction.DELETE, "gewist")
    remove_files(session, ids)
    request_ids = session.exec(
        select(HelpRequest.id).where(col(HelpRequest.client_id).in_(ids))
    ).all()
    crypto.destroy_keys(
        [key_subject(i) for i in ids]
        + [crypto.subject(HelpRequest.__tablename__, r) for r in request_ids]
    )
    for model in (ClientTerm, Document, ContactMoment, Question, HelpRequest):
        session.execute(sa.delete(model).where(col(model.client_id).in_(ids)))
    session.execute(sa.delete(Client).where(col(Client.id).in_(ids)))
    return len(ids)


def staff_name(session: Session, staff_id: int | None) -> str:
    """The first name of a member of staff (the responsible makelaar), for colleagues."""
    from app.accounts.models import User

    user = session.get(User, staff_id) if staff_id else None
    return user.name.split(" ", 1)[0] if user else "niemand (oud-collega)"
