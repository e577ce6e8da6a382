"""The public newsletter form on a 320 px wide screen: no serious accessibility problems, no
sideways scrolling, Dutch messages that keep what was typed, and it works without JavaScript."""

from playwright.sync_api import expect

from tests.browser.conftest import _new_page, accessibility_problems, horizontal_overflow


def test_the_subscribe_form_fits_320_pixels_passes_axe_and_needs_no_javascript(
    browser, live_server
):
    for javascript in (True, False):
        context, page = _new_page(
            browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
        )
        page.goto(live_server.url + "/nieuwsbrief")
        if javascript:  # axe and the measurement run as scripts in the page
            assert accessibility_problems(page) == []
            assert horizontal_overflow(page) <= 0

        page.get_by_label("E-mailadres").fill("geen adres")
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.get_by_role("alert")).to_contain_text("Kies minstens één onderwerp.")
        expect(page.get_by_role("alert")).to_contain_text("Vul een geldig e-mailadres in")
        expect(page.get_by_label("E-mailadres")).to_have_value("geen adres")
        if javascript:  # axe and the measurement run as scripts in the page
            assert accessibility_problems(page) == []
            assert horizontal_overflow(page) <= 0

        page.get_by_label("E-mailadres").fill(f"lezer-{javascript}@example.nl")
        page.get_by_role("checkbox", name="Zorg", exact=True).check()
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in je mail")
        if javascript:
            assert accessibility_problems(page) == []
        context.close()
