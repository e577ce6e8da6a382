"""Setting up the second login step in a real browser, with and without JavaScript, at 320 px:
the QR code page, a wrong code kept on the page with its message, the recovery codes, and the
staff page after it."""

import pyotp
import pytest
from playwright.sync_api import expect

from app import db
from app.accounts import service as accounts
from app.accounts.models import Role
from tests.browser.conftest import PASSWORD, _new_page, accessibility_problems, horizontal_overflow


@pytest.mark.parametrize("javascript", [True, False])
def test_a_new_staff_member_sets_up_the_app_then_reaches_the_staff_pages(
    browser, live_server, live_app, javascript
):
    email = f"nina-{javascript}@example.nl"
    with live_app.app_context():  # a new colleague: no app yet
        accounts.register_user(
            db.session(),
            name="Nina Nieuw",
            email=email,
            password=PASSWORD,
            role=Role.STAFF,
            verified=True,
        )
        db.session().commit()
    context, page = _new_page(
        browser, viewport={"width": 320, "height": 640}, java_script_enabled=javascript
    )
    page.goto(live_server.url + "/inloggen?next=/staff/hulplijn")
    page.get_by_role("button", name="Alles weigeren").click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Inloggen in twee stappen")).to_be_visible()
    expect(page.get_by_role("img", name="QR-code voor je app")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert javascript is False or accessibility_problems(page) == []
    secret = page.locator(".zg-secret").inner_text().replace(" ", "")
    page.get_by_label("Code uit je app").fill("000000")
    page.get_by_role("button", name="App koppelen").click()
    expect(page.locator("#foutoverzicht")).to_contain_text("Deze code klopt niet")
    assert page.locator(".zg-secret").inner_text().replace(" ", "") == secret  # same app
    page.get_by_label("Code uit je app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="App koppelen").click()
    expect(page.get_by_role("heading", name="Je herstelcodes")).to_be_visible()
    assert page.locator(".zg-codes li").count() == 10
    assert horizontal_overflow(page) <= 0
    assert javascript is False or accessibility_problems(page) == []
    page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    expect(page.get_by_role("heading", name="Hulplijn-vragen", level=1)).to_be_visible()
    context.close()
