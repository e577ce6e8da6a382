"""P26 in a browser at 320 px: /cijfers shows its charts (SVG drawn on the server) with their
tables and CSV downloads, with no serious accessibility problems and no sideways scrolling,
with and without JavaScript."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect
from sqlmodel import Session

from app.consent.models import PageViewDay, SearchTermDay
from tests.browser.conftest import _new_page, accessibility_problems, horizontal_overflow


def publish_figures(app) -> None:
    with Session(app.extensions["db_engine"]) as session:
        for month in range(1, 12):
            day = date(2026, month, 3)
            session.add(PageViewDay(day=day, path="/artikelen/respijtzorg", views=20 + month))
            session.add(PageViewDay(day=day, path="/artikelen/mantelzorgwoning", views=month))
            session.add(SearchTermDay(day=day, term="pgb", searches=30 + 2 * month))
            session.add(SearchTermDay(day=day, term="overig", searches=12))
        session.commit()
    with time_machine.travel(datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False):
        result = app.test_cli_runner().invoke(args=["stats", "aggregate"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("javascript", [True, False])
def test_p26_figures_at_320_pixels(browser, live_server, live_app, javascript):
    publish_figures(live_app)
    context, page = _new_page(
        browser,
        viewport={"width": 320, "height": 640},
        java_script_enabled=javascript,
        accept_downloads=True,
    )
    page.goto(live_server.url + "/cijfers")
    expect(page.get_by_role("heading", name="Zorggenoot in cijfers", level=1)).to_be_visible()
    if javascript:
        page.get_by_role("button", name="Alles weigeren").click()
    chart = page.get_by_role("img", name="Lijngrafiek: Bezoeken per onderwerp, per maand")
    expect(chart).to_be_visible()
    table = page.get_by_role("region", name="Bezoeken per onderwerp, per maand, paginabezoeken")
    expect(table).to_be_visible()
    expect(table.get_by_role("cell", name="< 10").first).to_be_visible()
    assert javascript is False or accessibility_problems(page) == []
    assert horizontal_overflow(page) <= 0

    with page.expect_download() as download:
        page.get_by_role("link", name="Download als CSV van Zoekopdrachten per thema").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("maand;Wonen;Zorg;") and "2026-11;" in text
    context.close()
