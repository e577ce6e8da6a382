"""A logged-in caregiver's conversation with the assistant is kept (P07): masked, each question
sealed with a key of its own, shown again, in the access page and the download, wiped with
"Gesprek wissen", deleted after 90 days and with the account. A visitor's is never stored."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.accounts.models import User
from app.assistant.models import KEEP_DAYS, AssistantTurn
from tests.assistant.test_chat import HTMX, _row_counts, ask, text_of

QUESTION = "Mijn moeder heeft dementie, wie kan helpen? Bel me op 06 12345678"


def test_p07_an_anonymous_chat_writes_no_row_and_a_logged_in_chat_is_stored(
    app, client, session, login_as
):
    before = _row_counts(session)
    ask(client, QUESTION, headers=HTMX)
    assert _row_counts(session) == before
    carla = login_as(email="carla@example.nl")
    assert ask(client, QUESTION).status_code == 303
    ask(client, "wat is respijtzorg", headers=HTMX)
    turns = session.exec(select(AssistantTurn).order_by(col(AssistantTurn.id))).all()
    assert [t.user_id for t in turns] == [carla.id, carla.id]
    assert turns[0].masked == "phone" and turns[1].masked == ""
    assert "dementie" not in turns[0].question and "12345678" not in turns[0].question
    with client.session_transaction() as cookie:
        assert "assistent" not in cookie  # kept on the server now, not in the cookie
    page = text_of(client.get("/assistent"))
    assert "Mijn moeder heeft dementie, wie kan helpen? Bel me op [telefoonnummer]" in page
    assert "wat is respijtzorg" in page and "12345678" not in page
    assert f"we bewaren je vragen {KEEP_DAYS} dagen bij je account" in page
    access = text_of(client.get("/privacy/inzage"))
    assert "Je vragen aan de assistent" in access and "heeft dementie" in access
    with app.app_context():
        from app import db
        from app.privacy import export

        s = db.session()
        archive = zipfile.ZipFile(io.BytesIO(export.build_zip(s, s.get_one(User, carla.id))))
        name = next(n for n in archive.namelist() if n.endswith("assistant_turn.json"))
        exported = json.dumps(json.loads(archive.read(name)), ensure_ascii=False)
        assert "heeft dementie" in exported and "12345678" not in exported


def test_wiping_the_conversation_deletes_the_questions_and_destroys_their_keys(
    app, client, session, login_as
):
    from app import crypto

    login_as()
    ask(client, QUESTION)
    [turn] = session.exec(select(AssistantTurn)).all()
    sealed, subject = turn.question, f"assistant_turn:{turn.id}"
    assert client.submit("/assistent/wissen", page="/assistent").status_code == 303
    session.expire_all()
    assert session.exec(select(AssistantTurn)).all() == []
    assert "heeft dementie" not in text_of(client.get("/assistent"))
    with app.app_context(), pytest.raises(crypto.KeyDestroyed):
        crypto.unseal(subject, sealed)


def test_questions_go_after_90_days_and_with_the_account(app, client, session, login_as):
    from app import crypto, db
    from app.db import utcnow
    from app.privacy import erasure, retention

    carla = login_as()
    ask(client, "eerste vraag over respijtzorg")
    ask(client, "tweede vraag over respijtzorg")
    old, recent = session.exec(select(AssistantTurn).order_by(col(AssistantTurn.id))).all()
    old.at = utcnow() - timedelta(days=KEEP_DAYS, minutes=1)
    recent.at = utcnow() - timedelta(days=KEEP_DAYS - 1)
    session.add_all([old, recent])
    session.commit()
    old_sealed, old_id, recent_id = old.question, old.id, recent.id
    with app.app_context():
        retention.run(db.session())
        with pytest.raises(crypto.KeyDestroyed):
            crypto.unseal(f"assistant_turn:{old_id}", old_sealed)
    session.expire_all()
    assert [t.id for t in session.exec(select(AssistantTurn)).all()] == [recent_id]
    with app.app_context():
        s = db.session()
        erasure.erase_account(s, s.get_one(User, carla.id))
        s.commit()
    session.expire_all()
    assert session.exec(select(AssistantTurn)).all() == []


def test_a_logged_in_caregiver_reports_a_stored_reply_once(client, session, login_as):
    from app.assistant.models import AnswerReport

    login_as()
    ask(client, "wat is respijtzorg")
    [turn] = session.exec(select(AssistantTurn)).all()
    url = f"/assistent/melden/{turn.id}"
    for _ in range(2):
        sent = client.submit(url, {f"melding-{turn.id}-comment": "Te vaag"}, page="/assistent")
        assert sent.status_code == 303
    assert len(session.exec(select(AnswerReport)).all()) == 1
    assert "Bedankt, de redactie kijkt ernaar." in text_of(client.get("/assistent"))
    with client.session_transaction() as cookie:
        assert cookie.get("assistent-gemeld") == [str(turn.id)] and "assistent" not in cookie
    assert client.submit("/assistent/melden/99999", page="/assistent").status_code == 404
