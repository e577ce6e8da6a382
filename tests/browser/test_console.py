"""A quiet console: no Content-Security-Policy violation and no script error while a visitor
walks the site and htmx swaps parts of it (htmx is told to inject no styles of its own), and
the JSON-LD blocks, which are data, are not taken for scripts."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import open_menu

WATCH = """
window.__problems = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__problems.push(`CSP ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def problems(page, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__problems")


def watched(page) -> list[str]:
    console: list[str] = []
    page.add_init_script(WATCH)
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else 0)
    page.on("pageerror", lambda error: console.append(str(error)))
    return console


def test_pages_with_json_ld_and_htmx_swaps_raise_no_csp_errors(site_page, site_server):
    page = site_page
    console = watched(page)
    base = site_server.url

    for path in ("/", "/artikelen/respijtzorg", "/winkel", "/onderwerpen/zorg"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.locator('script[type="application/ld+json"]').count() >= 1, path
        assert problems(page, console) == [], path

    # An htmx swap of a list (pagination), with the indicator classes htmx adds.
    page.goto(base + "/onderwerpen/zorg")
    page.locator("#onderwerp-lijst").get_by_role("link", name="Volgende pagina").click()
    expect(page).to_have_url(re.compile(r"pagina=2"))
    # The cookie banner's answer, swapped in place.
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page.locator(".zg-banner")).to_have_count(0)
    # Active search, and a boosted click to another page.
    page.goto(base + "/zoeken")
    page.get_by_role("searchbox").first.fill("respijtzorg")
    expect(page).to_have_url(re.compile(r"q=respijtzorg"))
    open_menu(page)
    page.get_by_role("link", name="Artikelen", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/artikelen/$"))
    page.wait_for_load_state("networkidle")

    assert problems(page, console) == []
    assert page.evaluate("document.querySelectorAll('style').length") == 0
