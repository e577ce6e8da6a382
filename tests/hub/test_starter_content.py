"""H7 / P19: the starter set is real: enough original Dutch articles, videos with transcripts and
the fixed pages, all published and complete."""

import pytest

from app.content.site import load_site
from app.core.formatting import today
from app.hub import service
from tests.conftest import PROJECT_ROOT


@pytest.fixture
def snapshot(app):
    with app.app_context():
        return service.snapshot()


def published(snapshot, kind):
    return [i for i in snapshot.items if i.kind == kind and i.is_public(today())]


def test_p19_at_least_40_articles_of_at_least_400_words(snapshot):
    articles = published(snapshot, "article")
    assert len(articles) >= 40
    short = [(a.slug, len(a.text.split())) for a in articles if len(a.text.split()) < 400]
    assert short == []


def test_p19_every_article_is_complete(snapshot):
    for article in published(snapshot, "article"):
        meta = article.meta
        assert meta.summary and meta.topics and meta.tags and meta.audience, article.slug
        assert len(article.headings) >= 2, article.slug


def test_p19_at_least_six_videos_with_transcripts(snapshot):
    videos = published(snapshot, "video")
    assert len(videos) >= 6
    for video in videos:
        assert len(video.meta.video.transcript.split()) >= 250, video.slug


def test_the_fixed_pages_exist(snapshot):
    slugs = {p.slug for p in published(snapshot, "page")}
    assert {"over-ons", "over-de-hulplijn", "contact", "herroepingsrecht"} <= slugs


def test_every_main_topic_has_articles(snapshot):
    site = load_site(PROJECT_ROOT / "content")
    articles = published(snapshot, "article")
    for topic in site.topics:
        assert sum(topic.slug in a.meta.topics for a in articles) >= 3, topic.slug


def test_the_starter_content_has_no_problems(snapshot):
    assert [str(p) for p in snapshot.problems] == []
