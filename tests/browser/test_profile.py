"""The questionnaire in a real browser: htmx swaps the steps, it works without JavaScript, and
the pages pass axe-core."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import accessibility_problems, add_account, log_in


def test_steps_swap_with_htmx_and_show_progress(page, live_server, live_app):
    add_account(live_app, "anna@example.nl", name="Anna")
    log_in(page, live_server.url, "anna@example.nl", next="/profiel/vragenlijst")
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
    add_account(live_app, "bert@example.nl", name="Anna")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "bert@example.nl", next="/profiel/vragenlijst")
    page.get_by_label("Mijn partner").check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.locator("#voortgang")).to_have_text("Stap 2 van 5")
    page.goto(live_server.url + "/profiel")
    expect(page.get_by_text("Mijn partner")).to_be_visible()
    context.close()
