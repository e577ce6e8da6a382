"""Scoring items against a profile: weighted tag overlap, a threshold, a stable order, and the
reasons behind each recommendation. Pure functions: the profile comes from
`service.build_profile`, which already left out whatever the consent gate does not allow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How much one profile tag adds to an item's score, by where the item carries it: in its
# audience, its topics, or its tags; a topic also adds RELATED_WEIGHT when the item carries one of
# that topic's tags (`topic_tags` in the questionnaire). Each is multiplied by the tag's weight
# in the profile (1 for an answer, up to 1 for reading). Below THRESHOLD nothing is recommended:
# one audience answer is enough, a topic needs the item to be about it and carry one of its tags.
AUDIENCE_WEIGHT = 3.0
TOPIC_WEIGHT = 2.0
TAG_WEIGHT = 2.0
RELATED_WEIGHT = 1.0
THRESHOLD = 3.0


@dataclass
class Profile:
    """Weighted tags, each with the plain-language reason it is there, and for each topic the
    tags that belong to it (from the questionnaire's `topic_tags`)."""

    weights: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    topic_tags: dict[str, frozenset[str]] = field(default_factory=dict)
    # Answers that rule things out: for each one-choice question answered, (the audience tags
    # of all its options, the ones of the chosen option). An item meant only for another option
    # (an article for parents of a disabled child, for someone caring for a parent) is left out.
    exclusive: list[tuple[frozenset[str], frozenset[str]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.weights)


@dataclass
class Recommendation:
    """An article or product worth showing, with the answers (or reading) behind it."""

    item: Any
    score: float
    reasons: list[str]
    matched: list[str] = field(default_factory=list)


def score(item, profile: Profile) -> tuple[float, list[str]]:
    """How well an item (anything with .meta.audience, .meta.topics and optionally .meta.tags)
    fits the profile, and which profile tags it matched, strongest first.

    Each profile tag counts once, by the strongest place the item carries it (audience, topic or
    tag), plus RELATED_WEIGHT when the item carries one of that topic's tags. (Asked for every
    item on every page with recommendations: the item's short lists are looked in as they are.)"""
    meta = item.meta
    audience, topics = meta.audience, meta.topics
    tags = getattr(meta, "tags", None) or ()
    parts = []
    for tag, weight in profile.weights.items():
        points = AUDIENCE_WEIGHT if tag in audience else 0.0
        if points < TOPIC_WEIGHT and tag in topics:
            points = TOPIC_WEIGHT
        if points < TAG_WEIGHT and tag in tags:
            points = TAG_WEIGHT
        related = profile.topic_tags.get(tag)
        if related and not related.isdisjoint(tags):
            points += RELATED_WEIGHT
        if points:
            parts.append((points * weight, tag))
    parts.sort(key=lambda p: (-p[0], p[1]))
    return sum(p[0] for p in parts), [tag for _, tag in parts]


def contradicts(item, profile: Profile) -> bool:
    """Whether the item is meant for another answer to a one-choice question: it names
    audiences of that question, none of them the caregiver's."""
    audience = item.meta.audience
    return any(
        mine and not group.isdisjoint(audience) and mine.isdisjoint(audience)
        for group, mine in profile.exclusive
    )


def recommend(items: list, profile: Profile, *, limit: int = 6) -> list[Recommendation]:
    """Items scored by weighted tag overlap with the profile (see `score`); below THRESHOLD,
    or when the item `contradicts` an answer, nothing is recommended. Ties: featured first,
    then newest, then title, then slug, so the order is stable. Each recommendation says which
    answers (or reading) it matched."""
    if not profile:
        return []
    scored = []
    for item in items:
        if contradicts(item, profile):
            continue
        points, matched = score(item, profile)
        if points >= THRESHOLD:
            reasons = list(dict.fromkeys(profile.reasons[t] for t in matched))
            scored.append(Recommendation(item=item, score=points, reasons=reasons, matched=matched))
    scored.sort(
        key=lambda r: (
            -r.score,
            not getattr(r.item.meta, "featured", False),
            -r.item.meta.published.toordinal(),
            r.item.title,
            getattr(r.item, "slug", ""),
        )
    )
    return scored[:limit]
