"""Search in a real browser: results while typing (htmx), and the plain form without JavaScript."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import accessibility_problems


def test_results_appear_while_typing_and_the_address_follows(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/zoeken")
    field = page.get_by_label("Waar zoek je informatie over?")
    field.press_sequentially("zorgverlof", delay=30)
    expect(page.locator("#resultaten-kop")).to_contain_text("voor ‘zorgverlof’", timeout=15_000)
    expect(page).to_have_url(re.compile(r"q=zorgverlof"))
    # The title follows too (the tab, the history entry, what a screen reader reads out).
    expect(page).to_have_title(re.compile(r"^Zoeken: zorgverlof \| "))
    assert page.locator("#inhoud title").count() == 0
    expect(page.locator(".zg-hit mark").first).to_be_visible()
    assert field.input_value() == "zorgverlof"  # the field itself was not replaced while typing


def test_search_form_works_without_javascript(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "/")
    page.get_by_label("Waar zoek je informatie over?").fill("levenstestament")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    expect(page.locator("#resultaten-kop")).to_contain_text("levenstestament")
    facets = page.get_by_role("navigation", name="Resultaten verfijnen")
    facets.get_by_role("link", name=re.compile("Video")).click()
    expect(page).to_have_url(re.compile(r"soort=video"))
    context.close()


def test_results_page_is_accessible(site_page, site_server):
    site_page.goto(site_server.url + "/zoeken?q=respijtzorg")
    assert accessibility_problems(site_page) == []
    site_page.goto(site_server.url + "/zoeken?q=qwxzv")
    assert accessibility_problems(site_page) == []
