""" "Klopt dit antwoord niet?" (issue 16, point 9): a reply reported with an optional comment,
masked and linked to no one, read by editors at /redactie/assistent, deleted when handled or
after 12 months."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlmodel import select

from app.accounts.models import Role
from app.assistant.models import AnswerReport
from tests.conftest import htmx_headers
from tests.search.test_crisis import CRISIS

QUESTION = "hoe vraag ik respijtzorg aan?"
THANKS = "Bedankt, de redactie kijkt ernaar."
HTMX = htmx_headers("gesprek")


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def asked(client, question: str = QUESTION) -> str:
    """Ask without JavaScript; the id of the newest turn's report area."""
    response = client.submit("/assistent", {"question": question})
    assert response.status_code == 303
    turns = re.findall(r'id="melding-([0-9a-f]+)"', text_of(client.get("/assistent")))
    assert turns, "no report form under the reply"
    return turns[-1]


def send_report(client, turn: str, comment: str | None = None, **kwargs):
    data = {} if comment is None else {f"melding-{turn}-comment": comment}
    return client.submit(f"/assistent/melden/{turn}", data, page="/assistent", **kwargs)


def reports(session) -> list[AnswerReport]:
    return list(session.exec(select(AnswerReport)).all())


def test_every_answer_has_the_report_form(client):
    html = text_of(client.get(f"/assistent?vraag={QUESTION}"))
    assert "melding-" not in html  # nothing asked yet
    turn = asked(client)
    html = text_of(client.get("/assistent"))
    assert "Klopt dit antwoord niet?" in html
    assert "Wat klopt er niet? (niet verplicht)" in html
    assert f'action="/assistent/melden/{turn}"' in html
    fragment = text_of(client.submit("/assistent", {"question": "wat is een pgb"}, headers=HTMX))
    assert "Klopt dit antwoord niet?" in fragment and 'data-hx-swap="outerHTML"' in fragment


def test_a_report_without_a_comment_is_stored_from_what_the_server_works_out(client, session):
    turn = asked(client)
    response = send_report(client, turn)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/assistent#melding-{turn}")
    [row] = reports(session)
    assert row.question == QUESTION
    assert row.kind == "answer"
    assert row.quote
    assert row.article_url == "/artikelen/respijtzorg"
    assert row.article_title
    assert row.comment == ""
    html = text_of(client.get("/assistent"))
    assert THANKS in html
    assert f'action="/assistent/melden/{turn}"' not in html


def test_a_report_with_a_comment_through_htmx_swaps_only_its_area(client, session):
    turn = asked(client)
    response = send_report(
        client, turn, "Dit gaat over iets anders.", headers=htmx_headers(f"melding-{turn}")
    )
    assert response.status_code == 200
    html = text_of(response)
    assert "<html" not in html
    assert html.lstrip().startswith(f'<div class="zg-assistant__report" id="melding-{turn}"')
    assert THANKS in html
    [row] = reports(session)
    assert row.comment == "Dit gaat over iets anders."


def test_the_same_reply_reported_twice_is_stored_once(client, session):
    turn = asked(client)
    send_report(client, turn)
    assert send_report(client, turn).status_code == 303
    assert len(reports(session)) == 1


def test_a_comment_too_long_gets_a_dutch_message_and_keeps_what_was_typed(client, session):
    turn = asked(client)
    typed = "Dit klopt niet 🙂 " * 70
    response = send_report(client, turn, typed)
    assert response.status_code == 422
    html = text_of(response)
    assert "Gebruik hoogstens 1000 tekens." in html
    assert "Er ging iets mis" in html
    assert typed.strip() in html
    fragment = send_report(client, turn, typed, headers=htmx_headers(f"melding-{turn}"))
    assert fragment.status_code == 200
    assert "Gebruik hoogstens 1000 tekens." in text_of(fragment)
    assert reports(session) == []


