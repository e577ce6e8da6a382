"""The header: one row at every width, one search field in the page, and a "Menu" that opens
without JavaScript and by keyboard on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _new_page, accessibility_problems, horizontal_overflow

WIDTHS = (320, 375, 1024, 1280)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_one_row_and_one_search_field_at_every_width(browser, site_server, javascript):
    context, page = _new_page(browser, java_script_enabled=javascript)
    page.goto(site_server.url + "/cookies/instellingen")
    page.get_by_role("button", name="Alles weigeren").click()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 700})
        for path in ("/", "/artikelen/", "/winkel"):
            page.goto(site_server.url + path)
            where = f"{path} at {width} px"
            header = page.get_by_role("banner").bounding_box()
            assert header["height"] <= 80, where  # one row (it was 330 px on a phone)
            assert page.locator("input[type=search]").count() == 1, where
            assert horizontal_overflow(page) <= 0, where
    context.close()


def test_the_menu_works_without_javascript(browser, site_server):
    context, page = _new_page(
        browser, viewport={"width": 375, "height": 740}, java_script_enabled=False
    )
    page.goto(site_server.url + "/artikelen/")
    page.get_by_role("button", name="Alles weigeren").click()
    shop = page.get_by_role("link", name="Winkel", exact=True)
    expect(shop).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(shop).to_be_visible()
    expect(page.get_by_role("searchbox", name="Zoeken op de site")).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    shop.click()
    expect(page).to_have_url(re.compile(r"/winkel$"))
    context.close()


def test_the_menu_by_keyboard_on_a_phone_and_in_the_row_on_a_wide_screen(browser, site_server):
    context, page = _new_page(browser, viewport={"width": 375, "height": 740})
    page.goto(site_server.url + "/artikelen/")
    page.get_by_role("button", name="Alles weigeren").click()
    menu = page.locator(".zg-menu__toggle")
    for _ in range(5):
        page.keyboard.press("Tab")
        if menu.evaluate("e => e === document.activeElement"):
            break
    expect(menu).to_be_focused()
    expect(menu).to_have_css("outline-style", "solid")  # focus is visible
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Artikelen", exact=True)).to_be_focused()
    assert accessibility_problems(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site_server.url + "/artikelen/")
    expect(menu).to_be_hidden()
    header = page.get_by_role("banner")
    for name in ("Artikelen", "Video's", "Onderwerpen", "Winkel", "Hulplijn", "Inloggen"):
        expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("searchbox", name="Zoeken op de site")).to_be_visible()
    context.close()
