"""D2, D3, D5: the mantelzorgmakelaars' dossier: from a request to a dossier, who may open it,
finding a client on keyed hashes, contact moments, documents, conflicts, rights and retention."""

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from markupsafe import escape
from sqlmodel import col, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app import db
from app.accounts.models import Role, User
from app.audit.models import AccessAction, AccessEntry
from app.core.formatting import AMSTERDAM
from app.helpline.models import Client, ClientTerm, ContactMoment, Document, HelpRequest, Question
from tests.conftest import SAME_ORIGIN, database_dump

STORY = "Mijn vader heeft Parkinson en kan niet meer alleen douchen."
SUMMARY = "We bespraken de Wmo-aanvraag voor een douchestoel; jij belt de gemeente."
NOTES = "Cliënt klonk uitgeput; volgende keer respijtzorg noemen."
# The smallest PNG and PDF there are: what filetype must recognise from their content.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ask(client, **changes):
    data = {
        "kind": "terugbellen",
        "name": "Sanne de Wit-Ørsted",
        "phone": "06 12345678",
        "email": "sanne@example.nl",
        "moment": "ochtend",
        "explanation": STORY,
        "health_consent": "y",
        **changes,
    }
    return client.submit("/hulplijn", {k: v for k, v in data.items() if v is not None})


def last_request(session) -> HelpRequest:
    return session.exec(select(HelpRequest).order_by(col(HelpRequest.id).desc())).first()


@pytest.fixture
def mara(make_user):
    return make_user(role=Role.STAFF, email="mara@example.nl", name="Mara Makelaar")


@pytest.fixture
def piet(make_user):
    return make_user(role=Role.STAFF, email="piet@example.nl", name="Piet Plan")


