"""The data profile: answers, consents, and the tags derived from them (scored in `scoring`).

Callers pass in what the consent gate decided (`personalise`, `health`): these functions never
read the request themselves. Without personalisation nothing is scored at all and nothing about
reading is recorded; health answers are used only with health consent and never for the shop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select

from app import crypto
from app.accounts.models import User
from app.consent import service as consent
from app.content import store as content
from app.core.formatting import AMSTERDAM
from app.db import id_of, table_of, utcnow
from app.profile import questionnaire as q
from app.profile.models import ProfileAnswer, ProfileProgress, ReadTopic
from app.profile.scoring import Profile

CONSENTS = {
    "personalisation": (
        "1",
        "Ja, gebruik mijn antwoorden en de onderwerpen die ik lees om artikelen en producten "
        "voor mij uit te kiezen. Ik kan dit altijd weer uitzetten.",
    ),
    "health": (
        "1",
        "Ja, ik geef toestemming dat Zorggenoot mijn antwoorden over de gezondheid van degene "
        "voor wie ik zorg gebruikt om mij beter te kunnen helpen: met passende artikelen en bij "
        "de Hulplijn. Niet voor de winkel of voor partners. Ik kan dit altijd intrekken; de "
        "antwoorden worden dan meteen verwijderd.",
    ),
    "statistics": (
        "1",
        "Ja, laat mijn antwoorden op ‘voor wie zorg je’, ‘hoeveel uur per week’ en ‘hoe lang al’ "
        "meetellen in Zorggenoot in cijfers. Daar staan alleen opgetelde aantallen van minstens "
        "10 mensen, nooit mijn naam of losse antwoorden. Ik kan dit altijd weer uitzetten.",
    ),
}
READ_WEIGHT_STEP = 0.2
READ_WEIGHT_MAX = 1.0
# Reads counted per topic: more weigh no more in the profile, so they are not kept either.
READS_KEPT = round(READ_WEIGHT_MAX / READ_WEIGHT_STEP)
# A condition the caregiver named (with consent) says more about what helps than any other
# answer: an article about that condition comes before one that only fits the relationship.
HEALTH_WEIGHT = 2.0


class HealthNotAllowed(Exception):
    """Health answers were sent without a health consent."""


class QuestionnaireUnavailable(Exception):
    """content/vragenlijsten/intake.toml cannot be used (`flask content check` says why)."""


def questionnaire() -> q.Questionnaire:
    """The questionnaire as the content file says now (reloaded when it changes)."""
    loaded: q.Loaded = content.store().get(q.SOURCE.name)
    if loaded.questionnaire is None:
        raise QuestionnaireUnavailable(", ".join(str(p) for p in loaded.problems))
    return loaded.questionnaire


# --- answers ----------------------------------------------------------------------------------


# Asked on every page with recommendations: built once (see accounts/sessions.LIVE_SESSION),
# and only the columns the answers are made of.
_ANSWER = table_of(ProfileAnswer)
ANSWER_VALUES = sa.select(_ANSWER.c.question_key, _ANSWER.c.health, _ANSWER.c.value).where(
    _ANSWER.c.user_id == bindparam("user_id")
)


def answers(session: Session, user_id: int) -> dict[str, object]:
    """Every answer of the caregiver, health answers decrypted."""
    result = {}
    for row in session.execute(ANSWER_VALUES, {"user_id": user_id}):
        raw = crypto.decrypt(row.value) if row.health else row.value
        result[row.question_key] = json.loads(raw)
    return result


@dataclass
class ShownAnswer:
    """An answer as the caregiver sees it on /profiel: the question and the answer in words."""

    key: str
    question: str
    answer: str
    health: bool
    version: str


def shown_answers(session: Session, user_id: int) -> dict[str, ShownAnswer]:
    """Every answer in words, health answers decrypted, whatever changed in the questionnaire.

    The wording stored with the answer comes first (the question and options as they were when
    the caregiver answered); answers stored before that was kept are described with the current
    questionnaire, and where a question or option has gone since, by the stored value."""
    form = questionnaire()
    shown = {}
    for row in session.exec(select(ProfileAnswer).where(ProfileAnswer.user_id == user_id)):
        question = form.question(row.question_key)
        value = json.loads(crypto.decrypt(row.value) if row.health else row.value)
        if row.answer_label is not None:
            words = crypto.decrypt(row.answer_label) if row.health else row.answer_label
        elif question is not None:
            words = question.describe(value)
        else:
            words = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        label = row.question_label or (question.label if question else row.question_key)
        shown[row.question_key] = ShownAnswer(
            key=row.question_key,
            question=label,
            answer=words,
            health=row.health,
            version=row.version,
        )
    return shown


def delete_answer(session: Session, *, user: User, question_key: str) -> bool:
    """Delete one answer (for answers to questions no longer in the questionnaire, which cannot
    be changed through a step); returns whether there was one."""
    row = session.exec(
        select(ProfileAnswer).where(
            ProfileAnswer.user_id == user.id, ProfileAnswer.question_key == question_key
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    return True


def progress(session: Session, user_id: int) -> ProfileProgress | None:
    return session.exec(select(ProfileProgress).where(ProfileProgress.user_id == user_id)).first()


def save_step(
    session: Session, *, user: User, step_number: int, values: dict[str, object], health: bool
) -> None:
    """Store the answers of one step (empty ones are removed) and move the progress on.

    Raises HealthNotAllowed when the step holds health questions and `health` (the gate's answer)
    is False: without consent nothing health-related is stored.
    """
    form = questionnaire()
    step = form.steps[step_number - 1]
    if any(question.health for question in step.questions) and not health:
        raise HealthNotAllowed
    existing = {
        a.question_key: a
        for a in session.exec(select(ProfileAnswer).where(ProfileAnswer.user_id == user.id))
    }
    for question in step.questions:
        value = values.get(question.key)
        row = existing.get(question.key)
        if value in (None, "", []):
            if row is not None:
                session.delete(row)
            continue
        text, words = json.dumps(value, ensure_ascii=False), question.describe(value)
        if question.health:
            text, words = crypto.encrypt(text), crypto.encrypt(words)
        if row is None:
            row = ProfileAnswer(
                user_id=id_of(user), question_key=question.key, version=form.version, value=text
            )
            session.add(row)
        row.value, row.version, row.health, row.updated_at = (
            text,
            form.version,
            question.health,
            utcnow(),
        )
        row.question_label, row.answer_label = question.label, words
    mark_progress(session, user=user, reached=step_number + 1)


def mark_progress(session: Session, *, user: User, reached: int) -> ProfileProgress:
    """Remember the furthest step reached; past the last step the questionnaire is complete."""
    form = questionnaire()
    row = progress(session, id_of(user))
    if row is None:
        row = ProfileProgress(user_id=id_of(user), version=form.version)
        session.add(row)
    row.furthest_step = max(row.furthest_step, min(reached, len(form.steps)))
    row.version, row.updated_at = form.version, utcnow()
    if reached > len(form.steps) and row.completed_at is None:
        row.completed_at = utcnow()
    return row


def set_consent(session: Session, *, user: User, scope: str, granted: bool) -> None:
    """Give or withdraw the personalisation or health consent, with its text as proof.

    Withdrawing the health consent deletes the health answers at once; withdrawing
    personalisation deletes what was recorded about reading."""
    version, text = CONSENTS[scope]
    consent.record_account_consent(
        session, user_id=id_of(user), scope=scope, granted=granted, text=text, version=version
    )
    if not granted:
        forget_for_withdrawal(session, user_id=id_of(user), scope=scope)


def forget_for_withdrawal(session: Session, *, user_id: int, scope: str) -> bool:
    """What a withdrawn consent takes away: the health answers (health), or what was recorded
    about reading (personalisation). Returns whether `scope` is one of the profile's."""
    if scope == "health":
        session.exec(
            delete(ProfileAnswer).where(
                col(ProfileAnswer.user_id) == user_id, col(ProfileAnswer.health).is_(True)
            )
        )
        return True
    if scope == "personalisation":
        session.exec(delete(ReadTopic).where(col(ReadTopic.user_id) == user_id))
        return True
    return False


def delete_profile(session: Session, *, user: User) -> None:
    """Delete every answer, the progress and the reading history; withdraw both consents."""
    for model in (ProfileAnswer, ProfileProgress, ReadTopic):
        session.exec(delete(model).where(col(model.user_id) == user.id))
    current = consent.account_consents(session, id_of(user))
    for scope in CONSENTS:
        row = current.get(scope)
        if row is not None and row.accepted == scope:
            set_consent(session, user=user, scope=scope, granted=False)


def reading_day() -> datetime:
    """The start of today in the Netherlands: of the last reading only its day is kept."""
    return utcnow().astimezone(AMSTERDAM).replace(hour=0, minute=0, second=0, microsecond=0)


# Asked on every article a caregiver reads: built once (see accounts/sessions.LIVE_SESSION).
TOPICS_READ = select(ReadTopic).where(ReadTopic.user_id == bindparam("user_id"))
_READ = table_of(ReadTopic)
# The same as plain rows, at half the cost: to see whether anything is to be noted (mostly not),
# and for the profile behind every page with recommendations.
READ_SO_FAR = sa.select(_READ.c.topic, _READ.c.reads, _READ.c.last_read_at).where(
    _READ.c.user_id == bindparam("user_id")
)


def record_reading(session: Session, *, user_id: int, topics: list[str], personalise: bool) -> bool:
    """Count the topics of an article or video read, only when personalisation is allowed.

    A topic is counted up to READS_KEPT reads, and of the last reading only the day is kept; so
    once a topic has its READS_KEPT, reading about it again changes nothing until the next day.
    True when a row changed (the caller commits only then)."""
    if not personalise:
        return False
    day = reading_day()

    def full(row) -> bool:
        return row is not None and row.reads >= READS_KEPT and row.last_read_at >= day

    so_far = {row.topic: row for row in session.execute(READ_SO_FAR, {"user_id": user_id})}
    noted = [topic for topic in topics if not full(so_far.get(topic))]
    if not noted:
        return False
    rows = {r.topic: r for r in session.exec(TOPICS_READ, params={"user_id": user_id})}
    for topic in noted:
        row = rows.get(topic) or ReadTopic(user_id=user_id, topic=topic, reads=0)
        row.reads = min(READS_KEPT, row.reads + 1)
        row.last_read_at = day
        session.add(row)
    return True


# --- the profile ------------------------------------------------------------------------------


def build_profile(
    session: Session, *, user_id: int, personalise: bool, health: bool, for_shop: bool = False
) -> Profile:
    """The caregiver's profile, or an empty one when personalisation is not allowed.

    Tags come from the answers and from the topics read. Health answers count only with
    `health` allowed, and never when `for_shop`; nor does any health tag reach the shop."""
    profile = Profile()
    if not personalise:
        return profile
    site = content.site()
    form = questionnaire()

    def is_health(tag: str) -> bool:
        audience = site.audience.get(tag)
        return bool(audience and audience.health)

    for key, value in answers(session, user_id).items():
        question = form.question(key)
        if question is None or (question.health and (not health or for_shop)):
            continue
        for tag in question.tags_for(value):
            if is_health(tag) and for_shop:
                continue
            profile.weights[tag] = HEALTH_WEIGHT if is_health(tag) else 1.0
            profile.reasons.setdefault(tag, _reason(tag, site))
        if question.type == "single" or question.health:
            # One choice rules out the other choices' audiences; so do the conditions named
            # (an article only about parkinson is not for someone who named only dementia).
            group = frozenset(
                t for option in question.options for t in option.tags if t in site.audience
            )
            profile.exclusive.append((group, group & frozenset(question.tags_for(value))))
    for row in session.execute(READ_SO_FAR, {"user_id": user_id}):
        weight = min(READ_WEIGHT_MAX, READ_WEIGHT_STEP * row.reads)
        if weight > profile.weights.get(row.topic, 0):
            profile.weights[row.topic] = weight
            topic = site.topic(row.topic)
            profile.reasons[row.topic] = (
                f"je las over {topic.label.lower() if topic else row.topic}"
            )
    profile.topic_tags = {
        topic: frozenset(t for t in tags if not is_health(t))
        for topic, tags in form.topic_tags.items()
        if topic in profile.weights
    }
    return profile


def _reason(tag: str, site) -> str:
    if tag in site.audience:
        return site.audience[tag].label
    topic = site.topic(tag)
    return f"je zoekt hulp bij {topic.label.lower()}" if topic else tag


# --- the privacy centre ------------------------------------------------------------------------


def present_reading(row: dict) -> dict:
    """The day of the last reading as a date: no time of day is kept."""
    if isinstance(row.get("last_read_at"), datetime):
        row["last_read_at"] = row["last_read_at"].astimezone(AMSTERDAM).date()
    return row


def present_answer(row: dict) -> dict:
    """Health answers decrypted, the question's wording next to its key."""
    raw = crypto.decrypt(row["value"]) if row["health"] else row["value"]
    row["value"] = json.loads(raw)
    if row.get("answer_label") is not None and row["health"]:
        row["answer_label"] = crypto.decrypt(row["answer_label"])
    question = questionnaire().question(row["question_key"])
    label = row.get("question_label") or (question.label if question else None)
    if label:
        row["question_key"] = f"{row['question_key']}: {label}"
    return row
