"""The products' drawings in a real browser: they load, fit a 320 px screen, pass axe, and on a
phone leave the price and "In mijn mandje" in the first screen."""

import pytest

from tests.browser.conftest import _new_page, accessibility_problems, horizontal_overflow

ROLLATOR = "/winkel/lichtgewicht-rollator-met-zitje"
LONG_TITLE = "/winkel/pakket-incontinentiebroekjes"


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


def loaded(page, selector: str) -> list[int]:
    """The natural width of each image matched (0 for one that did not load)."""
    return page.eval_on_selector_all(selector, "images => images.map(i => i.naturalWidth)")


def test_the_drawings_fit_320_pixels_and_pass_axe(browser, site_server):
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    page.goto(site_server.url + "/winkel")
    page.get_by_role("button", name="Alles weigeren").click()
    page.goto(site_server.url + "/winkel")
    cards = loaded(page, ".zg-product-card__image")
    assert cards and all(width > 0 for width in cards)
    assert accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0
    for path in (ROLLATOR, LONG_TITLE):
        page.goto(site_server.url + path)
        assert loaded(page, ".zg-buy__image") == [160]  # the drawing's own width: it loaded
        image, panel = box(page, ".zg-buy__image"), box(page, ".zg-buy")
        assert image["x"] >= panel["x"]
        assert image["x"] + image["width"] <= panel["x"] + panel["width"] <= 320
        assert accessibility_problems(page) == [], path
        assert horizontal_overflow(page) <= 0, path
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "geen-js"])
def test_on_a_phone_the_price_and_button_stay_in_the_first_screen(browser, site_server, javascript):
    # 375 by 812: a common phone screen.
    context, page = _new_page(
        browser, viewport={"width": 375, "height": 812}, java_script_enabled=javascript
    )
    page.goto(site_server.url + "/winkel")
    refuse = page.get_by_role("button", name="Alles weigeren")
    refuse.click()
    refuse.wait_for(state="hidden")
    for path in (ROLLATOR, LONG_TITLE):
        page.goto(site_server.url + path)
        image = box(page, ".zg-buy__image")
        price = box(page, ".zg-buy .zg-price")
        # The drawing stands beside "Bestellen" and the price, so it adds no height above
        # the button, and the price is on the first screen.
        assert image["y"] + image["height"] <= price["y"] + price["height"] + 4, path
        assert image["x"] > price["x"] + 100, path
        assert price["y"] + price["height"] <= 812, path
    # With a title of usual length, the button is whole on the first screen too. (A title of
    # four lines, as LONG_TITLE's, pushes it just below.)
    page.goto(site_server.url + ROLLATOR)
    button = box(page, "#kopen-knop")
    assert button["y"] + button["height"] <= 812
    context.close()
