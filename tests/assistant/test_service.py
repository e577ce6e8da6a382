"""The reply rules without the page: every crisis phrasing gets the numbers before any
retrieval, no ordinary sentence does, and every answer is a sentence of its source."""

import pytest

from app.assistant import service
from app.search import service as search
from tests.search.test_crisis import CRISIS, ORDINARY


@pytest.fixture
def context(app):
    with app.test_request_context():
        yield


def test_every_crisis_phrasing_gets_the_numbers(context):
    for text in CRISIS:
        reply = service.reply(text)
        assert reply.kind == "crisis", text
        assert {line.number for line in reply.help_lines} >= {"0800-0113", "112", "0800-2000"}


def test_no_ordinary_sentence_of_a_tired_caregiver_gets_them(context):
    for text in ORDINARY:
        assert service.reply(text).kind != "crisis", text


@pytest.mark.parametrize(
    "question",
    [
        "hoe vraag ik respijtzorg aan?",
        "wat is een pgb",
        "mantelzorgwaardering aanvragen",
        "hoeveel zorgverlof krijg ik",
    ],
)
def test_an_answer_is_one_verbatim_sentence_of_its_source(context, question):
    reply = service.reply(question)
    assert reply.kind == "answer"
    assert reply.source is not None
    assert len(reply.links) <= 2
    body = {doc.url: doc.body for doc in search.documents()}[reply.source.url]
    assert reply.quote in body


@pytest.mark.parametrize(
    "question",
    ["wie wint het WK voetbal", "recept voor appeltaart", "wat voor weer wordt het morgen"],
)
def test_off_topic_questions_are_answered_unsure(context, question):
    reply = service.reply(question)
    assert reply.kind == "unsure"
    assert reply.quote == ""
    assert len(reply.links) <= 3


def test_the_human_question_is_recognised_in_its_variants():
    for text in ("Ben je een mens?", "bent u een robot", "is dit een chatbot", "wie ben jij?"):
        assert service.asks_if_human(text), text
    for text in ("ik ben een mens die zorgt", "mijn moeder is een mens"):
        assert not service.asks_if_human(text), text
