"""R2 (P39): the download, built from the registry, for its owner only, gone after 7 days."""

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlmodel import col, select

from app.consent.models import ConsentRecord
from app.privacy.models import ExportFile, PrivacyRequest
from tests.conftest import registered


def make_export(client, session) -> ExportFile:
    response = client.submit("/privacy/download", page="/privacy")
    assert response.status_code == 303 and response.headers["Location"] == "/privacy#downloaden"
    return session.exec(select(ExportFile).order_by(col(ExportFile.id).desc())).first()


def test_p39_a_zip_with_json_per_category_a_readme_and_an_overview(
    app, client, profiled, ordered, session
):
    row = make_export(client, session)
    page = client.get("/privacy").get_data(as_text=True)
    assert f"/privacy/download/{row.id}" in page
    response = client.get(f"/privacy/download/{row.id}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "LEESMIJ.txt" in names and "overzicht.html" in names
    exported = {c.table for c in registered(app) if c.export}
    category_file = re.compile(r"^\d\d-(\w+)\.json$")
    files = {m.group(1): n for n in names if (m := category_file.match(n))}
    assert set(files) == exported
    account = json.loads(archive.read(files["user_account"]))
    meta = account["_meta"]
    assert {"export_time", "schema_version", "fields", "purpose", "legal_basis"} <= set(meta)
    assert meta["fields"]["email"] == "je e-mailadres" and "password_hash" not in meta["fields"]
    assert account["rows"][0]["email"] == "carla@example.nl"
    assert "password_hash" not in account["rows"][0]
    answers = json.loads(archive.read(files["profile_answer"]))["rows"]
    assert ["dementie", "ouderdom"] in [a["value"] for a in answers]  # decrypted for its owner
    orders = json.loads(archive.read(files["shop_order"]))["rows"]
    assert orders[0]["number"] == ordered.number and orders[0]["created_at"].endswith("+00:00")
    readme = archive.read("LEESMIJ.txt").decode()
    assert "_meta" in readme and "overdraagbaarheid" in readme
    overview = archive.read("overzicht.html").decode()
    assert "Carla Mantel" in overview and "<script" not in overview
    [logged] = session.exec(select(PrivacyRequest).where(PrivacyRequest.kind == "download")).all()
    assert logged.completed_at is not None


def test_the_stored_file_is_encrypted(app, client, caregiver, session):
    row = make_export(client, session)
    stored = (Path(app.config["INSTANCE_DIR"]) / "exports" / row.filename).read_bytes()
    assert b"carla@example.nl" not in stored and b"PK" not in stored[:4]


def test_only_the_owner_can_download(app, client, caregiver, session, make_user, auth):
    row = make_export(client, session)
    auth.logout()
    anonymous = client.get(f"/privacy/download/{row.id}")
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]
    other = make_user(email="nieuwsgierig@example.nl")
    auth.login(other.email)
    assert client.get(f"/privacy/download/{row.id}").status_code == 404
    assert client.get("/privacy/download/999999").status_code == 404
    assert client.get("/privacy/download/abc").status_code == 404


def test_a_new_export_replaces_the_old_one(app, client, caregiver, session):
    first = make_export(client, session).filename
    second = make_export(client, session)
    assert first != second.filename
    assert session.exec(select(ExportFile)).all() == [session.get(ExportFile, second.id)]
    folder = Path(app.config["INSTANCE_DIR"]) / "exports"
    assert [p.name for p in folder.iterdir()] == [second.filename]


def test_an_export_is_gone_after_seven_days(client, caregiver, session, auth):
    row = make_export(client, session)
    with time_machine.travel(row.created_at + timedelta(days=7) - timedelta(minutes=1)):
        auth.login(caregiver.email)  # the session of a week ago has ended
        assert client.get(f"/privacy/download/{row.id}").status_code == 200
    with time_machine.travel(row.created_at + timedelta(days=7, minutes=1)):
        auth.login(caregiver.email)
        assert client.get(f"/privacy/download/{row.id}").status_code == 404
        assert f"/privacy/download/{row.id}" not in client.get("/privacy").get_data(as_text=True)


def download(client, session) -> zipfile.ZipFile:
    row = make_export(client, session)
    response = client.get(f"/privacy/download/{row.id}")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    text = archive.read(name).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets then read accents right
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_p39_every_json_file_has_a_csv_file_with_the_same_rows(client, profiled, ordered, session):
    archive = download(client, session)
    names = archive.namelist()
    jsons = [n for n in names if n.endswith(".json")]
    assert jsons and sorted(n.replace(".json", ".csv") for n in jsons) == sorted(
        n for n in names if n.endswith(".csv")
    )
    for name in jsons:
        content = json.loads(archive.read(name))
        if "rows" not in content:
            continue
        rows = read_csv(archive, name.replace(".json", ".csv"))
        assert len(rows) == len(content["rows"]), name
        for row, original in zip(rows, content["rows"], strict=True):
            assert set(row) == set(content["_meta"]["fields"]), name
            for key, value in original.items():
                if isinstance(value, str) and not value.startswith(("=", "@", "-", "+")):
                    assert row[key] == value, (name, key)
    [account] = read_csv(archive, next(n for n in names if n.endswith("-user_account.csv")))
    assert account["email"] == "carla@example.nl" and "password_hash" not in account
    answers = read_csv(archive, next(n for n in names if n.endswith("-profile_answer.csv")))
    assert '["dementie", "ouderdom"]' in [a["value"] for a in answers]


