"""Demo requests in the Hulplijn's queue and two fictional dossiers (`flask demo load`)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.core.formatting import today
from app.db import utcnow
from app.helpline import dossier, service
from app.helpline.forms import CONSENT_TEXT
from app.helpline.models import CallMoment, Channel, Client, HelpKind, HelpRequest, QuestionStatus

DEMO = (
    (4, HelpKind.CALL_BACK, "Henk Jansen", "06 23456789", None, CallMoment.MORNING, ""),
    (
        1,
        HelpKind.QUESTION,
        "Ria Bos",
        None,
        "ria.bos@example.nl",
        CallMoment.ANY,
        "Mijn man heeft parkinson en valt vaker. Welke hulp kunnen we aanvragen?",
    ),
    (0, HelpKind.CALL_BACK, "Yusuf Demir", "06 34567890", None, CallMoment.AFTERNOON, ""),
)


def load_demo(session: Session) -> list[str]:
    if session.exec(select(HelpRequest)).first() is not None:
        return []
    for days_ago, kind, name, phone, email, moment, explanation in DEMO:
        row = service.submit(
            session,
            service.Contact(kind, name, phone, email, moment, explanation, CONSENT_TEXT),
            user_id=None,
        )
        row.created_at = utcnow() - timedelta(days=days_ago)
        session.add(row)
    return [f"Hulplijn: {len(DEMO)} vragen in de wachtrij op /staff/hulplijn.", *_dossiers(session)]


# A one-page PDF and a one-pixel PNG: the demo documents (what matters is their content type).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DEMO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


def _dossiers(session: Session) -> list[str]:
    """Two fictional dossiers of the demo makelaar; the first belongs to the demo caregiver,
    who sees it at /hulplijn/mijn-vragen."""
    if session.exec(select(Client)).first() is not None:
        return []
    staff = session.exec(select(User).where(User.role == Role.STAFF)).first()
    caregiver = session.exec(select(User).where(User.role == Role.CAREGIVER)).first()
    if staff is None:
        return []
    anna = dossier.create(
        session,
        dossier.Details(
            caregiver.name if caregiver else "Anna de Vries",
            "06 12121212",
            caregiver.email if caregiver else "anna@example.nl",
        ),
        staff=staff,
        user_id=caregiver.id if caregiver else None,
    )
    question = dossier.add_question(
        session,
        anna,
        staff=staff,
        topic="zorg",
        description="Moeder (82) woont alleen; Anna zoekt dagbesteding en respijtzorg.",
    )
    dossier.add_contact(
        session,
        anna,
        staff=staff,
        channel=Channel.PHONE,
        at=utcnow() - timedelta(days=6),
        minutes=25,
        summary="Besproken welke dagbesteding er in de buurt is en hoe je een Wmo-melding doet.",
        notes="Anna klinkt moe; volgende keer vragen naar haar eigen steun.",
        question_id=question.id,
        follow_up=today() + timedelta(days=7),
    )
    dossier.add_document(
        session, anna, DEMO_PDF, "wmo-melding.pdf", staff=staff, uploader_id=staff.id
    )
    question.follow_up = today() + timedelta(days=1)
    session.add(question)
    kees = dossier.create(
        session,
        dossier.Details("Kees Hoekstra", "06 31313131", "kees.hoekstra@example.nl"),
        staff=staff,
    )
    done = dossier.add_question(
        session,
        kees,
        staff=staff,
        topic="financien",
        description="Eigen bijdrage voor de thuiszorg van zijn vrouw.",
    )
    dossier.update_question(
        session,
        kees,
        done,
        staff=staff,
        status=QuestionStatus.DONE,
        description="Eigen bijdrage voor de thuiszorg van zijn vrouw: uitgelegd en aangevraagd.",
        follow_up=None,
        version=done.version,
    )
    dossier.add_document(
        session, kees, DEMO_PNG, "beschikking.png", staff=staff, uploader_id=staff.id
    )
    return [
        f"Hulplijn: 2 dossiers op /staff/hulplijn/dossiers (van {staff.email}); het eerste "
        f"is van {caregiver.email if caregiver else 'een demo-cliënt'} (Mijn hulpvragen)."
    ]
