"""The data profile: answers, consents, the tags derived from them, and recommendations.

Callers pass in what the consent gate decided (`personalise`, `health`): these functions never
read the request themselves. Without personalisation nothing is scored at all and nothing about
reading is recorded; health answers are used only with health consent and never for the shop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlmodel import Session, delete, select

from app import crypto
from app.accounts.models import User
from app.consent import service as consent
from app.db import utcnow
from app.hub.content import Item
from app.privacy.registry import presenter
from app.profile import questionnaire as q
from app.profile.models import ProfileAnswer, ProfileProgress, ReadTopic

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
}
AUDIENCE_WEIGHT = 3.0
TOPIC_WEIGHT = 2.0
THRESHOLD = 3.0
READ_WEIGHT_STEP = 0.2
READ_WEIGHT_MAX = 1.0


class HealthNotAllowed(Exception):
    """Health answers were sent without a health consent."""


def questionnaire() -> q.Questionnaire:
    """The questionnaire, re-read when its file changes."""
    source = q.path(Path(current_app.config["CONTENT_DIR"]))
    stamp = source.stat().st_mtime_ns
    cached = current_app.extensions.get("questionnaire")
    if cached is None or cached[0] != stamp:
        cached = (stamp, q.load(Path(current_app.config["CONTENT_DIR"])))
        current_app.extensions["questionnaire"] = cached
    return cached[1]


# --- answers ----------------------------------------------------------------------------------


def answers(session: Session, user_id: int) -> dict[str, object]:
    """Every answer of the caregiver, health answers decrypted."""
    result = {}
    for row in session.exec(select(ProfileAnswer).where(ProfileAnswer.user_id == user_id)):
        raw = crypto.decrypt(row.value) if row.health else row.value
        result[row.question_key] = json.loads(raw)
    return result


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
        text = json.dumps(value, ensure_ascii=False)
        stored = crypto.encrypt(text) if question.health else text
        if row is None:
            session.add(
                ProfileAnswer(
                    user_id=user.id,
                    question_key=question.key,
                    version=form.version,
                    health=question.health,
                    value=stored,
                )
            )
        else:
            row.value, row.version, row.health, row.updated_at = (
                stored,
                form.version,
                question.health,
                utcnow(),
            )
    mark_progress(session, user=user, reached=step_number + 1)


def mark_progress(session: Session, *, user: User, reached: int) -> ProfileProgress:
    """Remember the furthest step reached; past the last step the questionnaire is complete."""
    form = questionnaire()
    row = progress(session, user.id)
    if row is None:
        row = ProfileProgress(user_id=user.id, version=form.version)
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
        session, user_id=user.id, scope=scope, granted=granted, text=text, version=version
    )
    if not granted and scope == "health":
        session.exec(
            delete(ProfileAnswer).where(
                ProfileAnswer.user_id == user.id, ProfileAnswer.health.is_(True)
            )
        )
    if not granted and scope == "personalisation":
        session.exec(delete(ReadTopic).where(ReadTopic.user_id == user.id))


def delete_profile(session: Session, *, user: User) -> None:
    """Delete every answer, the progress and the reading history; withdraw both consents."""
    for model in (ProfileAnswer, ProfileProgress, ReadTopic):
        session.exec(delete(model).where(model.user_id == user.id))
    current = consent.account_consents(session, user.id)
    for scope in CONSENTS:
        row = current.get(scope)
        if row is not None and row.accepted == scope:
            set_consent(session, user=user, scope=scope, granted=False)


def record_reading(session: Session, *, user_id: int, item: Item, personalise: bool) -> None:
    """Count the topics of an article read, only when personalisation is allowed."""
    if not personalise or item.kind == "page":
        return
    rows = {r.topic: r for r in session.exec(select(ReadTopic).where(ReadTopic.user_id == user_id))}
    for topic in item.meta.topics:
        row = rows.get(topic) or ReadTopic(user_id=user_id, topic=topic)
        row.reads += 1
        row.last_read_at = utcnow()
        session.add(row)


# --- the profile and recommendations ----------------------------------------------------------


@dataclass
class Profile:
    """Weighted tags, each with the plain-language reason it is there."""

    weights: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.weights)


def build_profile(
    session: Session, *, user_id: int, personalise: bool, health: bool, for_shop: bool = False
) -> Profile:
    """The caregiver's profile, or an empty one when personalisation is not allowed.

    Health answers count only with `health` allowed, and never when `for_shop`."""
    profile = Profile()
    if not personalise:
        return profile
    site = current_app.extensions["site"]
    form = questionnaire()
    for key, value in answers(session, user_id).items():
        question = form.question(key)
        if question is None or (question.health and (not health or for_shop)):
            continue
        for tag in question.tags_for(value):
            audience = site.audience.get(tag)
            if audience and audience.health and for_shop:
                continue
            profile.weights[tag] = 1.0
            profile.reasons.setdefault(tag, _reason(tag, site))
    for row in session.exec(select(ReadTopic).where(ReadTopic.user_id == user_id)):
        weight = min(READ_WEIGHT_MAX, READ_WEIGHT_STEP * row.reads)
        if weight > profile.weights.get(row.topic, 0):
            profile.weights[row.topic] = weight
            topic = site.topic(row.topic)
            profile.reasons[row.topic] = (
                f"je las over {topic.label.lower() if topic else row.topic}"
            )
    return profile


def _reason(tag: str, site) -> str:
    if tag in site.audience:
        return site.audience[tag].label
    topic = site.topic(tag)
    return f"je zoekt hulp bij {topic.label.lower()}" if topic else tag


@dataclass
class Recommendation:
    item: Item
    score: float
    reasons: list[str]


def recommend(items: list, profile: Profile, *, limit: int = 6) -> list[Recommendation]:
    """Items (anything with .meta.audience, .meta.topics, .meta.published, .title) scored by
    weighted tag overlap; below the threshold nothing is recommended. Ties: featured first,
    then newest, then title, so the order is stable."""
    if not profile:
        return []
    scored = []
    for item in items:
        score, matched = 0.0, []
        for tag in item.meta.audience:
            if tag in profile.weights:
                score += AUDIENCE_WEIGHT * profile.weights[tag]
                matched.append(tag)
        for tag in item.meta.topics:
            if tag in profile.weights:
                score += TOPIC_WEIGHT * profile.weights[tag]
                matched.append(tag)
        if score >= THRESHOLD:
            reasons = list(dict.fromkeys(profile.reasons[t] for t in matched))
            scored.append(Recommendation(item=item, score=score, reasons=reasons))
    scored.sort(
        key=lambda r: (
            -r.score,
            not getattr(r.item.meta, "featured", False),
            -r.item.meta.published.toordinal(),
            r.item.title,
        )
    )
    return scored[:limit]


# --- the privacy centre ------------------------------------------------------------------------


@presenter("profile_answer")
def present_answer(row: dict) -> dict:
    """Health answers decrypted, the question's wording next to its key."""
    raw = crypto.decrypt(row["value"]) if row["health"] else row["value"]
    row["value"] = json.loads(raw)
    question = questionnaire().question(row["question_key"])
    if question is not None:
        row["question_key"] = f"{row['question_key']}: {question.label}"
    return row
