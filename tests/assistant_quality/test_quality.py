"""The assistant's quality (issue 16, point 10), measured on `questions.toml`, with each sentence
encoder the site can use (`SEARCH_ENCODER`: the default `use`, and `e5`).

- recall@3 over the caregiver questions: an expected article is among the three the reply shows
  (an answer's source and its two related links; an unsure reply's three suggested links);
- the share of off-topic questions that get the low-confidence ("unsure") reply.

Both figures, the share of caregiver questions refused and every miss of this set are printed
at the end of the run (the `summary` fixture). Where a goal is not reached yet, the test holds
the measured value as a floor so that a change can only improve it.

The weights of the retrieval were chosen on `questions.toml`, so its figures flatter. The same
figures on `blind.toml` and `blind2.toml`, questions written by two other writers without seeing
it or the code, are printed beside them: what a caregiver who asks something new can expect.
Only their figures are printed, not their misses (those only when a figure falls under its
floor): a set stays blind only while nobody tunes on what it misses.
"""

import tomllib
from pathlib import Path

import pytest

from app.assistant import service
from app.search import service as search
from app.search.crisis import needs_help_now


def load(name: str) -> dict:
    return tomllib.loads((Path(__file__).parent / name).read_text(encoding="utf-8"))


DATA = load("questions.toml")
CAREGIVER = DATA["vraag"]
OFF_TOPIC = DATA["off_topic"]
BLIND = load("blind.toml")
BLIND2 = load("blind2.toml")
TOPICS = ("wonen", "zorg", "financien", "juridisch", "balans", "werk")

# The goals of issue 16, point 10.
RECALL_GOAL = 0.90
UNSURE_GOAL = 0.80
# On questions.toml BM25 alone measured 0.495 (51 of 103), BM25 + dense vectors fused by
# reciprocal rank 0.699 (72 of 103), with the dense ranking's first 30 re-ranked by the
# question's words before the fusion 0.845 (87 of 103), with the questions editors write for
# each page (vectors and words) 0.883 (91 of 103), and with every meaningful word of a long
# question searched (stop words no longer count towards the twelve words) 0.903 (93 of 103;
# off-topic answered unsure 21 of 24), and with a word no document holds matched on its known
# head and modifier ("invalidenparkeerkaart", "incontinentiespullen"; engine.KNOWN_PART) 0.922
# (95 of 103; off-topic unchanged) in Dec 2026: the goal is the floor a change must keep.
# With e5 instead (its re-ranking weights chosen on this set, semantic.MODELS) 0.951 (98 of
# 103); its floor is that figure rounded down.
RECALL_FLOOR = {"use": RECALL_GOAL, "e5": 0.95}
# blind.toml, when it was added (Dec 2026): 48 of 70 (0.686; 49 before the long-question
# change above), off-topic answered unsure 18 of 20. With the everyday words of
# content/spreektaal.txt (about 250 rules, written from the content by someone who saw neither
# set): 52 of 70 (0.743), questions.toml unchanged; 339 more rules, article by article, changed
# neither, nor did matching unknown words on their known parts. Its floor is that figure
# rounded down. With e5 (Dec 2026, its weights chosen on questions.toml only): 55 of 70
# (0.786), off-topic answered unsure 19 of 20.
BLIND_FLOOR = {"use": 0.74, "e5": 0.78}
# blind2.toml, written the same way by another writer (Dec 2026), who also did not see the
# everyday-word lexicon: 66 of 70 (0.943; 65 of 70 with only the twelve rules the lexicon
# started from; unchanged by matching unknown words on their known parts), off-topic answered
# unsure 19 of 20. Its questions share more words with the
# expected articles' titles, summaries and tags than blind.toml's do (23 % of a question's
# words on average against 18 %; none at all for 9 against 14 questions): who writes the
# questions moves the figure more than any change measured so far. Floor: rounded down. With
# e5: 68 of 70 (0.971), off-topic answered unsure 19 of 20.
BLIND2_FLOOR = {"use": 0.94, "e5": 0.97}


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


