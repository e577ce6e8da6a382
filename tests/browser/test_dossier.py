"""The Hulplijn dossier in a real browser, with and without JavaScript, at 320 px: a request is
called back and becomes a dossier, a contact moment and a document are added, the client sees
them and finds them in the download, the dossier is erased, and the access log shows it all."""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.accounts.models import Role
from tests.browser.conftest import (
    _new_page,
    accessibility_problems,
    add_account,
    horizontal_overflow,
    log_in,
)

STORY = "Mijn moeder heeft dementie en wil thuis blijven wonen."
SUMMARY = "Samen de Wmo-melding voor huishoudelijke hulp doorgenomen."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def checked(page, javascript):
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0


@pytest.mark.parametrize("javascript", [True, False])
def test_request_to_dossier_to_download_to_erasure(
    browser, live_server, live_app, tmp_path, javascript
):
    add_account(live_app, "carla@example.nl", name="Carla Mantel")
    add_account(live_app, "mara@example.nl", name="Mara Makelaar", role=Role.STAFF)
    url = live_server.url

    # The caregiver asks for a call-back while logged in.
    context, client = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    log_in(client, url, "carla@example.nl", next="/hulplijn", banner="Alles weigeren")
    client.get_by_label("Telefoonnummer").fill("06 12345678")
    client.get_by_label("Waar gaat je vraag over?").fill(STORY)
    client.get_by_label("Ja, de Hulplijn mag gebruiken").check()
    client.get_by_role("button", name="Versturen").click()
    expect(client.get_by_role("heading", name="Bedankt, je vraag is verstuurd")).to_be_visible()

    # The makelaar takes it, calls back and turns it into a dossier.
    staff_context, staff = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    log_in(staff, url, "mara@example.nl", next="/staff/hulplijn", banner="Alles weigeren")
    staff.get_by_role("link", name="Vraag 1").click()
    staff.get_by_role("button", name="Ik pak deze vraag op").click()
    expect(staff.get_by_text("Jij hebt deze vraag opgepakt")).to_be_visible()
    staff.get_by_role("link", name="Maak een dossier").click()
    checked(staff, javascript)
    expect(staff.get_by_label("De vraag in het kort")).to_have_value(STORY)
    staff.get_by_label("Onderwerp").select_option("zorg")
    staff.get_by_role("button", name="Opslaan").click()
    expect(staff.get_by_role("heading", name="Dossier D-000001: Carla Mantel")).to_be_visible()
    checked(staff, javascript)

    # A contact moment: an empty summary is refused and what was typed stays.
    staff.get_by_text("Contactmoment vastleggen").click()
    staff.get_by_label("Duur in minuten").fill("25")
    staff.get_by_label("Interne aantekeningen").fill("Klonk moe.")
    staff.get_by_role("button", name="Contactmoment opslaan").click()
    expect(staff.locator("#foutoverzicht")).to_contain_text("Vul een samenvatting in")
    expect(staff.get_by_label("Interne aantekeningen")).to_have_value("Klonk moe.")
    checked(staff, javascript)
    staff.get_by_label("Samenvatting voor de cliënt").fill(SUMMARY)
    staff.get_by_role("button", name="Contactmoment opslaan").click()
    expect(staff.get_by_text("Het contactmoment is vastgelegd.")).to_be_visible()
    expect(staff.locator("p.zg-pre", has_text=SUMMARY)).to_be_visible()

    # A document: a disguised file is refused, a real PDF is taken.
    fake = tmp_path / "brief.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf at all")
    staff.locator("#document").set_input_files(str(fake))
    staff.get_by_role("button", name="Document toevoegen").click()
    expect(staff.locator("#foutoverzicht")).to_contain_text("Dit soort bestand nemen we niet aan")
    checked(staff, javascript)
    real = tmp_path / "wmo-melding.pdf"
    real.write_bytes(PDF)
    staff.locator("#document").set_input_files(str(real))
    staff.get_by_role("button", name="Document toevoegen").click()
    expect(staff.get_by_text("Het document is toegevoegd.")).to_be_visible()
    expect(staff.get_by_role("link", name="wmo-melding.pdf")).to_be_visible()
    checked(staff, javascript)
    staff.goto(url + "/staff/hulplijn/dossiers?q=carla")
    expect(staff.get_by_role("link", name="D-000001: Carla Mantel")).to_be_visible()
    checked(staff, javascript)

    # The client sees the summary and the document, and the download holds the document.
    client.goto(url + "/hulplijn/mijn-vragen")
    expect(client.get_by_text(SUMMARY)).to_be_visible()
    expect(client.get_by_text("Klonk moe.")).to_have_count(0)
    expect(client.get_by_role("link", name="wmo-melding.pdf")).to_be_visible()
    checked(client, javascript)
    client.goto(url + "/privacy")
    client.get_by_role("button", name="Zet mijn gegevens klaar om te downloaden").click()
    with client.expect_download() as download:
        client.get_by_role("link", name="Download je gegevens").first.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert archive.read("hulplijn-documenten/1-wmo-melding.pdf") == PDF

    # The client asks for erasure; the makelaar erases the dossier.
    staff.goto(url + "/staff/hulplijn/dossiers/1")
    staff.get_by_role("button", name="Dossier wissen").click()
    expect(staff.locator("#foutoverzicht")).to_contain_text("Vink aan")
    staff.get_by_label("De cliënt heeft gevraagd het dossier te wissen").check()
    staff.get_by_role("button", name="Dossier wissen").click()
    expect(staff.get_by_text("Dossier D-000001 is gewist")).to_be_visible()
    assert staff.goto(url + "/staff/hulplijn/dossiers/1").status == 404
    staff_context.close()

    # What the access log shows the client: every read and change, and the erasure.
    client.goto(url + "/privacy/inzage")
    log = client.locator("[data-table='access_log']")
    expect(log).to_contain_text("Dossier D-000001: aangemaakt")
    expect(log).to_contain_text("Dossier D-000001: contactmoment 1")
    expect(log).to_contain_text("Dossier D-000001: gewist")
    expect(log).to_contain_text("Mara")
    client.goto(url + "/hulplijn/mijn-vragen")
    expect(client.get_by_text(SUMMARY)).to_have_count(0)
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_colleague_states_a_reason_and_edits_a_contact_moment(
    browser, live_server, live_app, javascript
):
    from app import db
    from app.accounts.models import User
    from app.helpline import dossier
    from app.helpline.models import Channel

    add_account(live_app, "mara@example.nl", name="Mara Makelaar", role=Role.STAFF)
    add_account(live_app, "piet@example.nl", name="Piet Plan", role=Role.STAFF)
    with live_app.app_context():
        s = db.session()
        mara = s.exec(select(User).where(User.email == "mara@example.nl")).one()
        client = dossier.create(
            s, dossier.Details("Kees Hoekstra", "0612345678", "kees@example.nl"), staff=mara
        )
        dossier.add_contact(
            s,
            client,
            staff=mara,
            channel=Channel.PHONE,
            at=datetime.now(UTC),
            minutes=5,
            summary=SUMMARY,
            notes="",
            question_id=None,
            follow_up=None,
        )
        dossier.add_question(s, client, staff=mara, topic="wonen", description=STORY)
        for number in range(11):
            dossier.add_document(
                s, client, PDF, f"brief-{number:02d}.pdf", staff=mara, uploader_id=mara.id
            )
        s.commit()
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    log_in(
        page,
        live_server.url,
        "piet@example.nl",
        next="/staff/hulplijn/dossiers/1",
        banner="Alles weigeren",
    )
    expect(page.get_by_role("heading", name="Dossier D-000001 openen")).to_be_visible()
    checked(page, javascript)
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.locator("#foutoverzicht")).to_contain_text("Vul waarom je dit dossier opent in")
    page.get_by_label("Waarom open je dit dossier?").fill("Mara is ziek; Kees belt terug.")
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.get_by_role("heading", name="Dossier D-000001: Kees Hoekstra")).to_be_visible()
    page.get_by_role("link", name="Contactmoment 1 wijzigen").click()
    checked(page, javascript)
    page.get_by_label("Samenvatting voor de cliënt").fill("")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#foutoverzicht")).to_contain_text("Vul een samenvatting in")
    checked(page, javascript)
    page.get_by_label("Samenvatting voor de cliënt").fill("Kees teruggebeld.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Het contactmoment is bijgewerkt.")).to_be_visible()
    expect(page.locator("p.zg-pre", has_text="Kees teruggebeld.")).to_be_visible()
    # The question, the client's details and the list of every document have pages of their own.
    page.get_by_role("link", name="Vraag 1 wijzigen").click()
    checked(page, javascript)
    page.get_by_label("Stand").select_option("afgerond")
    page.get_by_role("button", name="Vraag opslaan").click()
    expect(page.get_by_text("De vraag is bijgewerkt.")).to_be_visible()
    expect(page.locator("#vraag-1 + p")).to_contain_text("afgerond op")
    page.get_by_role("link", name="Gegevens corrigeren").click()
    checked(page, javascript)
    page.get_by_label("Naam").fill("")
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.locator("#foutoverzicht")).to_contain_text("de naam")
    expect(page.get_by_label("E-mailadres")).to_have_value("kees@example.nl")
    page.get_by_label("Naam").fill("Kees Hoekstra-Bos")
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.get_by_role("heading", name="Dossier D-000001: Kees Hoekstra-Bos")).to_be_visible()
    expect(page.get_by_text("11 documenten; hier de 10 nieuwste.")).to_be_visible()
    page.get_by_role("link", name="Alle 11 documenten bekijken").click()
    expect(page.get_by_role("link", name="brief-00.pdf")).to_be_visible()
    checked(page, javascript)
    context.close()
