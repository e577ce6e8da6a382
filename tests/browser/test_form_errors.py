"""Form errors in a real browser, at the narrowest width: the error summary takes focus (after a
full page and after an htmx answer), its link takes the caregiver to the field, the typed value
is still there, and axe finds nothing serious."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    _new_page,
    accessibility_problems,
    add_account,
    horizontal_overflow,
    log_in,
)

ALARM = "personenalarm-met-valdetectie"


@pytest.fixture
def narrow(browser, live_server):
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    yield page
    context.close()


def check_summary_leads_to(page, field_label: str, typed: str | None = None) -> None:
    summary = page.locator("#foutoverzicht")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="Er ging iets mis")).to_be_visible()
    field = page.get_by_label(field_label, exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    if typed is not None:
        expect(field).to_have_value(typed)
    assert accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    summary.get_by_role("link").first.click()
    expect(field).to_be_focused()


def test_registration_errors_after_a_full_page(narrow, live_server):
    narrow.goto(live_server.url + "/registreren")
    narrow.get_by_role("button", name="Alles weigeren").click()
    narrow.get_by_label("Naam").fill("Anna")
    narrow.get_by_label("E-mailadres").fill("anna-at-example")
    narrow.get_by_label("E-mailadres").evaluate("e => e.form.noValidate = true")
    narrow.get_by_role("button", name="Account maken").click()
    check_summary_leads_to(narrow, "E-mailadres", "anna-at-example")


def test_a_quantity_refused_with_htmx_is_shown_next_to_its_box(narrow, live_server):
    narrow.goto(live_server.url + f"/winkel/{ALARM}")
    narrow.get_by_role("button", name="Alles weigeren").click()
    narrow.get_by_label("Aantal").fill("25")
    narrow.get_by_role("button", name="In mijn mandje").click()
    check_summary_leads_to(narrow, "Aantal", "25")
    # Corrected, the same block adds it, and the count in the header follows.
    narrow.get_by_label("Aantal").fill("2")
    narrow.get_by_role("button", name="In mijn mandje").click()
    expect(narrow.locator("#mandje-melding")).to_contain_text("Toegevoegd")
    expect(narrow.locator("#foutoverzicht")).to_have_count(0)
    expect(narrow.get_by_label("Aantal")).not_to_have_attribute("aria-invalid", "true")
    expect(narrow.get_by_role("button", name="In mijn mandje")).to_be_focused()
    expect(narrow.locator("#mandje-teller").first).to_have_text("2")

    narrow.goto(live_server.url + "/winkel/mandje")
    narrow.get_by_label("Aantal Personenalarm met valdetectie").fill("21")
    narrow.get_by_role("button", name="Wijzig").click()
    check_summary_leads_to(narrow, "Aantal Personenalarm met valdetectie", "21")


def test_a_questionnaire_step_refused_with_htmx(narrow, live_server, live_app):
    add_account(live_app, "carla@example.nl")
    start = "/profiel/vragenlijst/1"
    log_in(narrow, live_server.url, "carla@example.nl", next=start, banner="Alles weigeren")
    narrow.get_by_label("Mijn vader of moeder (of schoonouder)").check()
    narrow.get_by_label("Bij mij in huis").check()
    narrow.get_by_role("button", name="Opslaan en verder").click()
    expect(narrow).to_have_url(live_server.url + "/profiel/vragenlijst/2")
    narrow.get_by_label("Hoeveel uur per week zorg je ongeveer?").fill("veel")
    narrow.get_by_role("button", name="Opslaan en verder").click()
    check_summary_leads_to(narrow, "Hoeveel uur per week zorg je ongeveer?", "veel")
