"""P18 in a browser at 320 px: staff record a secret disclosure on /staff/verstrekkingen (a
refused form first, with the error summary) and later let the person see it, with no serious
accessibility problems and no sideways scrolling; the page works without JavaScript too."""

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


@pytest.mark.parametrize("javascript", [True, False])
def test_p18_staff_record_a_disclosure_at_320_pixels(browser, live_server, live_app, javascript):
    add_account(live_app, "carla@example.nl", name="Carla")
    add_account(live_app, "mara@example.nl", name="Mara Medewerker", role=Role.STAFF)
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    log_in(
        page,
        live_server.url,
        "mara@example.nl",
        next="/staff/verstrekkingen",
        banner="Alles weigeren",
    )
    heading = page.get_by_role("heading", name="Verstrekkingen aan instanties", level=1)
    expect(heading).to_be_visible()
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    page.get_by_label("E-mailadres van het account").fill("carla@example.nl")
    page.get_by_label("Welke instantie").fill("Belastingdienst")
    page.get_by_role("button", name="Verstrekking vastleggen").click()
    expect(page.get_by_text("Er ging iets mis")).to_be_visible()
    expect(page.get_by_label("Welke instantie")).to_have_value("Belastingdienst")
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    page.get_by_label("Wettelijke grondslag").fill("art. 53 AWR")
    page.get_by_label("Welke gegevens we gaven").fill("naam en de facturen van 2026")
    page.get_by_label("De wet verbiedt ons de persoon hierover te vertellen").check()
    page.get_by_role("button", name="Verstrekking vastleggen").click()
    expect(page.get_by_text("De verstrekking is vastgelegd.")).to_be_visible()
    expect(page.get_by_role("cell", name="naam en de facturen van 2026")).to_be_visible()
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    page.get_by_role("button", name="Nu laten zien").click()
    expect(page.get_by_text("De persoon ziet deze verstrekking nu")).to_be_visible()
    expect(page.get_by_role("button", name="Nu laten zien")).to_have_count(0)
    context.close()
