"""The cookie banner in a real browser: equal buttons, keyboard, what is stored before and after
a choice, and a site that stays usable after refusing."""

import re

from playwright.sync_api import expect

from app.consent.register import (
    BROWSER_STORAGE_KEYS,
    FIRST_PARTY_NAMES,
    Category,
    category_of,
)
from tests.browser.conftest import (
    _new_page,
    accessibility_problems,
    add_account,
    log_in,
    open_menu,
)

BUTTONS = ("Alles accepteren", "Alles weigeren", "Instellingen")


def storage_keys(page) -> set[str]:
    return set(
        page.evaluate(
            "() => [...Object.keys(localStorage), ...Object.keys(sessionStorage),"
            " ...document.cookie.split(';').map(c => c.split('=')[0].trim()).filter(Boolean)]"
        )
    )


def cookie_names(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def test_three_buttons_are_equal_and_reachable_by_keyboard(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/")
    boxes = [page.get_by_role("button", name=name).bounding_box() for name in BUTTONS]
    assert len({(round(b["width"]), round(b["height"])) for b in boxes}) == 1
    styles = {
        page.get_by_role("button", name=n).evaluate("e => getComputedStyle(e).backgroundColor")
        for n in BUTTONS
    }
    assert len(styles) == 1
    expect(page.locator("#cookiebanner")).to_be_focused()  # focus moved into it
    reached = []
    for _ in range(6):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert all(name in reached for name in BUTTONS)
    assert accessibility_problems(page) == []


def test_before_a_choice_only_functional_cookies_and_no_storage(site_page, site_server):
    page = site_page
    for path in ("/", "/artikelen/", "/artikelen/respijtzorg", "/zoeken?q=pgb", "/videos/"):
        page.goto(site_server.url + path)
    open_menu(page)
    page.get_by_role("link", name="Artikelen", exact=True).first.click()  # an htmx navigation
    page.wait_for_load_state("networkidle")
    assert {category_of(n) for n in cookie_names(page)} <= {Category.FUNCTIONAL}
    assert storage_keys(page) <= BROWSER_STORAGE_KEYS


def test_refusing_leaves_a_fully_usable_site(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/")
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page.locator("#cookiebanner")).to_have_count(0)
    page.locator(".zg-topic-tile__link", has_text="Zorg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorg")
    page.locator(".zg-card__title a").first.click()
    expect(page.locator(".zg-article")).to_be_visible()
    assert "zg_statistiek" not in cookie_names(page)
    assert {category_of(n) for n in cookie_names(page)} <= {Category.FUNCTIONAL}


def test_accept_then_withdraw_from_the_footer(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/artikelen/")
    page.get_by_role("button", name="Alles accepteren").click()
    expect(page.locator("#cookiebanner")).to_have_count(0)
    page.goto(site_server.url + "/artikelen/respijtzorg")
    assert "zg_statistiek" in cookie_names(page)
    page.get_by_role("link", name="Cookie-instellingen").click()
    checkbox = page.get_by_label("Analytische cookies toestaan")
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    page.get_by_role("button", name="Keuze opslaan").click()
    expect(page.get_by_text("Je keuze is opgeslagen")).to_be_visible()
    assert "zg_statistiek" not in cookie_names(page)


def test_settings_layer_in_the_banner_with_javascript(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/")
    page.get_by_role("button", name="Instellingen").click()
    checkbox = page.locator("#banner-analytical")
    expect(checkbox).not_to_be_checked()
    checkbox.check()
    page.get_by_role("button", name="Keuze opslaan").click()
    expect(page.locator("#cookiebanner")).to_have_count(0)
    page.goto(site_server.url + "/")
    assert "zg_statistiek" in cookie_names(page)


def test_banner_works_without_javascript(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "/artikelen/")
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page).to_have_url(re.compile(r"/artikelen/$"))
    expect(page.locator("#cookiebanner")).to_have_count(0)
    context.close()


def test_the_settings_layer_by_keyboard_and_refusing_from_it(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/artikelen/")
    page.get_by_role("button", name="Instellingen").focus()
    page.keyboard.press("Enter")
    layer = page.get_by_role("region", name="Cookie-instellingen")
    expect(layer).to_be_focused()  # focus moved into the new layer
    checkbox = page.get_by_label("Analytische cookies toestaan")
    expect(checkbox).not_to_be_checked()
    assert accessibility_problems(page) == []
    layer.get_by_role("button", name="Alles weigeren").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#cookiebanner")).to_have_count(0)
    # Not lost on the page body: on the confirmation in the banner's place, page not moved.
    expect(
        page.get_by_role("status").filter(has_text="Je cookiekeuze is opgeslagen")
    ).to_be_focused()
    assert page.evaluate("window.scrollY") == 0
    assert "zg_statistiek" not in cookie_names(page)


def test_logged_in_pages_after_consent_set_only_registered_cookies_and_storage(
    browser, live_server, live_app
):
    add_account(live_app, "cor@example.nl", name="Cor")
    context, page = _new_page(browser, viewport={"width": 1024, "height": 800})
    log_in(page, live_server.url, "cor@example.nl", banner="Alles accepteren")
    expect(page).not_to_have_url(re.compile(r"/inloggen"))
    for path in (
        "/profiel",
        "/profiel/vragenlijst/1",
        "/winkel",
        "/winkel/mandje",
        "/privacy",
        "/account",
    ):
        page.goto(live_server.url + path)
        assert storage_keys(page) <= BROWSER_STORAGE_KEYS, path
    assert cookie_names(page) <= FIRST_PARTY_NAMES
    assert "zg_statistiek" in cookie_names(page)  # consent was given, so counting is on
    context.close()
