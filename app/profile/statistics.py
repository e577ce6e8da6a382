"""The profile's part in the public figures: who the caregivers are who allowed their answers
to count (for whom they care, hours per week in bands, how long they have cared), counted per
month as they are on the day of counting. Health answers are never counted."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.consent import gate
from app.consent import service as consent
from app.core.statistics import Series
from app.profile import service
from app.profile.models import ProfileAnswer

SCOPE = "statistics"
# Hours of care a week, in the bands the figures show (16 and more counts as intensive).
HOUR_BANDS = (
    ("0-7", "minder dan 8 uur", 0, 7),
    ("8-15", "8 tot 16 uur", 8, 15),
    ("16-31", "16 tot 32 uur", 16, 31),
    ("32-plus", "32 uur of meer", 32, 168),
)
QUESTIONS = (("relatie", "voor-wie"), ("uren", "uren-per-week"), ("duur", "hoe-lang"))
TITLES = {
    "relatie": "Voor wie mantelzorgers zorgen",
    "uren": "Uren zorg per week",
    "duur": "Hoe lang mantelzorgers al zorgen",
}


def band(hours: int) -> str | None:
    return next((key for key, _, low, high in HOUR_BANDS if low <= hours <= high), None)


def counting_caregivers(session: Session) -> list[int]:
    """Accounts with answers that allowed them to count (and did not restrict processing)."""
    ids = session.exec(select(ProfileAnswer.user_id).distinct()).all()
    counted = []
    for user_id in ids:
        user = session.get(User, user_id)
        subject = gate.Subject(user=user, consents=consent.account_decisions(session, user_id))
        if user is not None and gate.decide(SCOPE, subject):
            counted.append(user_id)
    return counted


def series(session: Session, today: date) -> list[Series]:
    """One series per question, for the month of `today`."""
    form = service.questionnaire()
    period = f"{today.year:04d}-{today.month:02d}"
    people = counting_caregivers(session)
    result: list[Series] = []
    for question_key, series_key in QUESTIONS:
        question = form.question(question_key)
        if question is None or question.health:
            continue
        if question.type == "number":
            categories = tuple((key, label) for key, label, _, _ in HOUR_BANDS)
        else:
            categories = tuple((o.value, o.label) for o in question.options)
        known = {key for key, _ in categories}
        cells: Counter[tuple[str, str]] = Counter()
        rows = session.exec(
            select(ProfileAnswer.value).where(
                col(ProfileAnswer.user_id).in_(people),
                ProfileAnswer.question_key == question_key,
                col(ProfileAnswer.health).is_(False),
            )
        ).all()
        for value in rows:
            answer = json.loads(value)
            key = band(int(answer)) if question.type == "number" else str(answer)
            if key in known:
                cells[(period, key)] += 1
        result.append(
            Series(
                key=f"mantelzorgers-{series_key}",
                title=TITLES.get(question_key, question.label),
                description=(
                    f"Antwoorden op ‘{question.label}’ van mantelzorgers die toestemming gaven "
                    "om mee te tellen, zoals ze waren op de dag van tellen."
                ),
                unit="mantelzorgers",
                categories=categories,
                cells=cells,
                order=30 + len(result),
            )
        )
    return result