@pytest.mark.parametrize("data", [DATA, BLIND, BLIND2], ids=["questions", "blind", "blind2"])
def test_the_set_is_large_and_sound(context, data):
    caregiver, off_topic = data["vraag"], data["off_topic"]
    # Issue 16 asks for at least 80 caregiver questions on the set the goal is measured on.
    assert len(caregiver) >= (80 if data is DATA else 70) and len(off_topic) >= 20
    answerable = {doc.key.split(":", 1)[1] for doc in search.documents()}
    for item in caregiver:
        assert item["topic"] in TOPICS, item
        assert 1 <= len(item["expect"]) <= 3, item
        assert set(item["expect"]) <= answerable, item
    for item in caregiver + off_topic:
        # Crisis phrasings and "ben je een mens?" have fixed replies, tested elsewhere.
        assert not needs_help_now(item["q"]), item
        assert not service.asks_if_human(item["q"]), item
    # Every topic of the site is asked about.
    assert {item["topic"] for item in caregiver} == set(TOPICS)
    for other in (DATA, BLIND, BLIND2):
        if other is not data:
            assert not {i["q"] for i in caregiver} & {i["q"] for i in other["vraag"]}


def recall_at_3(
    items: list[dict], name: str, goal: float, floor: float
) -> tuple[float, list, list]:
    """recall@3 over `items`, the lines that report it, and every miss."""
    found, refused, quoted_right, misses = 0, 0, 0, []
    per_topic: dict[str, list[int]] = {topic: [0, 0] for topic in TOPICS}
    for item in items:
        reply = service.reply(item["q"])
        shown = slugs_shown(reply)
        hit = any(slug in item["expect"] for slug in shown)
        found += hit
        refused += reply.kind == "unsure"
        quoted_right += reply.kind == "answer" and bool(shown) and shown[0] in item["expect"]
        per_topic[item["topic"]][0] += hit
        per_topic[item["topic"]][1] += 1
        if not hit:
            misses.append(f"  {item['q']!r} ({reply.kind}) -> {shown}, expected {item['expect']}")
    recall = found / len(items)
    lines = [
        verdict(name, recall, goal, floor),
        f"  {found} of {len(items)} caregiver questions; per topic: "
        + ", ".join(f"{topic} {n}/{total}" for topic, (n, total) in per_topic.items()),
        f"  answered unsure (no quote) for {refused} of {len(items)} "
        f"({refused / len(items):.0%}) caregiver questions",
        f"  of the {len(items) - refused} answers, {quoted_right} quote an expected article",
    ]
    return recall, lines, misses


def section(name: str, encoder: str) -> str:
    return f"{name}, encoder {encoder}"


def test_recall_at_3_of_the_caregiver_questions(context, summary, encoder):
    floor = RECALL_FLOOR[encoder]
    recall, lines, misses = recall_at_3(CAREGIVER, "recall@3", RECALL_GOAL, floor)
    summary(
        section("assistant quality", encoder),
        [*lines, f"  misses ({len(misses)}):", *misses] if misses else lines,
    )
    assert recall >= floor, f"recall@3 fell to {recall:.3f}; the misses are printed"


def test_off_topic_questions_get_the_unsure_reply(context, summary, encoder):
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
        section("assistant quality, off-topic", encoder),
        [
            verdict("off-topic answered unsure", share, UNSURE_GOAL),
            f"  {unsure} of {len(OFF_TOPIC)} off-topic questions",
            f"  answered anyway ({len(wrong)}):" if wrong else "  answered anyway: none",
            *wrong,
        ],
    )
    assert share >= UNSURE_GOAL, f"only {share:.0%} unsure; the answered ones are printed"


@pytest.mark.parametrize(
    ("name", "data", "floors"),
    [("blind.toml", BLIND, BLIND_FLOOR), ("blind2.toml", BLIND2, BLIND2_FLOOR)],
    ids=["blind", "blind2"],
)
def test_recall_at_3_of_the_blind_questions(context, summary, encoder, name, data, floors):
    """The same measure on questions nobody chose a weight on: printed, and held at its floor."""
    floor = floors[encoder]
    recall, lines, misses = recall_at_3(data["vraag"], f"recall@3 on {name}", RECALL_GOAL, floor)
    unsure = sum(service.reply(item["q"]).kind == "unsure" for item in data["off_topic"])
    share = unsure / len(data["off_topic"])
    lines.append(verdict("off-topic answered unsure", share, UNSURE_GOAL))
    summary(section(f"assistant quality, {name}", encoder), lines)
    assert recall >= floor, "\n".join([f"recall@3 ({name}) fell to {recall:.3f}:", *misses])
    assert share >= UNSURE_GOAL
