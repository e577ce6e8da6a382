"""Optional (B3, off by default): a language model rephrases the passage the assistant found.

Only when `ASSISTANT_LLM_URL` names an OpenAI-compatible chat endpoint (a model the organisation
has hosted in the EU, under a processor agreement; `ASSISTANT_LLM_PROCESSOR` names who runs it,
and the privacy statement says so). Then, for a reply that quotes the hub (never a crisis reply,
never "ben je een mens?", never an unsure one), the masked question and the quoted passage go to
the model with the instruction to answer only from the numbered sources and to cite them as [1].

The model's text is used only when it cites, and cites nothing but the sources it was given;
otherwise, and when the endpoint is slow, down or answers nonsense, the reply stays the quoted
passage. The text is masked like a question before it is shown, labelled as written by a
language model, and the quoted passage with its link stays beside it. With the option off no
HTTP client is made and nothing leaves the site.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections import OrderedDict

from flask import current_app

from app.assistant.masking import mask
from app.assistant.service import Reply

TIMEOUT = 8.0  # seconds; a slow model must not hold up the page
MAX_TEXT = 1200
CACHED = 256  # rephrased replies kept per process, so a page shown again asks nothing new
CITATION = re.compile(r"\[(\d{1,2})\]")
INSTRUCTION = (
    "Je helpt mantelzorgers. Beantwoord de vraag in eenvoudig Nederlands, in hoogstens drie "
    "zinnen, en gebruik daarbij alleen de genummerde bronnen. Verwijs naar elke bron die je "
    "gebruikt met haar nummer tussen vierkante haken, zoals [1]. Staat het antwoord niet in de "
    "bronnen, zeg dan dat je het niet weet. Geef geen medisch advies."
)

log = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(current_app.config.get("ASSISTANT_LLM_URL"))


def apply(reply: Reply) -> Reply:
    """`reply` with its passage rephrased by the model, or `reply` unchanged."""
    if reply.kind != "answer" or reply.source is None or not enabled():
        return reply
    sources = [(reply.source.title, reply.quote)]
    key = hashlib.sha256(repr((reply.question, sources)).encode()).hexdigest()
    cache: OrderedDict[str, str] = current_app.extensions.setdefault(
        "assistant_rephrased", OrderedDict()
    )
    if key not in cache:
        cache[key] = _ask(reply.question, sources)
        while len(cache) > CACHED:
            cache.popitem(last=False)
    text = cache[key]
    return dataclasses.replace(reply, rephrased=text) if text else reply


def _ask(question: str, sources: list[tuple[str, str]]) -> str:
    """The model's answer, checked; "" when it cannot be used."""
    import requests  # only with the option on: otherwise no HTTP client is ever made

    config = current_app.config
    numbered = "\n".join(f"[{n}] {title}: {text}" for n, (title, text) in enumerate(sources, 1))
    body = {
        "model": config.get("ASSISTANT_LLM_MODEL") or "default",
        "temperature": 0,
        "messages": [
            {"role": "system", "content": INSTRUCTION},
            {"role": "user", "content": f"Vraag: {question}\n\nBronnen:\n{numbered}"},
        ],
    }
    headers = {}
    if config.get("ASSISTANT_LLM_KEY"):
        headers["Authorization"] = f"Bearer {config['ASSISTANT_LLM_KEY']}"
    try:
        response = requests.post(
            f"{config['ASSISTANT_LLM_URL']}/chat/completions",
            json=body,
            headers=headers,
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        text = str(response.json()["choices"][0]["message"]["content"]).strip()
    except (requests.RequestException, ValueError, KeyError, IndexError, TypeError) as error:
        log.warning("the language model gave no usable answer: %s", type(error).__name__)
        return ""
    return checked(text, len(sources))


def checked(text: str, given: int) -> str:
    """The model's text when it cites only sources 1..`given` (at least one), masked; else ""."""
    cited = {int(n) for n in CITATION.findall(text)}
    if not text or len(text) > MAX_TEXT or not cited or not cited <= set(range(1, given + 1)):
        return ""
    return mask(text).text
