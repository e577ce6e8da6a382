"""A caregiver registers, confirms the account from the outbox, logs out, logs in and changes
the password, in a real browser; and logging out ends "Ingelogd blijven" for copies of the
browser's cookies too."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD as ACCOUNT_PASSWORD
from tests.browser.conftest import _new_page, add_account, log_in, open_menu
from tests.conftest import Outbox

PASSWORD = "mijn vader woont in Deventer"
NEW_PASSWORD = "een nieuwe zin om te onthouden"


def test_register_verify_logout_login_change_password(page, live_server, live_app):
    outbox = Outbox(live_app)
    page.goto(live_server.url + "/")
    open_menu(page)
    page.get_by_role("link", name="Account maken").click()
    page.get_by_label("Naam").fill("Mieke Jansen")
    page.get_by_label("E-mailadres").fill("mieke@example.nl")
    page.get_by_label("Telefoonnummer (niet verplicht)").fill("06 12345678")
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    expect(page.get_by_text("mieke@example.nl")).to_be_visible()

    page.goto(outbox.last_link())
    expect(page.get_by_role("heading", name="Account bevestigen")).to_be_visible()
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account bevestigen").click()
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    expect(page.get_by_text("Welkom, Mieke Jansen")).to_be_visible()
    expect(page.get_by_text("nog niet bevestigd")).to_have_count(0)

    open_menu(page)
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()

    open_menu(page)
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

    open_menu(page)
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

    assert border("Nieuw wachtwoord") == border("Naam")  # both required and empty
    page.get_by_label("Naam").fill("Anna")
    page.get_by_label("E-mailadres").fill("geen-adres")
    page.get_by_label("Nieuw wachtwoord").evaluate("e => e.form.noValidate = true")
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_text("Vul een geldig e-mailadres in").first).to_be_visible()
    assert border("Nieuw wachtwoord") != border("Naam")  # now it is an error (and Naam not)


def test_logout_ends_remember_me_for_a_copy_of_the_cookies(browser, live_server, live_app):
    add_account(live_app, "petra@example.nl")
    context, page = _new_page(browser)
    page.goto(live_server.url + "/inloggen")
    page.get_by_label("E-mailadres").fill("petra@example.nl")
    page.get_by_label("Wachtwoord").fill(ACCOUNT_PASSWORD)
    page.get_by_label("Ingelogd blijven op dit apparaat").check()
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    copied = context.cookies()
    assert {c["name"] for c in copied} >= {"session", "remember_token"}

    open_menu(page)
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    assert "remember_token" not in {c["name"] for c in context.cookies()}

    for cookies in (copied, [c for c in copied if c["name"] == "remember_token"]):
        thief, stolen = _new_page(browser)
        thief.add_cookies(cookies)
        stolen.goto(live_server.url + "/account")
        expect(stolen).to_have_url(re.compile(r"/inloggen\?next="))
        expect(stolen.get_by_role("heading", name="Inloggen")).to_be_visible()
        thief.close()
    context.close()


def test_an_account_on_another_device_stays_logged_in(browser, live_server, live_app):
    add_account(live_app, "petra@example.nl")
    laptop, laptop_page = _new_page(browser)
    phone, phone_page = _new_page(browser)
    for page in (laptop_page, phone_page):
        log_in(page, live_server.url, "petra@example.nl")
        expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    open_menu(laptop_page)
    laptop_page.get_by_role("button", name="Uitloggen").click()
    expect(laptop_page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    phone_page.goto(live_server.url + "/account")
    expect(phone_page.get_by_role("heading", name="Mijn account")).to_be_visible()
    laptop.close()
    phone.close()


def test_two_caregivers_on_one_shared_article_each_log_out_from_it(browser, live_server, live_app):
    """An article is rendered once for every caregiver (app/core/pagecache.render_shared): the
    second one gets it with her own logout form, menu and basket, and logging out from it works,
    with JavaScript (the form is sent by htmx) and without."""
    article = live_server.url + "/artikelen/respijtzorg"
    for number, javascript in enumerate((True, False)):
        pages = []
        for who in ("eerste", "tweede"):
            email = f"{who}{number}@example.nl"
            add_account(live_app, email, name=f"Lezer {who}")
            context, page = _new_page(browser, java_script_enabled=javascript)
            log_in(page, live_server.url, email)
            page.goto(article)
            pages.append((context, page))
        for context, page in reversed(pages):
            open_menu(page)
            expect(page.get_by_role("link", name="Mijn profiel")).to_be_visible()
            expect(page.locator(".zg-cart-count")).to_have_text("0")
            page.get_by_role("button", name="Uitloggen").click()
            expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
            page.goto(article)
            expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
            context.close()
