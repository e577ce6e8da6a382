"""The staff page of deliveries to partners in a real browser: found through the staff menu,
axe-clean and without sideways scrolling at 320 px, and "Opnieuw proberen" works without
JavaScript."""

import re

from playwright.sync_api import expect
from sqlmodel import select

from app import db
from app.accounts.models import Role, User
from app.shop import partners
from app.shop.models import DeliveryStatus, NoticeKind, PartnerDelivery
from tests.browser.conftest import (
    _new_page,
    accessibility_problems,
    add_account,
    horizontal_overflow,
    log_in,
    open_menu,
)


def failed_notice(app) -> None:
    """A notice to Soepterrine about a caregiver that could not be delivered for 72 hours."""
    add_account(app, "piet@example.nl")
    with app.app_context():
        session = db.session()
        caregiver = session.exec(select(User).where(User.email == "piet@example.nl")).one()
        partners.notify(
            session,
            user_id=db.id_of(caregiver),
            kind=NoticeKind.ERASURE,
            to={"soepterrine": ["2026-00042"]},
        )
        session.flush()
        for row in session.exec(select(PartnerDelivery)).all():
            row.status, row.attempts = DeliveryStatus.FAILED, 40
            row.last_error = "de e-mail aan de partner kon niet worden verstuurd"
        session.commit()


def test_the_deliveries_page_passes_axe_at_320_pixels_and_retries(browser, live_server, live_app):
    add_account(live_app, "mila@example.nl", role=Role.STAFF, name="Mila Makelaar")
    failed_notice(live_app)
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    log_in(page, live_server.url, "mila@example.nl", next="/staff/bestellingen")
    open_menu(page)
    page.get_by_role("link", name="Verzending aan partners").click()
    expect(page.get_by_role("heading", name="Verzending aan partners", level=1)).to_be_visible()
    expect(page.get_by_text("Mislukt (1)")).to_be_visible()
    assert accessibility_problems(page) == []
    assert horizontal_overflow(page) == 0
    page.get_by_role("button", name=re.compile("^Opnieuw proberen")).click()
    expect(page.get_by_text("staat weer klaar")).to_be_visible()
    expect(page.get_by_text("Wordt verstuurd (1)")).to_be_visible()
    assert accessibility_problems(page) == []
    assert horizontal_overflow(page) == 0
    context.close()
