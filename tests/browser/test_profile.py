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


def test_radio_buttons_and_checkboxes_are_large_and_left_of_their_labels(
    page, live_server, live_app
):
    add_account(live_app, "carla@example.nl", name="Carla")
    log_in(page, live_server.url, "carla@example.nl", next="/profiel/vragenlijst")
    expect(page.get_by_role("heading", name="Voor wie zorg je?", level=2)).to_be_visible()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server.url + "/profiel/vragenlijst/1")
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
                .map(input => {
                    const box = input.getBoundingClientRect();
                    const label = document.querySelector(`label[for="${input.id}"]`)
                        .getBoundingClientRect();
                    return {id: input.id, x: box.x, width: box.width, height: box.height,
                            labelX: label.x, labelTop: label.y, top: box.y};
                })"""
        )
        assert len(boxes) >= 10, width
        for box in boxes:
            where = f"{box['id']} at {width} px"
            assert box["width"] >= 24 and box["height"] >= 24, where
            assert box["x"] + box["width"] <= box["labelX"], where  # left of its label
            assert abs(box["top"] - box["labelTop"]) < 8, where  # level with its first line
        radios = [b for b in boxes if b["id"].startswith(("relatie", "woonsituatie"))]
        assert len({round(b["x"]) for b in radios}) == 1, width  # one straight column
