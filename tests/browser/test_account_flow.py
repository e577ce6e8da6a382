"""A caregiver registers, confirms the address from the outbox, logs out, logs in and changes
the password, in a real browser."""

import re

from playwright.sync_api import expect

from tests.conftest import Outbox

PASSWORD = "mijn vader woont in Deventer"
NEW_PASSWORD = "een nieuwe zin om te onthouden"


def test_register_verify_logout_login_change_password(page, live_server, live_app):
    outbox = Outbox(live_app)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Account maken").click()
    page.get_by_label("Naam").fill("Mieke Jansen")
    page.get_by_label("E-mailadres").fill("mieke@example.nl")
    page.get_by_label("Telefoonnummer (niet verplicht)").fill("06 12345678")
    page.get_by_label("Je situatie in het kort").fill("Ik zorg voor mijn vader.")
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    expect(page.get_by_text("nog niet bevestigd")).to_be_visible()

    page.goto(outbox.last_link())
    expect(page.get_by_role("heading", name="Je e-mailadres is bevestigd")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()

    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_label("E-mailadres").fill("mieke@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    expect(page.get_by_text("nog niet bevestigd")).to_have_count(0)

    page.get_by_role("link", name="Wachtwoord wijzigen").click()
    page.get_by_label("Huidig wachtwoord").fill(PASSWORD)
    page.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_text("Je wachtwoord is gewijzigd.")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    page.goto(live_server.url + "/inloggen")
    page.get_by_label("E-mailadres").fill("mieke@example.nl")
    page.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    assert all(url.startswith(live_server.url) for url in page.requests)


def test_errors_show_next_to_fields_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/registreren")
    page.get_by_label("Naam").fill("Anna")
    page.get_by_label("E-mailadres").fill("geen-adres")
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_text("Vul een geldig e-mailadres in").first).to_be_visible()
    expect(page.get_by_label("Naam")).to_have_value("Anna")
    context.close()


def test_an_empty_required_field_is_not_shown_as_an_error_before_sending(page, live_server):
    page.goto(live_server.url + "/registreren")

    def border(label):
        return page.get_by_label(label).evaluate("e => getComputedStyle(e).borderTopColor")

    assert border("Je situatie in het kort") == border("Naam")  # both required and empty
    page.get_by_label("Naam").fill("Anna")
    page.get_by_label("E-mailadres").fill("geen-adres")
    page.get_by_label("Je situatie in het kort").evaluate("e => e.form.noValidate = true")
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_text("Vul een geldig e-mailadres in").first).to_be_visible()
    assert border("Je situatie in het kort") != border("Naam")  # now it is an error (and Naam not)
