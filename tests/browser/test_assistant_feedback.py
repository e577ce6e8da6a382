""" "Klopt dit antwoord niet?" in a real browser at 320 px, with and without JavaScript: ask,
report the answer with a comment, see the thanks in its place; and the editors' list."""

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

THANKS = "Bedankt, de redactie kijkt ernaar."


def ask_and_report(page, comment: str) -> None:
    page.get_by_label("Je vraag").fill("hoe vraag ik respijtzorg aan?")
    page.get_by_role("button", name="Vraag stellen").click()
    conversation = page.locator("#gesprek")
    expect(conversation.locator("blockquote")).to_be_visible()
    conversation.get_by_text("Klopt dit antwoord niet?").click()
    conversation.get_by_label("Wat klopt er niet? (niet verplicht)").fill(comment)


@pytest.mark.parametrize("javascript", [True, False])
def test_report_an_answer(browser, live_server, javascript):
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    page.goto(live_server.url + "/assistent")
    page.get_by_role("button", name="Alles weigeren").click()
    ask_and_report(page, "Dit gaat niet over mijn vraag.")
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    page.get_by_role("button", name="Melden").click()
    conversation = page.locator("#gesprek")
    expect(conversation.get_by_role("status")).to_have_text(THANKS)
    expect(conversation.get_by_role("button", name="Melden")).to_have_count(0)
    if javascript:
        assert page.locator("h1").count() == 1  # only the report's area was swapped
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    context.close()


def test_editors_read_and_handle_reports(browser, live_app, live_server):
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    page.goto(live_server.url + "/assistent")
    page.get_by_role("button", name="Alles weigeren").click()
    ask_and_report(page, "Bel me op 0612345678, dit klopt niet.")
    page.get_by_role("button", name="Melden").click()
    expect(page.locator("#gesprek").get_by_role("status")).to_have_text(THANKS)

    add_account(live_app, "redacteur@example.nl", name="Rie Redacteur", role=Role.EDITOR)
    log_in(page, live_server.url, "redacteur@example.nl")
    page.goto(live_server.url + "/redactie")
    page.get_by_role("link", name="Meldingen over de assistent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meldingen over de assistent")
    expect(page.locator(".zg-reports")).to_contain_text("[telefoonnummer], dit klopt niet.")
    expect(page.locator(".zg-reports")).not_to_contain_text("0612345678")
    expect(page.get_by_role("link", name="Respijtzorg: even vrij van de zorg")).to_be_visible()
    assert accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    page.get_by_role("button", name="Afgehandeld").click()
    expect(page.get_by_text("Er zijn geen open meldingen.")).to_be_visible()
    context.close()
