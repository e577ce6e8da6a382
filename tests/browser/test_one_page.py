"""Every journey whose steps swap parts of the page, walked with JavaScript on: after each step
the document is still one page (one main, one header, one footer, one h1), focus is where the
visitor expects it (the new step's heading, the message saying what happened, the error
summary), and once a cookie choice is saved the banner does not come back.

A whole page swapped into a fragment's place (the intake's last step used to put the profile
page inside the form) shows up here as a second main, header and footer."""

import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from tests.browser.conftest import (
    PASSWORD,
    LiveServer,
    _new_page,
    add_account,
    log_in,
    open_menu,
)
from tests.conftest import build_app
from tools.mollie_sandbox.server import SandboxServer

PHONE = {"width": 375, "height": 740}
WIDE = {"width": 1280, "height": 800}


def one_page(page, focused=None, *, banner=False, step=""):
    """The page is one document; `focused` (a locator) has focus; the banner shows only when
    `banner` (no choice saved yet)."""
    page.wait_for_load_state()
    page.wait_for_timeout(100)  # htmx settles 20 ms after a swap; focus moves then
    counts = page.evaluate(
        """() => ({
            html: document.querySelectorAll('html').length,
            body: document.querySelectorAll('body').length,
            main: document.querySelectorAll('main').length,
            // The page's own header and footer (an article has its own inside main).
            header: [...document.querySelectorAll('header')].filter(
                e => !e.parentElement.closest('main, article, aside, nav, section')).length,
            footer: [...document.querySelectorAll('footer')].filter(
                e => !e.parentElement.closest('main, article, aside, nav, section')).length,
            h1: document.querySelectorAll('h1').length,
            banner: document.querySelectorAll('#cookiebanner').length,
        })"""
    )
    expected = {"html": 1, "body": 1, "main": 1, "header": 1, "footer": 1, "h1": 1}
    expected["banner"] = 1 if banner else 0
    assert counts == expected, step
    expect(page.get_by_role("banner"), step).to_have_count(1)
    expect(page.get_by_role("main"), step).to_have_count(1)
    expect(page.get_by_role("contentinfo"), step).to_have_count(1)
    if focused is not None:
        expect(focused, step).to_be_focused()
        box = focused.bounding_box()
        assert box is not None, step
        height = page.viewport_size["height"]
        assert box["y"] < height and box["y"] + box["height"] > 0, f"{step}: focus off-screen"


def message(page, text):
    return page.locator(".zg-messages").filter(has_text=text)


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["375", "1280"])
def test_cookie_choices(browser, site_server, viewport):
    context, page = _new_page(browser, viewport=viewport)
    url = site_server.url
    page.goto(url + "/artikelen/")
    one_page(page, page.locator("#cookiebanner"), banner=True, step="first visit")
    page.get_by_role("button", name="Instellingen").click()
    layer = page.get_by_role("region", name="Cookie-instellingen")
    one_page(page, layer, banner=True, step="settings layer")
    layer.get_by_label("Analytische cookies toestaan").check()
    layer.get_by_role("button", name="Keuze opslaan").click()
    saved = page.get_by_role("status").filter(has_text="Je cookiekeuze is opgeslagen")
    expect(saved).to_be_visible()  # the swap has happened (on a busy machine it takes a while)
    one_page(page, saved, step="choice saved in the banner")
    assert page.evaluate("window.scrollY") == 0  # the visitor stays where they were
    page.get_by_role("link", name="Cookieverklaring").click()  # a boosted navigation
    one_page(page, page.locator("#inhoud"), step="next page")
    page.goto(url + "/cookies/instellingen")
    one_page(page, step="settings page")
    page.get_by_role("button", name="Alles weigeren").click()
    one_page(
        page, page.get_by_role("status").filter(has_text="Je keuze is opgeslagen"), step="saved"
    )
    page.get_by_role("link", name="Terug naar waar je was").click()
    one_page(page, page.locator("#inhoud"), step="back")
    context.close()

    # Refusing straight away, on a phone, lower down a long page: nobody is moved.
    context, page = _new_page(browser, viewport=PHONE)
    page.goto(url + "/artikelen/respijtzorg")
    page.get_by_role("button", name="Alles weigeren").click()
    refused = page.get_by_role("status").filter(has_text="Je cookiekeuze is opgeslagen")
    expect(refused).to_be_visible()  # wait for the swap, as above
    one_page(page, refused, step="refused")
    assert page.evaluate("window.scrollY") == 0
    page.goto(url + "/artikelen/respijtzorg")
    one_page(page, step="no banner after refusing")
    context.close()


