"""The administrator's page in a real browser: accessible and usable at 320 px, by keyboard and
without JavaScript; a role is handed out from start to finish."""

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
def test_handing_out_a_role_passes_axe_at_320_pixels(browser, live_server, live_app, javascript):
    add_account(live_app, "bea@example.nl", role=Role.ADMIN)
    add_account(live_app, "mara@example.nl")
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    log_in(page, live_server.url, "bea@example.nl", next="/account")
    page.get_by_role("link", name="Beheer").click()
    expect(page.get_by_role("heading", name="Beheer", level=1)).to_be_visible()

    def check(label):
        if javascript:  # axe-core runs as a script in the page
            assert accessibility_problems(page) == [], label
        assert horizontal_overflow(page) == 0, label

    check("beheer")
    page.get_by_label("E-mailadres van het account").fill("niemand@example.nl")
    page.get_by_role("button", name="Account zoeken").click()
    expect(page.get_by_text("Er is geen account met dit e-mailadres.").first).to_be_visible()
    expect(page.get_by_label("E-mailadres van het account")).to_have_value("niemand@example.nl")
    check("beheer-fout")
    page.get_by_label("E-mailadres van het account").fill("mara@example.nl")
    page.get_by_label("E-mailadres van het account").press("Enter")
    expect(page.get_by_role("heading", name="Rol van", level=1)).to_be_visible()
    check("rol")
    page.get_by_label("mantelzorgmakelaar").check()
    page.get_by_role("button", name="Rol opslaan").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("is nu mantelzorgmakelaar.").first).to_be_visible()
    check("rol-opgeslagen")
    context.close()
