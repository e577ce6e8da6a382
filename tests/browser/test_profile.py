"""The questionnaire in a real browser: htmx swaps the steps, it works without JavaScript, and
the pages pass axe-core."""

import re

from playwright.sync_api import expect

from app import db
from app.accounts import service as accounts
from tests.browser.conftest import accessibility_problems

PASSWORD = "een lange zin als wachtwoord"


def caregiver(live_app, email="anna@example.nl"):
    with live_app.app_context():
        accounts.register_user(
            db.session(), name="Anna", email=email, password=PASSWORD, verified=True
        )
        db.session().commit()


def log_in(page, url, email="anna@example.nl"):
    page.goto(url + "/inloggen?next=/profiel/vragenlijst")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_steps_swap_with_htmx_and_show_progress(page, live_server, live_app):
    caregiver(live_app)
    log_in(page, live_server.url)
    expect(page.locator("#voortgang")).to_have_text("Stap 1 van 5")
    assert accessibility_problems(page) == []
    page.get_by_label("Mijn vader of moeder (of schoonouder)").check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.locator("#voortgang")).to_have_text("Stap 2 van 5")
    expect(page).to_have_url(re.compile(r"/profiel/vragenlijst/2$"))
    page.get_by_label("Hoeveel uur per week zorg je ongeveer?").fill("veel")
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_text("Vul een heel getal in").first).to_be_visible()
    expect(page.get_by_label("Hoeveel uur per week zorg je ongeveer?")).to_have_value("veel")
    page.get_by_label("Hoeveel uur per week zorg je ongeveer?").fill("12")
    page.get_by_role("button", name="Vorige stap").click()
    expect(page.locator("#voortgang")).to_have_text("Stap 1 van 5")
    expect(page.get_by_label("Mijn vader of moeder (of schoonouder)")).to_be_checked()


def test_questionnaire_without_javascript(browser, live_server, live_app):
    caregiver(live_app, "bert@example.nl")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "bert@example.nl")
    page.get_by_label("Mijn partner").check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.locator("#voortgang")).to_have_text("Stap 2 van 5")
    page.goto(live_server.url + "/profiel")
    expect(page.get_by_text("Mijn partner")).to_be_visible()
    context.close()