def test_intake(browser, live_server, live_app):
    add_account(live_app, "anna@example.nl", name="Anna")
    context, page = _new_page(browser, viewport=PHONE)
    log_in(
        page,
        live_server.url,
        "anna@example.nl",
        next="/profiel/vragenlijst",
        banner="Alles weigeren",
    )
    heading = page.locator("#stap-titel")
    expect(page.locator("#voortgang")).to_have_text("Stap 1 van 5")
    one_page(page, step="step 1")
    page.get_by_label("Mijn vader of moeder (of schoonouder)").check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.locator("#voortgang")).to_have_text("Stap 2 van 5")
    one_page(page, heading, step="step 2")
    page.get_by_label("Hoeveel uur per week zorg je ongeveer?").fill("veel")
    page.get_by_role("button", name="Opslaan en verder").click()
    one_page(page, page.locator("#foutoverzicht"), step="step 2 with an error")
    page.get_by_label("Hoeveel uur per week zorg je ongeveer?").fill("12")
    for number in (3, 4, 5):
        page.get_by_role("button", name=re.compile("^(Opslaan en verder|Verder)$")).click()
        expect(page.locator("#voortgang")).to_have_text(f"Stap {number} van 5")
        one_page(page, heading, step=f"step {number}")
    page.get_by_role("button", name="Verder").click()  # no health consent: the last step
    expect(page).to_have_url(re.compile(r"/profiel$"))
    expect(page.get_by_role("heading", name="Mijn profiel", level=1)).to_be_visible()
    one_page(page, message(page, "Dank je wel"), step="profile after the last step")
    context.close()


@pytest.fixture
def shop(tmp_path, database_url):
    with SandboxServer() as sandbox:
        app = build_app(tmp_path, database_url, MOLLIE_API_ENDPOINT=sandbox.url)
        add_account(app, "koos@example.nl", name="Koos Koper")
        with LiveServer(app) as server:
            app.config["PUBLIC_BASE_URL"] = server.url
            yield server
        app.extensions["db_engine"].dispose()


def test_basket_checkout_and_payment(browser, shop):
    url = shop.url
    context, page = _new_page(browser, viewport=PHONE)
    page.goto(url + "/winkel")
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page.get_by_text("Je cookiekeuze is opgeslagen")).to_be_visible()  # saved first
    page.get_by_role("link", name="Personenalarm met valdetectie").click()
    one_page(page, page.locator("#inhoud"), step="product")
    buy = page.get_by_role("button", name="In mijn mandje")
    assert buy.bounding_box()["y"] < 740  # price and button on the first screen
    buy.click()
    expect(page.locator("#mandje-melding")).to_contain_text("Toegevoegd")
    one_page(page, buy, step="added")  # focus stays on the button
    page.goto(url + "/winkel/tien-verse-maaltijden")
    page.get_by_role("button", name="In mijn mandje").click()
    expect(page.locator("#mandje-teller")).to_have_text("2")
    page.get_by_role("link", name=re.compile("^Mandje")).click()
    one_page(page, page.locator("#inhoud"), step="basket")
    page.get_by_label("Aantal Tien verse maaltijden").fill("2")
    page.get_by_role("button", name="Wijzig aantal Tien verse maaltijden").click()
    changed = page.get_by_role("status").filter(has_text="Het aantal is aangepast")
    one_page(page, changed, step="quantity changed")
    page.get_by_role("button", name="Verwijder Tien verse maaltijden").click()
    removed = page.get_by_role("status").filter(has_text="is uit je mandje gehaald")
    one_page(page, removed, step="removed")
    expect(page.locator("#mandje-teller")).to_have_text("1")
    page.get_by_role("link", name="Inloggen en verder bestellen").click()
    one_page(page, step="login")
    page.get_by_label("E-mailadres").fill("koos@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn mandje")).to_be_visible()
    one_page(page, page.locator("#inhoud"), step="back in the basket")
    page.get_by_role("link", name="Verder naar bestellen").click()
    one_page(page, page.locator("#inhoud"), step="checkout")

    def order_and_pay(outcome):
        page.get_by_label(re.compile("doorgeven aan Wakkerwijk")).check()
        page.get_by_label("Straat").fill("Europalaan")
        page.get_by_label("Huisnummer en toevoeging").fill("500")
        page.get_by_label("Postcode").fill("3526 KS")
        page.get_by_label("Plaats").fill("Utrecht")
        page.get_by_role("textbox", name="Telefoonnummer").fill("06 12345678")
        page.get_by_role("button", name="Bestellen en betalen").click()
        page.get_by_role("button", name=outcome).click()

    order_and_pay("Geannuleerd")
    expect(page.get_by_text("Je hebt de betaling geannuleerd.")).to_be_visible()
    one_page(page, step="order after a canceled payment")
    page.get_by_role("button", name="Opnieuw betalen").click()
    one_page(page, message(page, "staan in je mandje"), step="checkout again")
    order_and_pay("Betaald")
    expect(page.get_by_text("Je betaling is ontvangen")).to_be_visible()
    one_page(page, step="paid")
    open_menu(page)
    page.get_by_role("link", name="Bestellingen", exact=True).click()
    one_page(page, page.locator("#inhoud"), step="orders")
    context.close()