def test_a_csv_cell_never_becomes_a_formula(client, caregiver, session):
    changed = client.submit("/account", {"name": "=1+2", "phone": "+31 6 12345678"})
    assert changed.status_code == 303, changed.get_data(as_text=True)
    archive = download(client, session)
    [account] = read_csv(
        archive, next(n for n in archive.namelist() if n.endswith("-user_account.csv"))
    )
    assert account["name"] == "'=1+2" and account["phone"] == "+31 6 12345678"
    as_json = json.loads(
        archive.read(next(n for n in archive.namelist() if n.endswith("-user_account.json")))
    )
    assert as_json["rows"][0]["name"] == "=1+2"  # the JSON keeps it exactly


def test_p35_the_zip_holds_the_derived_profile_and_how_recommendations_are_made(
    client, profiled, session
):
    page = client.get("/privacy/inzage").get_data(as_text=True)
    archive = download(client, session)
    profile = json.loads(archive.read("profiel-en-aanbevelingen.json"))
    assert profile["_meta"]["personalised"] is True
    assert "punten" in profile["_meta"]["how_recommendations_are_made"]
    reasons = [row["reden"] for row in profile["rows"]]
    assert reasons and all(reason in page for reason in reasons)  # what the page shows
    assert {"kenmerk", "gewicht", "reden"} == set(profile["rows"][0])
    assert len(read_csv(archive, "profiel-en-aanbevelingen.csv")) == len(profile["rows"])
    overview = archive.read("overzicht.html").decode()
    assert "Je profiel en hoe we aanbevelingen maken" in overview and reasons[0] in overview


def test_p35_the_zip_holds_the_article_15_information(
    app, client, caregiver, ordered, session, outbox
):
    # The worker delivers the hand-off: only a partner that has the data counts as a recipient.
    outbox.deliver()
    archive = download(client, session)
    info = json.loads(archive.read("informatie-over-de-verwerking.json"))
    held = {item["tabel"]: item for item in info["verwerkingen"]}
    assert {"user_account", "shop_order", "audit_event"} <= set(held)
    order = held["shop_order"]
    assert order["doel"] and order["grondslag"] and order["bewaartermijn"] and order["ontvangers"]
    assert order["aantal"] == 1 and "7 jaar" in order["bewaartermijn"]
    received = info["ontvangers"]["partners die gegevens van je kregen"]
    assert received == ["Wakkerwijk Alarmering"]
    rights = {r["recht"]: r for r in info["rechten"]}
    assert {"Inzage", "Correctie", "Verwijdering", "Beperking", "Overdraagbaarheid"} <= set(rights)
    assert {"Bezwaar", "Toestemming intrekken", "Klacht indienen"} <= set(rights)
    complaint = info["klacht"]
    assert complaint["naam"] == "Autoriteit Persoonsgegevens"
    assert complaint["online"].startswith("https://www.autoriteitpersoonsgegevens.nl/")
    assert "Postbus 93374" in complaint["post"] and complaint["telefoon"]
    assert info["verwerkingsverantwoordelijke"]["kvk"]
    assert info["privacycentrum"] == "http://localhost/privacy"
    rows = read_csv(archive, "informatie-over-de-verwerking.csv")
    assert {"deel", "onderwerp", "inhoud"} == set(rows[0])
    assert any(r["deel"] == "klacht" and "Postbus 93374" in r["inhoud"] for r in rows)
    overview = archive.read("overzicht.html").decode()
    assert "Autoriteit Persoonsgegevens" in overview and "Postbus 93374" in overview
    assert "Klacht indienen" in overview


def test_p35_cookie_choices_made_before_logging_in_come_along(
    app, client, make_user, auth, session
):
    stranger = app.test_client()
    stranger.submit("/cookies/keuze", {"keuze": "niets", "next": "/"}, page="/")
    client.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/")
    mine = client.get_cookie("zg_toestemming").value
    user = make_user(email="anna@example.nl")
    auth.login(user.email)
    choices = session.exec(select(ConsentRecord).where(ConsentRecord.scope == "cookies")).all()
    assert len(choices) == 2 and all(c.user_id is None for c in choices)
    [before] = [c for c in choices if c.accepted]

    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert "Cookiekeuzes van voordat je inlogde" in page and before.consent_id in page
    archive = download(client, session)
    rows = json.loads(archive.read("cookiekeuzes-voor-inloggen.json"))["rows"]
    assert [r["consent_id"] for r in rows] == [before.consent_id]
    assert rows[0]["accepted"] == "analytical" and "user_id" not in rows[0]
    assert read_csv(archive, "cookiekeuzes-voor-inloggen.csv")[0]["consent_id"] == before.consent_id
    assert mine  # the cookie the id was read from
    overview = archive.read("overzicht.html").decode()
    assert before.consent_id in overview


def test_a_cookie_choice_made_while_logged_in_links_earlier_ones_of_that_browser(
    app, client, make_user, auth, session
):
    """Without the cookie (a staff member makes the export), the id of the person's own
    logged-in choice still finds what that browser chose before logging in."""
    client.submit("/cookies/keuze", {"keuze": "niets", "next": "/"}, page="/")
    user = make_user(email="anna@example.nl")
    auth.login(user.email)
    client.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/")
    with app.app_context():
        from app import db
        from app.accounts.models import User
        from app.privacy import export

        s = db.session()
        archive = zipfile.ZipFile(io.BytesIO(export.build_zip(s, s.get_one(User, user.id))))
    rows = json.loads(archive.read("cookiekeuzes-voor-inloggen.json"))["rows"]
    assert len(rows) == 1 and rows[0]["refused"] == "analytical"