def open_dossier(client, session, request_id, *, topic="zorg", description=STORY) -> Client:
    page = f"/staff/hulplijn/{request_id}/dossier"
    response = client.submit(
        page, {"target": "nieuw", "topic": topic, "description": description}, page=page
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    session.expire_all()
    return session.exec(select(Client).order_by(col(Client.id).desc())).first()


def add_contact(client, dossier_id, **changes):
    page = f"/staff/hulplijn/dossiers/{dossier_id}"
    data = {
        "channel": "telefoon",
        "on": date.today().isoformat(),
        "minutes": "20",
        "question": "",
        "summary": SUMMARY,
        "notes": NOTES,
        **changes,
    }
    return client.submit(f"{page}/contact", data, page=page)


def upload(client, url, page, content, name):
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    fields = MultiDict([("csrf_token", client.csrf_token(page))])
    fields.add("document", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(fields)
    return client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=SAME_ORIGIN,
    )


def test_p24_the_hulplijn_is_answered_by_mantelzorgmakelaars_in_their_own_back_office(
    client, auth, mara, make_user
):
    page = client.get("/hulplijn").get_data(as_text=True)
    assert "mantelzorgmakelaar" in page and "geheimhoudingsplicht" in page
    auth.login(mara.email)
    for url in ("/staff/hulplijn", "/staff/hulplijn/dossiers"):
        assert client.get(url).status_code == 200
    auth.logout()
    editor = make_user(role=Role.EDITOR, email="redacteur@example.nl")
    auth.login(editor.email)
    assert client.get("/staff/hulplijn/dossiers").status_code == 403


def test_p10_a_call_back_is_recorded_in_the_dossier_and_the_client_sees_it(
    app, client, session, auth, login_as, mara
):
    carla = login_as(name="Carla Mantel", email="carla@example.nl", phone="06 11122233")
    ask(client, name="Carla Mantel", email="carla@example.nl")
    auth.logout()
    row = last_request(session)
    auth.login(mara.email)
    start = client.get(f"/staff/hulplijn/{row.id}/dossier").get_data(as_text=True)
    assert "Een nieuw dossier" in start and str(escape(STORY)) in start  # the explanation prefills
    dossier = open_dossier(client, session, row.id)
    assert dossier.user_id == carla.id and dossier.responsible_id == mara.id
    session.refresh(row)
    assert row.client_id == dossier.id and row.status == "afgehandeld"
    assert add_contact(client, dossier.id).status_code == 303
    page = client.get(f"/staff/hulplijn/dossiers/{dossier.id}").get_data(as_text=True)
    assert str(escape(SUMMARY)) in page and str(escape(NOTES)) in page
    auth.logout()
    auth.login(carla.email)
    mine = client.get("/hulplijn/mijn-vragen").get_data(as_text=True)
    assert f"D-{dossier.id:06d}" in mine and str(escape(SUMMARY)) in mine
    assert str(escape(NOTES)) not in mine  # internal notes are not on the client's page
    report = client.get("/privacy/inzage").get_data(as_text=True)
    assert str(escape(SUMMARY)) in report and "Contactmomenten met de Hulplijn" in report
    assert "Mara" in report  # who read the dossier, by first name


def test_p06_dossier_data_is_sealed_and_a_colleague_needs_a_reason(
    app, client, session, auth, mara, piet, make_user
):
    ask(client)
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    assert add_contact(client, dossier.id).status_code == 303
    dump = database_dump(app)
    # What the dossier holds is sealed (the first-contact form kept name and phone in plain
    # until the request joined the dossier; the dossier's own copy is sealed).
    for secret in ("Parkinson", "douchestoel", "uitgeput"):
        assert secret not in dump, secret
    assert "Ørsted" not in " ".join(str(c.name) for c in session.exec(select(Client)).all())
    assert last_request(session).name == "" and last_request(session).email is None
    auth.logout()
    auth.login(piet.email)
    url = f"/staff/hulplijn/dossiers/{dossier.id}"
    refused = client.get(url)
    assert refused.status_code == 303 and refused.location.endswith(f"{url}/reden")
    assert client.submit(f"{url}/reden", {"reason": ""}).status_code == 422
    for action in ("contact", "vragen", "wissen"):
        blocked = client.submit(f"{url}/{action}", {}, page=f"{url}/reden")
        assert blocked.status_code == 303 and blocked.location.endswith("/reden")
    given = client.submit(f"{url}/reden", {"reason": "Mara ziek, cliënt belt terug"})
    assert given.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert str(escape(SUMMARY)) in page and "Geopend door collega" not in page
    auth.logout()
    auth.login(mara.email)
    own = client.get(url).get_data(as_text=True)
    assert "Geopend door collega" in own and "Mara ziek, cliënt belt terug" in own
    reasons = session.exec(
        select(AccessEntry).where(col(AccessEntry.reason).contains("Mara ziek"))
    ).all()
    assert [(e.actor_id, e.action) for e in reasons] == [(piet.id, AccessAction.READ)]
    # Editors and administrators never read dossiers.
    for role in (Role.EDITOR, Role.ADMIN):
        auth.logout()
        other = make_user(role=role, email=f"{role.value}@example.nl")
        auth.login(other.email)
        assert client.get(url).status_code == 403
        assert client.get("/staff/hulplijn/dossiers?q=sanne").status_code == 403


def test_a_client_is_found_on_keyed_hashes_of_name_prefix_email_phone_and_number(
    app, client, session, auth, mara
):
    ask(client, name="Joost van Dijk-Émile", phone="+31 6 4444 5555", email="Joost@Example.nl")
    ask(client, name="Anna Jansen", phone="06 99998888", email="anna@example.nl")
    auth.login(mara.email)
    requests = session.exec(select(HelpRequest).order_by(col(HelpRequest.id))).all()
    joost = open_dossier(client, session, requests[0].id)
    anna = open_dossier(client, session, requests[1].id)
    terms = session.exec(select(ClientTerm.term)).all()
    assert terms and all(re.fullmatch(r"[0-9a-f]{40}", t) for t in terms)  # hashes, no names

    def found(text):
        page = client.get("/staff/hulplijn/dossiers", query_string={"q": text})
        return re.findall(r"D-(\d{6})", page.get_data(as_text=True).split('id="gevonden"')[-1])

    number = f"{joost.id:06d}"
    assert number in found("joost") and number in found("JOO") and number in found("emile")
    assert number in found("van dijk") and number in found("joost@example.nl")
    assert number in found("0644445555") and number in found("06-4444 5555")
    assert number in found(f"D-{joost.id}") and number in found(f"d{number}")
    assert f"{anna.id:06d}" in found("jans") and number not in found("jans")
    assert found("jo") == [] and found("zzzz") == []  # too short for a prefix; no one
    assert client.get("/staff/hulplijn/dossiers", query_string={"q": "x" * 5000}).status_code == 200


def test_a_search_with_more_than_fifty_dossiers_says_so(app, client, session, auth, mara):
    with app.app_context():
        from app.helpline import dossier as service

        for number in range(51):
            details = service.Details(f"Persoon{number:02d} Jansen", "", "")
            service.create(db.session(), details, staff=mara)
        db.session().commit()
    auth.login(mara.email)
    page = client.get("/staff/hulplijn/dossiers", query_string={"q": "jansen"})
    body = page.get_data(as_text=True)
    assert "Meer dan 50 dossiers gevonden" in body and "Zoek preciezer" in body
    assert len(re.findall(r"D-\d{6}: Persoon", body)) == 50
    few = client.get("/staff/hulplijn/dossiers", query_string={"q": "persoon07"})
    assert "1 dossier gevonden" in few.get_data(as_text=True)


def test_a_match_is_proposed_and_never_merged_without_confirmation(
    app, client, session, auth, mara
):
    ask(client)
    auth.login(mara.email)
    first = open_dossier(client, session, last_request(session).id)
    auth.logout()
    ask(client, name="S. de Wit", email="SANNE@example.nl", explanation="", health_consent=None)
    second = last_request(session)
    auth.login(mara.email)
    page = f"/staff/hulplijn/{second.id}/dossier"
    proposal = client.get(page).get_data(as_text=True)
    assert f"Dossier D-{first.id:06d}" in proposal and "Ik heb gecontroleerd" in proposal
    unconfirmed = client.submit(page, {"target": str(first.id), "topic": "zorg"})
    assert unconfirmed.status_code == 422 and "nooit samen zonder controle" in unconfirmed.get_data(
        as_text=True
    )
    session.refresh(second)
    assert second.client_id is None
    other = client.submit(page, {"target": "999999", "topic": "zorg", "same_person": "y"})
    assert other.status_code == 404  # not one of the proposed dossiers
    confirmed = client.submit(page, {"target": str(first.id), "topic": "zorg", "same_person": "y"})
    assert confirmed.status_code == 303
    session.refresh(second)
    assert second.client_id == first.id
    assert (
        session.exec(select(Client)).all() == [first]
        or len(session.exec(select(Client)).all()) == 1
    )
    assert client.get("/staff/hulplijn/99999/dossier").status_code == 404


def test_two_makelaars_editing_one_question_get_a_conflict_that_keeps_both_texts(
    app, client, session, auth, mara
):
    ask(client)
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    question = session.exec(select(Question)).one()
    url = f"/staff/hulplijn/dossiers/{dossier.id}"
    prefix = f"q{question.id}-"

    def edit(text, version):
        return client.submit(
            f"{url}/vragen/{question.id}",
            {
                f"{prefix}status": "in-behandeling",
                f"{prefix}description": text,
                f"{prefix}version": str(version),
            },
            page=url,
        )

    form = client.get(f"{url}/vragen/{question.id}").get_data(as_text=True)
    assert str(escape(STORY)) in form and f'name="{prefix}version"' in form
    assert edit("Eerste versie van collega A", question.version).status_code == 303
    late = edit("Tweede versie van collega B", question.version)  # opened before A saved
    body = late.get_data(as_text=True)
    assert late.status_code == 409 and "Een collega heeft dit intussen veranderd" in body
    assert "Eerste versie van collega A" in body and "Tweede versie van collega B" in body
    session.refresh(question)
    assert question.version == 2
    with app.app_context():
        from app.helpline import dossier as service

        assert service.unseal(dossier.id, question.description) == "Eerste versie van collega A"
    assert edit("Zonder versie", "abc").status_code == 422
    assert client.submit(f"{url}/vragen/99999", {}, page=url).status_code == 404


def test_documents_are_checked_on_content_sealed_and_served_as_attachments(
    app, client, session, auth, login_as, mara
):
    carla = login_as(name="Carla Mantel", email="carla@example.nl")
    ask(client, name="Carla Mantel", email="carla@example.nl")
    auth.logout()
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    url = f"/staff/hulplijn/dossiers/{dossier.id}"
    assert upload(client, f"{url}/documenten", url, PNG, "indicatie.png").status_code == 303
    disguised = upload(client, f"{url}/documenten", url, b"#!/bin/sh\nrm -rf /\n", "brief.pdf")
    assert disguised.status_code == 422 and "Dit soort bestand nemen we niet aan" in (
        disguised.get_data(as_text=True)
    )
    huge = upload(client, f"{url}/documenten", url, PDF + b"0" * (10 * 1024 * 1024), "groot.pdf")
    assert huge.status_code == 422 and "groter dan 10 MB" in huge.get_data(as_text=True)
    empty = client.submit(f"{url}/documenten", {}, page=url)
    assert empty.status_code == 422 and "Kies een bestand" in empty.get_data(as_text=True)
    [document] = session.exec(select(Document)).all()
    stored = (Path(app.config["INSTANCE_DIR"]) / "dossiers" / document.stored_as).read_bytes()
    assert PNG[8:] not in stored and b"IHDR" not in stored  # sealed, not the image
    got = client.get(f"{url}/documenten/{document.id}")
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    downloads = session.exec(
        select(AccessEntry).where(AccessEntry.action == AccessAction.DOWNLOAD)
    ).all()
    assert [e.actor_id for e in downloads] == [mara.id]
    assert client.get(f"{url}/documenten/99999").status_code == 404
    auth.logout()
    # The client downloads their own documents and adds one; no one else's.
    auth.login(carla.email)
    mine = client.get("/hulplijn/mijn-vragen").get_data(as_text=True)
    assert "indicatie.png" in mine
    assert client.get(f"/hulplijn/mijn-vragen/documenten/{document.id}").data == PNG
    added = upload(
        client,
        f"/hulplijn/mijn-vragen/{dossier.id}/documenten",
        "/hulplijn/mijn-vragen",
        PDF,
        "../../etc/brief.pdf",
    )
    assert added.status_code == 303
    names = [d.stored_as for d in session.exec(select(Document)).all()]
    assert len(names) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", n) for n in names)
    auth.logout()
    login_as(name="Ander", email="ander@example.nl")
    assert client.get(f"/hulplijn/mijn-vragen/documenten/{document.id}").status_code == 404
    other = upload(
        client,
        f"/hulplijn/mijn-vragen/{dossier.id}/documenten",
        "/hulplijn/mijn-vragen",
        PDF,
        "x.pdf",
    )
    assert other.status_code == 404


def test_the_export_holds_the_documents_and_erasure_destroys_the_dossier_key(
    app, client, session, auth, login_as, mara
):
    from app import crypto
    from app.privacy import export

    carla = login_as(name="Carla Mantel", email="carla@example.nl")
    ask(client, name="Carla Mantel", email="carla@example.nl")
    auth.logout()
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    url = f"/staff/hulplijn/dossiers/{dossier.id}"
    upload(client, f"{url}/documenten", url, PNG, "indicatie.png")
    add_contact(client, dossier.id)
    sealed_name = dossier.name
    with app.app_context():
        from app import db

        s = db.session()
        archive = zipfile.ZipFile(io.BytesIO(export.build_zip(s, s.get_one(User, carla.id))))
        names = archive.namelist()
        [doc] = [n for n in names if n.startswith("hulplijn-documenten/")]
        assert archive.read(doc) == PNG
        contacts = next(n for n in names if n.endswith("helpline_contact.json"))
        assert SUMMARY in archive.read(contacts).decode()
        assert crypto.unseal(f"helpline_client:{dossier.id}", sealed_name) == "Carla Mantel"
    dossier_id = dossier.id
    erase = client.submit(f"{url}/wissen", {"sure": "y"})
    assert erase.status_code == 303
    session.expire_all()
    assert session.exec(select(Client)).all() == []
    assert session.exec(select(ContactMoment)).all() == []
    assert session.exec(select(HelpRequest)).all() == []
    assert list((Path(app.config["INSTANCE_DIR"]) / "dossiers").iterdir()) == []
    with app.app_context(), pytest.raises(crypto.KeyDestroyed):
        crypto.unseal(f"helpline_client:{dossier_id}", sealed_name)
    erased = session.exec(
        select(AccessEntry).where(AccessEntry.action == AccessAction.DELETE)
    ).all()
    assert [e.what for e in erased] == [f"Dossier D-{dossier_id:06d}: gewist"]


def test_a_restricted_client_has_a_frozen_dossier(app, client, session, auth, login_as, mara):
    carla = login_as(name="Carla Mantel", email="carla@example.nl")
    ask(client, name="Carla Mantel", email="carla@example.nl")
    auth.logout()
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    auth.logout()
    auth.login(carla.email)
    assert client.submit("/privacy/beperken", {"aan": "1"}, page="/privacy").status_code == 303
    session.refresh(dossier)
    assert dossier.frozen
    auth.logout()
    auth.login(mara.email)
    url = f"/staff/hulplijn/dossiers/{dossier.id}"
    assert client.get(url).location.endswith("/reden")  # even the responsible makelaar
    client.submit(f"{url}/reden", {"reason": "Cliënt belt over de beperking"})
    page = client.get(url).get_data(as_text=True)
    assert "Bevroren" in page
    refused = add_contact(client, dossier.id)
    assert refused.status_code == 422 and "bevroren" in refused.get_data(as_text=True)
    assert session.exec(select(ContactMoment)).all() == []


def test_p25_a_dossier_goes_three_years_after_its_last_activity_with_a_warning(
    app, client, session, auth, mara, runner, outbox
):
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        ask(client)
        auth.login(mara.email)
        dossier = open_dossier(client, session, last_request(session).id)
    with time_machine.travel(start + timedelta(days=30), tick=False):
        ask(client, name="Los Verzoek", email="los@example.nl", phone="06 55554444")
    outbox.deliver()
    outbox.deliver()
    seen = len(outbox.messages())
    warn_day = datetime(2029, 2, 2, 11, tzinfo=UTC)  # inside the last 4 weeks before 2 March
    with time_machine.travel(warn_day - timedelta(hours=2), tick=False):
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    assert len(outbox.messages()) == seen
    with time_machine.travel(warn_day, tick=False):
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    [warning] = outbox.messages()[seen:]
    assert warning["To"] == "sanne@example.nl" and "2 maart 2029" in outbox.text(warning)
    assert "Parkinson" not in warning.as_string()
    with time_machine.travel(start.replace(year=2029) - timedelta(minutes=1), tick=False):
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    session.expire_all()
    assert session.exec(select(Client)).one().id == dossier.id
    with time_machine.travel(start.replace(year=2029) + timedelta(minutes=1), tick=False):
        dry = runner.invoke(args=["privacy", "retention", "--dry-run"])
        assert "Je dossier bij de Hulplijn (helpline_client): 1 zou(den) worden verwijderd" in (
            dry.output
        )
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    session.expire_all()
    assert session.exec(select(Client)).all() == []
    assert session.exec(select(Question)).all() == []
    # The request that was never attached went after 180 days; the attached one with its dossier.
    assert session.exec(select(HelpRequest)).all() == []


def test_p34_a_request_in_a_dossier_stays_past_180_days(app, client, session, auth, mara, runner):
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        ask(client)
        auth.login(mara.email)
        open_dossier(client, session, last_request(session).id)
        ask(client, name="Los Verzoek", email="los@example.nl", phone="06 55554444")
    with time_machine.travel(start + timedelta(days=181), tick=False):
        assert runner.invoke(args=["privacy", "retention"]).exit_code == 0
    session.expire_all()
    [kept] = session.exec(select(HelpRequest)).all()
    assert kept.client_id is not None  # the loose one went, the one in the dossier stayed


def test_the_client_asks_for_a_correction_and_staff_apply_it(
    app, client, session, auth, login_as, mara
):
    carla = login_as(name="Carla Mantel", email="carla@example.nl")
    ask(client, name="Carla Mantel", email="carla@example.nl")
    auth.logout()
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    auth.logout()
    auth.login(carla.email)
    url = f"/hulplijn/mijn-vragen/{dossier.id}/correctie"
    assert client.submit(url, {"what": ""}, page="/hulplijn/mijn-vragen").status_code == 422
    asked = client.submit(
        url, {"what": "Mijn naam is Carla Mantel-de Boer."}, page="/hulplijn/mijn-vragen"
    )
    assert asked.status_code == 303
    correction = last_request(session)
    assert correction.kind == "correctie" and correction.client_id == dossier.id
    from app.privacy.models import PrivacyRequest

    [logged] = session.exec(select(PrivacyRequest).where(PrivacyRequest.user_id == carla.id)).all()
    assert logged.kind == "correctie" and f"D-{dossier.id:06d}" in logged.outcome
    auth.logout()
    auth.login(mara.email)
    assert f"Vraag {correction.id}" in client.get("/staff/hulplijn").get_data(as_text=True)
    page = f"/staff/hulplijn/dossiers/{dossier.id}"
    form = client.get(f"{page}/gegevens").get_data(as_text=True)
    assert 'value="Carla Mantel"' in form and 'value="carla@example.nl"' in form
    assert client.submit(f"{page}/gegevens", {"name": "", "version": "1"}).status_code == 422
    changed = client.submit(
        f"{page}/gegevens",
        {"name": "Carla Mantel-de Boer", "phone": "", "email": "carla@example.nl", "version": "1"},
        page=page,
    )
    assert changed.status_code == 303
    stale = client.submit(
        f"{page}/gegevens",
        {"name": "Oude naam", "phone": "", "email": "carla@example.nl", "version": "1"},
        page=page,
    )
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Nu opgeslagen door je collega" in body
    assert 'value="Oude naam"' in body and "Carla Mantel-de Boer" in body
    assert "Carla Mantel-de Boer" in client.get(page).get_data(as_text=True)
    corrected = session.exec(
        select(AccessEntry).where(col(AccessEntry.what).contains("gecorrigeerd"))
    ).all()
    assert [e.actor_id for e in corrected] == [mara.id]


def test_a_contact_moment_is_changed_on_its_own_page_and_a_late_edit_keeps_both_texts(
    app, client, session, auth, mara
):
    ask(client)
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    add_contact(client, dossier.id)
    moment = session.exec(select(ContactMoment)).one()
    url = f"/staff/hulplijn/dossiers/{dossier.id}/contact/{moment.id}"
    assert str(escape(SUMMARY)) in client.get(url).get_data(as_text=True)
    first = client.submit(url, {"summary": "Versie A", "notes": "", "version": "1"})
    assert first.status_code == 303
    late = client.submit(url, {"summary": "Versie B", "notes": "Notitie B", "version": "1"})
    body = late.get_data(as_text=True)
    assert late.status_code == 409 and "Nu opgeslagen door je collega" in body
    assert "Versie A" in body and "Versie B" in body and "Notitie B" in body
    assert client.submit(url, {"summary": "", "version": "2"}).status_code == 422
    other = f"/staff/hulplijn/dossiers/{(dossier.id or 0) + 1}/contact/{moment.id}"
    assert client.get(other).status_code == 404


def _zip(entries, first=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(first[0], first[1], compress_type=zipfile.ZIP_STORED)
        for name, text in entries:
            archive.writestr(name, text)
    return buffer.getvalue()


def test_word_and_odt_documents_are_recognised_and_a_plain_zip_is_not(app):
    from app.forms import FieldError
    from app.helpline.dossier import REFUSED_TYPE, check_document

    docx = _zip(
        [("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<r/>"), ("word/document.xml", "")]
    )
    odt = _zip([("content.xml", "<x/>")], ("mimetype", "application/vnd.oasis.opendocument.text"))
    assert check_document(docx).endswith("wordprocessingml.document")
    assert check_document(odt) == "application/vnd.oasis.opendocument.text"
    assert check_document(PDF) == "application/pdf" and check_document(PNG) == "image/png"
    for refused in (_zip([("virus.exe", "MZ")]), b"GIF89a" + b"\0" * 20, "héllo".encode()):
        with pytest.raises(FieldError) as error:
            check_document(refused)
        assert error.value.message == REFUSED_TYPE


def test_a_long_dossier_shows_its_contact_moments_twenty_at_a_time(
    app, client, session, auth, mara
):
    ask(client)
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    for number in range(25):
        add_contact(client, dossier.id, summary=f"Gesprek nummer {number:02d}")
    url = f"/staff/hulplijn/dossiers/{dossier.id}"
    first = client.get(url).get_data(as_text=True)
    assert "25 contactmomenten, het nieuwste eerst; hier 1 tot en met 20" in first
    assert "Gesprek nummer 24" in first and "Gesprek nummer 04" not in first
    second = client.get(url, query_string={"pagina": "2"}).get_data(as_text=True)
    assert "Gesprek nummer 04" in second and "Gesprek nummer 00" in second
    assert "Gesprek nummer 05" not in second
    for odd in ("99", "-1", "x", "٣"):
        assert client.get(url, query_string={"pagina": odd}).status_code == 200


def test_a_dossier_lists_its_ten_newest_documents_and_all_of_them_on_a_page_of_their_own(
    app, client, session, auth, mara
):
    ask(client)
    auth.login(mara.email)
    dossier = open_dossier(client, session, last_request(session).id)
    url = f"/staff/hulplijn/dossiers/{dossier.id}"
    for number in range(12):
        sent = upload(client, f"{url}/documenten", url, PNG, f"brief-{number:02d}.png")
        assert sent.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "12 documenten; hier de 10 nieuwste." in page
    assert "brief-11.png" in page and "brief-02.png" in page and "brief-01.png" not in page
    assert "Alle 12 documenten bekijken" in page
    everything = client.get(f"{url}/documenten")
    listed = everything.get_data(as_text=True)
    assert everything.status_code == 200
    assert all(f"brief-{number:02d}.png" in listed for number in range(12))
    read = session.exec(
        select(AccessEntry).where(col(AccessEntry.what).contains("alle documenten"))
    ).all()
    assert [e.actor_id for e in read] == [mara.id]
    assert (
        client.get(f"/staff/hulplijn/dossiers/{(dossier.id or 0) + 1}/documenten").status_code
        == 404
    )


def test_a_long_name_part_matched_on_its_first_letters_is_checked_in_full(
    app, client, session, auth, mara
):
    with app.app_context():
        from app.helpline import dossier as service

        for name in ("Bartholomeus Verhoeven", "Bartholomea Verhoevenstraat"):
            service.create(db.session(), service.Details(name, "", ""), staff=mara)
        db.session().commit()
    auth.login(mara.email)

    def names(text):
        page = client.get("/staff/hulplijn/dossiers", query_string={"q": text})
        return re.findall(r"D-\d{6}: ([^<]+)</a>", page.get_data(as_text=True))

    assert names("bartholomeus verhoeven") == ["Bartholomeus Verhoeven"]
    assert names("bartholo verhoev") == ["Bartholomeus Verhoeven", "Bartholomea Verhoevenstraat"]
    assert names("bartholomea verhoevens") == ["Bartholomea Verhoevenstraat"]
    assert names("bartholozzz verhoeven") == []  # same first 8 letters, not the same name


@pytest.mark.parametrize("clock", ["07:30", "23:30"])
def test_a_call_of_this_morning_or_late_evening_is_recorded_with_todays_date(
    client, session, auth, mara, clock
):
    # Amsterdam is UTC+1 in December: 07:30 local is before noon, 23:30 local is still today.
    local = datetime.fromisoformat(f"2026-12-04 {clock}").replace(tzinfo=AMSTERDAM)
    with time_machine.travel(local, tick=False):
        ask(client)
        auth.login(mara.email)
        dossier = open_dossier(client, session, last_request(session).id)
        today_ = local.date().isoformat()
        assert add_contact(client, dossier.id, on=today_).status_code == 303
        tomorrow = (local.date() + timedelta(days=1)).isoformat()
        refused = add_contact(client, dossier.id, on=tomorrow)
        assert refused.status_code == 422
        assert "niet in de toekomst" in refused.get_data(as_text=True)