def test_privacy_centre_and_staff_pages(browser, live_server, live_app):
    add_account(live_app, "petra@example.nl")
    add_account(live_app, "mara@example.nl", role=Role.STAFF)
    context, page = _new_page(browser, viewport=PHONE)
    log_in(page, live_server.url, "petra@example.nl", next="/privacy", banner="Alles weigeren")
    one_page(page, page.locator("#inhoud"), step="privacy centre")
    page.get_by_role("button", name=re.compile("^Bezwaar maken")).first.click()
    one_page(page, page.locator(".zg-messages"), step="objection")
    page.get_by_role("button", name="Zet mijn gegevens klaar om te downloaden").click()
    one_page(page, message(page, "Je download staat klaar"), step="export")
    page.get_by_role("button", name="Verwerking beperken").click()
    one_page(page, page.locator(".zg-messages"), step="restricted")
    open_menu(page)
    page.get_by_role("button", name="Uitloggen").click()
    one_page(page, message(page, "Je bent uitgelogd"), step="logged out")

    log_in(page, live_server.url, "mara@example.nl", next="/staff/privacy")
    one_page(page, page.locator("#inhoud"), step="staff queue")
    page.get_by_label("E-mailadres van de aanvrager").fill("onbekend@example.nl")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    one_page(page, page.locator("#foutoverzicht"), step="staff form with an error")
    page.get_by_label("E-mailadres van de aanvrager").fill("petra@example.nl")
    page.get_by_label("Wat vraagt de aanvrager?").select_option(value="inzage")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    one_page(page, message(page, "Het verzoek is vastgelegd"), step="request recorded")
    page.goto(live_server.url + "/staff/bestellingen")
    one_page(page, step="staff orders")
    context.close()


def test_search_and_article_filters(browser, site_server):
    context, page = _new_page(browser, viewport=PHONE)
    page.goto(site_server.url + "/zoeken")
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page.get_by_text("Je cookiekeuze is opgeslagen")).to_be_visible()  # saved first
    field = page.get_by_role("searchbox", name=re.compile("Waar zoek je"))
    field.fill("respijtzorg")
    expect(page.locator("#zoekresultaten")).to_contain_text("Respijtzorg")
    one_page(page, field, step="results while typing")  # typing goes on
    page.goto(site_server.url + "/artikelen/")
    page.locator("#filter-onderwerp-zorg").click()
    expect(page).to_have_url(re.compile(r"onderwerp=zorg"))
    one_page(page, page.locator("#filter-onderwerp-zorg"), step="filtered list")
    context.close()
