"""/assistent: honest about what it is, the crisis numbers first, answers quoted from the hub
with their source, and nothing of the conversation in the database (issue 16, points 1-8)."""

import re
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import SAME_ORIGIN, htmx_headers
from tests.search.test_crisis import CRISIS, ORDINARY

CONTENT = Path(__file__).resolve().parents[2] / "content"
HTMX = htmx_headers("gesprek")


def ask(client, question: str, **kwargs):
    return client.submit("/assistent", {"question": question}, **kwargs)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_page_says_what_it_is_before_the_first_question(client, app):
    html = text_of(client.get("/assistent"))
    with app.app_context():
        from app.content import store

        org = store.site().organisation
    assert "computerprogramma" in html
    assert "geen mens" in html
    assert "experimenteel" in html
    assert "kan fouten maken" in html
    assert "controleer" in html
    assert f"mailto:{org.feedback_email}" in html
    assert org.helpline in html
    assert org.helpline_hours in html
    assert 'aria-live="polite"' in html


@pytest.mark.parametrize(
    "question", ["Ben je een mens?", "ben jij een robot", "Praat ik met een echt persoon?"]
)
def test_asked_whether_it_is_a_person_it_says_it_is_a_program(client, question):
    html = text_of(ask(client, question, headers=HTMX))
    assert "Nee, ik ben geen mens" in html
    assert "computerprogramma" in html


@pytest.mark.parametrize("question", CRISIS[::4])
def test_crisis_messages_get_the_numbers_and_no_article(client, question):
    html = text_of(ask(client, question, headers=HTMX))
    for number in ("0800-0113", "112", "0800-2000"):
        assert number in html
    assert "Dit staat in" not in html
    assert "blockquote" not in html


@pytest.mark.parametrize("question", ORDINARY[:6])
def test_tired_caregivers_get_no_crisis_reply(client, question):
    assert "0800-0113" not in text_of(ask(client, question, headers=HTMX))


def test_an_answer_quotes_the_article_verbatim_and_links_it(client):
    html = text_of(ask(client, "hoe vraag ik respijtzorg aan?", headers=HTMX))
    assert 'href="/artikelen/respijtzorg"' in html
    quote = re.search(r"<blockquote[^>]*>\s*<p[^>]*>(.+?)</p>", html, re.S)
    assert quote
    source = " ".join((CONTENT / "artikelen" / "respijtzorg.md").read_text().split())
    assert " ".join(quote.group(1).split()) in source
    assert "Klopt dit antwoord niet?" in html


def test_an_off_topic_question_gets_the_unsure_reply(client):
    html = text_of(ask(client, "wie wint het WK voetbal dit jaar", headers=HTMX))
    assert "Ik weet het antwoord niet zeker" in html
    assert "/zoeken?q=" in html
    assert "blockquote" not in html
    assert "Hulplijn" in html


def test_without_javascript_the_whole_page_shows_the_conversation(client):
    response = ask(client, "wat is een pgb")
    assert response.status_code == 303
    html = text_of(client.get(response.headers["Location"]))
    assert "<html" in html
    assert "wat is een pgb" in html
    assert "Dit staat in" in html
    html = text_of(client.get(ask(client, "Ben je een mens?").headers["Location"]))
    assert "wat is een pgb" in html
    assert "Nee, ik ben geen mens" in html


def test_with_htmx_only_the_new_exchange_comes_back(client):
    html = text_of(ask(client, "wat is een pgb", headers=HTMX))
    assert "<html" not in html
    assert "<h1" not in html
    assert html.lstrip().startswith('<div class="zg-assistant__turn"')
    assert 'data-hx-swap-oob="true"' in html  # the form comes back empty


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Typ eerst je vraag."),
        ("   ", "Typ eerst je vraag."),
        ("ö" * 5000, "Gebruik hoogstens 500 tekens."),
    ],
)
def test_empty_or_huge_questions_get_a_dutch_message(client, question, message):
    response = ask(client, question)
    assert response.status_code == 422
    assert message in text_of(response)
    fragment = ask(client, question, headers=HTMX)
    assert fragment.status_code == 200
    assert message in text_of(fragment)
    assert "zg-assistant__turn" not in text_of(fragment)


def test_a_refused_question_keeps_what_was_typed(client):
    typed = "ik zorg voor mijn moeder 🙂 " * 30
    html = text_of(ask(client, typed))
    assert typed.strip() in html


def test_odd_unicode_does_not_break_anything(client):
    for question in ("🙂🙂🙂", "∑∫√ ⌘", "ｒｅｓｐｉｊｔｚｏｒｇ", "zorg\u200b\u200bverlof"):
        response = ask(client, question, headers=HTMX)
        assert response.status_code == 200
        assert "zg-assistant__turn" in text_of(response)


def test_personal_data_is_masked_and_warned_about(client):
    html = text_of(ask(client, "mijn bsn is 111222333 en bel 0612345678", headers=HTMX))
    assert "111222333" not in html
    assert "0612345678" not in html
    assert "[BSN]" in html
    assert "burgerservicenummer (BSN)" in html
    assert "telefoonnummer" in html


def _row_counts(session) -> dict[str, int]:
    tables = sa.inspect(session.get_bind()).get_table_names()
    return {t: session.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}  # noqa: S608


def test_a_conversation_writes_nothing_to_the_database(client, session):
    before = _row_counts(session)
    ask(client, "wat is een pgb", headers=HTMX)
    ask(client, "mijn bsn is 111222333")
    assert _row_counts(session) == before


def test_the_conversation_can_be_cleared(client):
    ask(client, "wat is een pgb")
    assert "wat is een pgb" in text_of(client.get("/assistent"))
    client.submit("/assistent/wissen", page="/assistent")
    assert "wat is een pgb" not in text_of(client.get("/assistent"))


def test_the_menu_links_to_the_assistant(client):
    assert 'href="/assistent"' in text_of(client.get("/"))


def test_a_question_from_the_search_page_is_filled_in(client):
    html = text_of(client.get("/assistent?vraag=respijtzorg voor mijn vader"))
    assert re.search(r"<textarea[^>]*>\s*respijtzorg voor mijn vader</textarea>", html)


def test_too_many_questions_in_a_minute_get_the_dutch_limit_message(client):
    token = client.csrf_token("/assistent")
    answers = [
        client.post(
            "/assistent",
            data={"question": "Ben je een mens?", "csrf_token": token},
            headers=SAME_ORIGIN,
        )
        for _ in range(21)
    ]
    assert [a.status_code for a in answers[:20]] == [303] * 20
    assert answers[20].status_code == 429
    assert "<html" in text_of(answers[20])
