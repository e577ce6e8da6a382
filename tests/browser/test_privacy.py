"""The privacy centre in a real browser: accessible, usable at 320 px, by keyboard and without
JavaScript; the download arrives as a file."""

import re
import zipfile

from playwright.sync_api import expect

from app.accounts.models import Role
from tests.browser.conftest import (
    PASSWORD,
    _new_page,
    accessibility_problems,
    add_account,
    horizontal_overflow,
    log_in,
)

PAGES = ("/privacy", "/privacy/inzage", "/privacy/verwijderen", "/privacy-verklaring")


def log_in_to(page, url, email="petra@example.nl", next="/privacy", heading="Privacycentrum"):
    log_in(page, url, email, next=next)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def test_the_centre_pages_pass_axe_and_fit_320_pixels(browser, live_server, live_app):
    add_account(live_app, "petra@example.nl")
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    log_in_to(page, live_server.url)
    page.get_by_role("button", name="Verwerking beperken").click()
    expect(page.get_by_text("Verwerking beperkt.").first).to_be_visible()
    for path in PAGES:
        page.goto(live_server.url + path)
        assert accessibility_problems(page) == [], path
        assert horizontal_overflow(page) == 0, path
    assert all(r.startswith(live_server.url) for r in page.requests)
    context.close()


def test_the_staff_pages_pass_axe_and_fit_320_pixels_with_and_without_errors(
    browser, live_server, live_app
):
    add_account(live_app, "petra@example.nl")
    add_account(live_app, "mara@example.nl", role=Role.STAFF)
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    log_in_to(page, live_server.url, "mara@example.nl", "/staff/privacy", "Privacyverzoeken")

    def check(label):
        assert accessibility_problems(page) == [], label
        assert horizontal_overflow(page) == 0, label

    check("empty queue")
    page.get_by_label("E-mailadres van de aanvrager").fill("onbekend@example.nl")
    page.get_by_label("Toelichting (niet verplicht)").fill("Belde op maandag 🙂")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    expect(page.get_by_text("Er is geen account met dit e-mailadres").first).to_be_visible()
    expect(page.get_by_label("Toelichting (niet verplicht)")).to_have_value("Belde op maandag 🙂")
    check("form with an error")
    page.get_by_label("E-mailadres van de aanvrager").fill("petra@example.nl")
    page.get_by_label("Wat vraagt de aanvrager?").select_option(value="inzage")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    expect(page.get_by_text("Het verzoek is vastgelegd.").first).to_be_visible()
    check("request page")
    page.goto(live_server.url + "/staff/privacy")
    expect(
        page.get_by_role("link", name=re.compile(r"^Inzage in gegevens .*\(nr\. \d+\)$"))
    ).to_be_visible()
    check("queue with a request")
    context.close()


def test_download_and_restriction_by_keyboard(browser, live_server, live_app, tmp_path):
    add_account(live_app, "petra@example.nl")
    context, page = _new_page(
        browser, viewport={"width": 1024, "height": 800}, accept_downloads=True
    )
    log_in_to(page, live_server.url)
    settled = page.locator("#inhoud")  # after a boosted page change focus moves here
    expect(settled).to_be_focused()
    button = page.get_by_role("button", name="Zet mijn gegevens klaar om te downloaden")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Je download staat klaar.")).to_be_visible()
    expect(page.locator(".zg-messages")).to_be_focused()  # the message says what happened
    with page.expect_download() as info:
        page.get_by_role("link", name="Download je gegevens").focus()
        page.keyboard.press("Enter")
    path = tmp_path / "gegevens.zip"
    info.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert "LEESMIJ.txt" in names and "overzicht.html" in names
    page.get_by_role("button", name="Verwerking beperken").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Verwerking beperkt.").first).to_be_visible()
    context.close()


def test_erasing_works_without_javascript(browser, live_server, live_app):
    add_account(live_app, "zonderjs@example.nl")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in_to(page, live_server.url, "zonderjs@example.nl")
    page.get_by_role("link", name="Mijn account en gegevens verwijderen").click()
    page.get_by_label("Je wachtwoord").fill("fout wachtwoord")
    page.get_by_label("Ik begrijp").check()
    page.get_by_role("button", name="Verwijder mijn account").click()
    expect(page.get_by_text("Je wachtwoord klopt niet.").first).to_be_visible()
    expect(page.get_by_label("Ik begrijp")).to_be_checked()  # what was chosen stays
    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Verwijder mijn account").click()
    expect(page.get_by_text("Je account en je gegevens zijn verwijderd.")).to_be_visible()
    page.goto(live_server.url + "/privacy")
    expect(page).to_have_url(re.compile(r"/inloggen\?next=(/|%2F)privacy$"))
    context.close()
