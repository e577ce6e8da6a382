"""The assistant's replies: who to call first, the truth about what it is, else a passage quoted
from the hub with its source, or an honest "not sure" with places to look.

Nothing here composes facts: an answer is a verbatim passage from the single best document the
search index finds, with that document's title and link. Retrieval goes through the search
service (the hub registers its articles, videos and pages there); the crisis check is search's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.search import crisis
from app.search import service as search

MAX_QUESTION = 500
ANSWER_KINDS = ("article", "video", "page")  # products are for the shop, not for answers
MAX_PASSAGE = 400
RELATED = 2
SUGGESTED = 3
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý‘“\"'(])")
WORD = re.compile(r"\w+")
STEM = 5  # words are compared on their first letters: "aanvragen" meets "aanvraag"
HUMAN = re.compile(
    r"\b(?:ben|bent|is) (?:je|jij|u|dit|het) (?:wel )?(?:een )?(?:echte? )?"
    r"(?:mens|persoon|robot|computer|bot|chatbot|ai|programma|echt)\b"
    r"|\b(?:praat|spreek|chat) ik (?:nu )?(?:met|tegen) (?:een )?(?:echte? )?"
    r"(?:mens|persoon|robot|computer|bot|chatbot|ai|programma)\b"
    r"|\bwie (?:ben|bent) (?:je|jij|u)\b"
)
_STOP_WORDS = """
    aan al alle als ben bent bij daar dat de deze die dit doe doen door dus een en er ga gaat
    geen graag had heb hebben heeft het hier hij hoe hun ik in is ja je jij kan kun kunnen lang
    maar me meer met mij mijn mag moet moeten na naar niet nog nu of om ook op over te tot u uw
    van veel voor waar wanneer wat we welk welke wie wil wij word wordt zal ze zelf zij zijn zo
    zou m'n iets iemand krijg krijgen ga gaan kom komen"""
STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass
class Reply:
    """One reply. `kind`: crisis (who to call now), human (what the assistant is), answer (a
    quoted passage with its source) or unsure (links that may help, the search, the Hulplijn)."""

    kind: str
    question: str
    quote: str = ""
    source: Source | None = None
    links: list[Source] = field(default_factory=list)
    help_lines: tuple[crisis.HelpLine, ...] = ()
    # The passage in a language model's words (rephrase.py), only when that option is on.
    rephrased: str = ""


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def terms(text: str) -> set[str]:
    """The words that carry meaning, as their first STEM letters."""
    return {w[:STEM] for w in WORD.findall(_plain(text)) if len(w) > 2 and w not in STOP}


def asks_if_human(text: str) -> bool:
    """ "Ben je een mens?" and its variants."""
    return HUMAN.search(" ".join(WORD.findall(_plain(text)))) is not None


def shared_terms(text: str, wanted: set[str]) -> set[str]:
    """The terms of `wanted` in `text`; a long term also inside a compound ("respijtzorg" in
    "respijtzorgorganisatie"), a short one only at the start of a word."""
    plain = _plain(text)
    words = terms(text)
    return {t for t in wanted if t in words or (len(t) >= STEM and t in plain)}


def best_passage(body: str, wanted: set[str], title: str = "") -> tuple[str, int]:
    """The sentence of `body`, verbatim, that holds the
    most of the `wanted` terms the `title` does not already hold; and how many of `wanted` the
    title and that passage hold together."""
    in_title = shared_terms(title, wanted)
    sentences = [s for s in SENTENCE.split(body) if s.strip()]
    if not sentences:
        return "", 0
    best, best_key, covered = 0, (-1, -1), set()
    for i, sentence in enumerate(sentences):
        found = shared_terms(sentence, wanted)
        key = (len(found - in_title), len(found))
        if key > best_key:
            best, best_key, covered = i, key, found
    # One sentence only: the body is the article's plain text, in which the next sentence may
    # already belong to another paragraph, list or table.
    passage = sentences[best]
    if len(passage) > MAX_PASSAGE:
        passage = passage[:MAX_PASSAGE].rsplit(" ", 1)[0]
    return passage.strip(), len(covered | in_title)


def reply(question: str) -> Reply:
    """Reply to `question` (already masked). Runs in an app context (it reads the index).

    The crisis check comes first and replaces any answer; then the question whether this is a
    person; then retrieval. An answer needs a passage that shares at least two of the
    question's meaningful words together with the document's title (one when the question has
    only one); otherwise the reply is unsure and offers the best links instead of a guess."""
    if crisis.needs_help_now(question):
        return Reply("crisis", question, help_lines=crisis.HELP_LINES)
    if asks_if_human(question):
        return Reply("human", question)
    search.ensure_fresh()
    found = search.retrieve(question, kinds=ANSWER_KINDS, limit=1 + SUGGESTED)
    hits = found.hits
    wanted = terms(found.query or question)
    # The best of the fused ranking first; then BM25's best match on the words themselves,
    # which the encoder may rank low when it does not know a word ("respijtzorg").
    candidates = [*hits[:1], *([found.best_on_words] if found.best_on_words else [])]
    for hit in candidates if wanted else []:
        key = f"{hit.kind}:{hit.slug}"
        doc = search.document(key)
        if doc is None:
            continue
        passage, shared = best_passage(doc.body, wanted, doc.title)
        if passage and shared >= min(2, len(wanted)):
            others = [Source(h.title, h.url) for h in hits if h is not hit and h.url != hit.url]
            return Reply(
                "answer",
                question,
                quote=passage,
                source=Source(hit.title, hit.url),
                links=others[:RELATED],
            )
    return Reply("unsure", question, links=[Source(h.title, h.url) for h in hits[:SUGGESTED]])
