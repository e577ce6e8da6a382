"""Pages behind a login (a caregiver's own, the editors' overview) on a 320 px wide screen: no
sideways scrolling of the page and no serious accessibility problems, also where things only wrap
or scroll at that width."""

import re

from playwright.sync_api import expect

from app.accounts.models import Role
from tests.browser.conftest import (
    _new_page,
    accessibility_problems,
    add_account,
    horizontal_overflow,
    log_in,
)

PAGES = (
    "/account",
    "/account/e-mailadres",
    "/account/wachtwoord",
    "/profiel",
    "/profiel/vragenlijst/1",
    "/profiel/vragenlijst/2",
    "/profiel/verwijderen",
    "/zoeken?q=respijtzorg",
    "/zoeken?q=zzzqqq",
    "/zoeken?q=ik+wil+er+niet+meer+zijn",
    "/cookies/instellingen",
    "/winkel/mandje",
    "/winkel/bestellingen",
)


def narrow_and_logged_in(browser, live_server, live_app, role=Role.CAREGIVER):
    add_account(live_app, "cor@example.nl", name="Cor", role=role)
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    page.goto(live_server.url + "/inloggen")
    assert accessibility_problems(page) == []
    log_in(page, live_server.url, "cor@example.nl", banner="Alles weigeren")
    expect(page).not_to_have_url(re.compile(r"/inloggen"))
    return context, page


def test_a_caregivers_pages_pass_axe_and_fit_320_pixels(browser, live_server, live_app):
    context, page = narrow_and_logged_in(browser, live_server, live_app)
    for path in PAGES:
        page.goto(live_server.url + path)
        assert accessibility_problems(page) == [], path
        assert horizontal_overflow(page) <= 0, path
    context.close()


def test_the_editors_overview_passes_axe_and_fits_320_pixels(browser, live_server, live_app):
    context, page = narrow_and_logged_in(browser, live_server, live_app, role=Role.EDITOR)
    page.goto(live_server.url + "/redactie")
    expect(page.get_by_role("region", name="Alle stukken met hun status")).to_be_visible()
    assert accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    context.close()