def test_odd_unicode_in_a_comment_is_kept(client, session):
    turn = asked(client)
    comment = "Klopt niet 🙂 — café ∑ ｒｅｓｐｉｊｔ"
    assert send_report(client, turn, comment).status_code == 303
    [row] = reports(session)
    assert row.comment == unicodedata.normalize("NFC", comment)


def test_personal_data_in_the_question_and_comment_is_masked(client, session):
    turn = asked(client, "respijtzorg aanvragen, mijn bsn is 111222333")
    send_report(client, turn, "Bel me op 0612345678 of mail jan@example.nl")
    [row] = reports(session)
    assert "111222333" not in row.question and "[BSN]" in row.question
    assert row.comment == "Bel me op [telefoonnummer] of mail [e-mailadres]"


def test_a_report_names_no_account_ip_or_session_even_when_logged_in(client, session, login_as):
    user = login_as(Role.CAREGIVER)
    turn = asked(client)
    send_report(client, turn, "Niet duidelijk", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    [row] = reports(session)
    columns = set(AnswerReport.__table__.columns.keys())  # type: ignore[attr-defined]
    assert columns == {
        "id",
        "created_at",
        "question",
        "kind",
        "quote",
        "article_url",
        "article_title",
        "comment",
    }
    values = " ".join(str(v) for v in row.model_dump().values())
    assert user.email not in values and "203.0.113.9" not in values


def test_a_turn_that_is_not_in_the_conversation_is_a_404(client, session):
    asked(client)
    assert send_report(client, "deadbeef").status_code == 404
    assert send_report(client, "../../x").status_code == 404
    assert reports(session) == []


def test_a_crisis_reply_has_no_report_form(client):
    client.submit("/assistent", {"question": CRISIS[0]})
    assert 'id="melding-' not in text_of(client.get("/assistent"))


def test_editors_see_the_open_reports_and_mark_them_handled(client, session, login_as):
    turn = asked(client)
    send_report(client, turn, "Het gaat over mijn vader.")
    login_as(Role.EDITOR)
    assert 'href="/redactie/assistent"' in text_of(client.get("/redactie"))
    html = text_of(client.get("/redactie/assistent"))
    assert QUESTION in html
    assert "Het gaat over mijn vader." in html
    assert 'href="/artikelen/respijtzorg"' in html
    [row] = reports(session)
    response = client.submit(
        f"/redactie/assistent/{row.id}/afgehandeld", page="/redactie/assistent"
    )
    assert response.status_code == 303
    assert reports(session) == []
    html = text_of(client.get("/redactie/assistent"))
    assert "Er zijn geen open meldingen." in html
    assert QUESTION not in html


def test_newest_reports_come_first(client, session, login_as):
    first = asked(client, "wat is een pgb")
    send_report(client, first, "eerste")
    second = asked(client)
    send_report(client, second, "tweede")
    login_as(Role.ADMIN)
    html = text_of(client.get("/redactie/assistent"))
    assert html.index("tweede") < html.index("eerste")


def test_caregivers_may_not_see_the_reports(client, login_as):
    login_as(Role.CAREGIVER)
    assert client.get("/redactie/assistent").status_code == 403


def test_reports_older_than_12_months_are_deleted_by_the_retention_job(app, session):
    from app import db
    from app.assistant.feedback import Reports
    from app.core.personal_data import handlers

    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    old = AnswerReport(question="oud", kind="unsure", created_at=now - timedelta(days=367))
    young = AnswerReport(question="jong", kind="unsure", created_at=now - timedelta(days=360))
    session.add_all([old, young])
    session.commit()
    with app.app_context():
        assert any(isinstance(h, Reports) for h in handlers())
        dry = Reports().retention(db.session(), now=now, dry_run=True)
        assert [line.count for line in dry] == [1]
        [line] = Reports().retention(db.session(), now=now, dry_run=False)
        assert line.count == 1 and "12 maanden" in line.what
    assert [r.question for r in reports(session)] == ["jong"]


def test_too_many_reports_in_a_minute_get_the_limit(client):
    turn = asked(client)
    answers = [send_report(client, turn) for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [303] * 10
    assert answers[10].status_code == 429
