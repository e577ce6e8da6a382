"""The assistant without its sentence encoder: it still answers on BM25 alone."""

import pytest

from app.assistant import service
from app.search import semantic
from app.search import service as search


@pytest.fixture
def without_encoder(app, monkeypatch):
    def broken(name):
        raise OSError("the weights cannot be read")

    saved = dict(semantic._loaded)
    semantic.forget()
    monkeypatch.setattr(semantic, "_load", broken)
    with app.test_request_context():
        yield
    semantic.forget()
    semantic._loaded.update(saved)


def test_the_assistant_answers_on_bm25_when_the_encoder_cannot_load(without_encoder):
    reply = service.reply("hoe vraag ik respijtzorg aan?")
    assert reply.kind == "answer"
    assert reply.source is not None and reply.source.url == "/artikelen/respijtzorg"
    assert search.encoder() is None
    off_topic = service.reply("wat is de hoofdstad van australie")
    assert off_topic.kind == "unsure"


def test_the_fused_ranking_reaches_an_article_without_a_shared_word(app):
    with app.test_request_context():
        found = search.retrieve(
            "mn moeder kan niet meer met de bus, regelt de gemeente een taxi",
            kinds=service.ANSWER_KINDS,
            limit=3,
        )
    assert "vervoer-en-reiskosten" in [hit.slug for hit in found.hits]
