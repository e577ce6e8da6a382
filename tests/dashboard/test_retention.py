"""The counting tables (statistics without a person) and the published figures are kept 25
months; the retention job deletes what is older, and a dry run only reports it."""

from datetime import UTC, date, datetime

import time_machine
from sqlmodel import select

from app.consent.models import PageViewDay, SearchTermDay, VisitorDay
from app.dashboard.models import PublishedCell
from app.privacy.retention import months_before

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def run(runner, *args) -> str:
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["privacy", "retention", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_statistics_older_than_25_months_are_deleted(session, runner):
    old, kept = date(2024, 11, 2), date(2024, 11, 3)  # 25 months before 3 December 2026
    for day in (old, kept):
        session.add(PageViewDay(day=day, path="/", views=3))
        session.add(SearchTermDay(day=day, term="overig", searches=2))
        session.add(VisitorDay(day=day, visitors=1))
    session.add(PublishedCell(series="s", month=date(2024, 10, 1), category="a", value=10))
    session.add(PublishedCell(series="s", month=date(2024, 12, 1), category="a", value=10))
    session.commit()

    report = run(runner, "--dry-run")
    assert "Paginabezoeken per dag (stats_page_view): 1 rij(en) zou(den) worden verwijderd" in (
        report
    )
    assert len(session.exec(select(PageViewDay)).all()) == 2

    report = run(runner)
    for table in ("stats_page_view", "stats_search_term", "stats_visitor", "dashboard_cell"):
        assert f"({table}): 1 rij(en) verwijderd" in report, report
    session.expire_all()
    for model in (PageViewDay, SearchTermDay, VisitorDay):
        assert [row.day for row in session.exec(select(model))] == [kept]
    assert [c.month for c in session.exec(select(PublishedCell))] == [date(2024, 12, 1)]


def test_months_before_keeps_to_the_last_day_of_a_shorter_month():
    assert months_before(datetime(2027, 3, 31, 12, tzinfo=UTC), 25) == date(2025, 2, 28)
    assert months_before(datetime(2026, 12, 3, 12, tzinfo=UTC), 25) == date(2024, 11, 3)
