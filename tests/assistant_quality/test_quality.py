"""The assistant's quality (issue 16, point 10), measured on `questions.toml`.

- recall@3 over the caregiver questions: an expected article is among the three the reply shows
  (an answer's source and its two related links; an unsure reply's three suggested links);
- the share of off-topic questions that get the low-confidence ("unsure") reply.

Both figures, the share of caregiver questions refused and every miss are printed at the end of
the run (the `summary` fixture). Where a goal is not reached yet, the test holds the measured
value as a floor so that a change can only improve it.
"""

import tomllib
from pathlib import Path

import pytest

from app.assistant import service
from app.search import service as search
from app.search.crisis import needs_help_now

DATA = tomllib.loads((Path(__file__).parent / "questions.toml").read_text(encoding="utf-8"))
CAREGIVER = DATA["vraag"]
OFF_TOPIC = DATA["off_topic"]
TOPICS = ("wonen", "zorg", "financien", "juridisch", "balans", "werk")

# The goals of issue 16, point 10.
RECALL_GOAL = 0.90
UNSURE_GOAL = 0.80
# Goal 0.90 not reached: BM25 alone measured 0.495 (51 of 103), BM25 + dense vectors fused by
# reciprocal rank 0.699 (72 of 103), with the dense ranking's first 30 re-ranked by the
# question's words before the fusion 0.845 (87 of 103), and with the questions editors write
# for each page (vectors and words) 0.883 (91 of 103; off-topic answered unsure 21 of 24) in
# Dec 2026. Until it is, the measured value rounded down to two decimals is the floor a change
# must keep.
RECALL_FLOOR = 0.88


@pytest.fixture
def context(app):
    with app.test_request_context():
        yield


def slugs_shown(reply: service.Reply) -> list[str]:
    """The slugs of the articles, videos and pages the reply links to, in its order, at most 3."""
    sources = ([reply.source] if reply.source else []) + reply.links
    return [source.url.rstrip("/").rsplit("/", 1)[-1] for source in sources][:3]


def verdict(name: str, measured: float, goal: float, floor: float | None = None) -> str:
    if measured >= goal:
        return f"{name}: {measured:.3f} (goal {goal:.2f} reached)"
    held = f" (regression floor {floor:.2f})" if floor is not None else ""
    return f"{name}: goal {goal:.2f} not reached: measured {measured:.3f}{held}"


def test_the_set_is_large_and_sound(context):
    assert len(CAREGIVER) >= 80 and len(OFF_TOPIC) >= 20
    answerable = {doc.key.split(":", 1)[1] for doc in search.documents()}
    for item in CAREGIVER:
        assert item["topic"] in TOPICS, item
        assert 1 <= len(item["expect"]) <= 3, item
        assert set(item["expect"]) <= answerable, item
    for item in CAREGIVER + OFF_TOPIC:
        # Crisis phrasings and "ben je een mens?" have fixed replies, tested elsewhere.
        assert not needs_help_now(item["q"]), item
        assert not service.asks_if_human(item["q"]), item
    # Every topic of the site is asked about.
    assert {item["topic"] for item in CAREGIVER} == set(TOPICS)


def test_recall_at_3_of_the_caregiver_questions(context, summary):
    found, refused, misses = 0, 0, []
    per_topic: dict[str, list[int]] = {topic: [0, 0] for topic in TOPICS}
    for item in CAREGIVER:
        reply = service.reply(item["q"])
        shown = slugs_shown(reply)
        hit = any(slug in item["expect"] for slug in shown)
        found += hit
        refused += reply.kind == "unsure"
        per_topic[item["topic"]][0] += hit
        per_topic[item["topic"]][1] += 1
        if not hit:
            misses.append(f"  {item['q']!r} ({reply.kind}) -> {shown}, expected {item['expect']}")
    recall = found / len(CAREGIVER)
    summary(
        "assistant quality",
        [
            verdict("recall@3", recall, RECALL_GOAL, RECALL_FLOOR),
            f"  {found} of {len(CAREGIVER)} caregiver questions; per topic: "
            + ", ".join(f"{topic} {n}/{total}" for topic, (n, total) in per_topic.items()),
            f"  answered unsure (no quote) for {refused} of {len(CAREGIVER)} "
            f"({refused / len(CAREGIVER):.0%}) caregiver questions",
            f"  misses ({len(misses)}):" if misses else "  misses: none",
            *misses,
        ],
    )
    # Raise RECALL_FLOOR to RECALL_GOAL once the goal is reached.
    assert recall >= RECALL_FLOOR, f"recall@3 fell to {recall:.3f}; the misses are printed"


def test_off_topic_questions_get_the_unsure_reply(context, summary):
    unsure, wrong = 0, []
    for item in OFF_TOPIC:
        reply = service.reply(item["q"])
        if reply.kind == "unsure":
            unsure += 1
        else:
            source = reply.source.title if reply.source else ""
            wrong.append(f"  {item['q']!r} ({reply.kind}) -> {source!r}: {reply.quote[:80]!r}")
    share = unsure / len(OFF_TOPIC)
    summary(
        "assistant quality",
        [
            verdict("off-topic answered unsure", share, UNSURE_GOAL),
            f"  {unsure} of {len(OFF_TOPIC)} off-topic questions",
            f"  answered anyway ({len(wrong)}):" if wrong else "  answered anyway: none",
            *wrong,
        ],
    )
    assert share >= UNSURE_GOAL, f"only {share:.0%} unsure; the answered ones are printed"
