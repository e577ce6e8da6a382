"""R2 (P39): the download, built from the registry, for its owner only, gone after 7 days."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlmodel import select

from app.privacy.models import ExportFile, PrivacyRequest
from app.privacy.registry import categories


def make_export(client, session) -> ExportFile:
    response = client.submit("/privacy/download", page="/privacy")
    assert response.status_code == 303 and response.headers["Location"] == "/privacy#downloaden"
    return session.exec(select(ExportFile).order_by(ExportFile.id.desc())).first()


def test_p39_a_zip_with_json_per_category_a_readme_and_an_overview(
    client, profiled, ordered, session
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
    exported = {c.table for c in categories() if c.export}
    files = {n.split("-", 1)[1].removesuffix(".json"): n for n in names if n.endswith(".json")}
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
