"""The Hulplijn in a real browser, with and without JavaScript: the caregiver's form at 320 px,
its refusal that keeps what was typed, the thanks page, and the staff queue."""

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from tests.browser.conftest import (
    _new_page,
    accessibility_problems,
    add_account,
    horizontal_overflow,
    log_in,
)

# axe-core runs as a script in the page, so it checks the pages with JavaScript on; without
# JavaScript the same HTML is served (the layout and overflow are still checked).
STORY = "Mijn vader komt uit het ziekenhuis. Welke hulp is er?"


@pytest.mark.parametrize("javascript", [True, False])
def test_ask_for_a_call_back_then_staff_handle_it(browser, live_server, live_app, javascript):
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    page.goto(live_server.url + "/hulplijn")
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page.locator("#cookiebanner")).to_have_count(0)  # without JavaScript: a new page
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    page.get_by_label("Je naam").fill("Karel Appel")
    page.get_by_label("Telefoonnummer").fill("06 12345678")
    page.get_by_label("Waar gaat je vraag over?").fill(STORY)
    page.get_by_role("button", name="Versturen").click()
    # Without the consent the explanation is not taken, and nothing typed is lost.
    expect(page.locator("#foutoverzicht")).to_contain_text("Vink de toestemming aan")
    expect(page.get_by_label("Waar gaat je vraag over?")).to_have_value(STORY)
    expect(page.get_by_label("Je naam")).to_have_value("Karel Appel")
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    assert page.locator("main").count() == 1 and page.locator("header.zg-header").count() == 1
    page.get_by_label("Ja, de Hulplijn mag gebruiken").check()
    page.get_by_role("button", name="Versturen").click()
    heading = page.get_by_role("heading", name="Bedankt, je vraag is verstuurd")
    expect(heading).to_be_visible()
    if javascript:
        expect(heading).to_be_focused()
    assert javascript is False or accessibility_problems(page) == []
    context.close()

    add_account(live_app, "mara@example.nl", name="Mara Makelaar", role=Role.STAFF)
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    log_in(
        page, live_server.url, "mara@example.nl", next="/staff/hulplijn", banner="Alles weigeren"
    )
    expect(page.get_by_role("heading", name="Hulplijn-vragen", level=1)).to_be_visible()
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    page.get_by_role("link", name="Vraag 1").click()
    expect(page.get_by_text(STORY)).to_be_visible()
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    page.get_by_label("Wat is er gedaan?").fill("Teruggebeld en de Wmo uitgelegd.")
    page.get_by_role("button", name="Vraag afhandelen").click()
    expect(page.get_by_text("De vraag is afgehandeld.")).to_be_visible()
    expect(page.get_by_text("Geen nieuwe vragen.")).to_be_visible()
    context.close()
