"""The assistant in a real browser, with and without JavaScript, at 320 px: the notice before
the first question, an answer that appears (appended by htmx, or on the whole page), the
refusal of an empty question, and the focus back in the question field."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _new_page, accessibility_problems, horizontal_overflow


@pytest.mark.parametrize("javascript", [True, False])
def test_ask_the_assistant(browser, live_server, javascript):
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    page.goto(live_server.url + "/assistent")
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page.locator("#eerlijk")).to_contain_text("computerprogramma")
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    page.get_by_role("button", name="Vraag stellen").click()
    expect(page.locator("#foutoverzicht")).to_contain_text("Typ eerst je vraag.")

    page.get_by_label("Je vraag").fill("hoe vraag ik respijtzorg aan?")
    page.get_by_role("button", name="Vraag stellen").click()
    conversation = page.locator("#gesprek")
    expect(conversation).to_have_attribute("aria-live", "polite")
    expect(conversation.locator("blockquote")).to_be_visible()
    expect(
        conversation.get_by_role("link", name="Respijtzorg: even vrij van de zorg")
    ).to_be_visible()
    expect(page.get_by_label("Je vraag")).to_have_value("")
    if javascript:
        expect(page.get_by_label("Je vraag")).to_be_focused()
        assert page.locator("h1").count() == 1  # appended, not a page inside the page
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    page.get_by_label("Je vraag").fill("Ben je een mens?")
    page.get_by_role("button", name="Vraag stellen").click()
    expect(conversation.get_by_text("Nee, ik ben geen mens")).to_be_visible()
    expect(conversation.locator("blockquote")).to_have_count(1)
    assert horizontal_overflow(page) <= 0
    context.close()
