"""P26: the dashboard shows anonymised trends only. The figures come from the nightly
aggregation, small counts are held back, and the page and its CSV files read nothing but the
published tables."""

import json
import re
from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.consent.models import PageViewDay, SearchTermDay
from app.dashboard.models import PublishedCell, PublishedSeries
from app.profile import service as profile
from app.profile.models import ProfileAnswer
from app.shop.models import Order, OrderLine, OrderStatus
from app.tables import metadata

TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PUBLISHED = {PublishedSeries.__tablename__, PublishedCell.__tablename__}
PERSONAL_TABLES = {"user_account", "profile_answer", "shop_order", "shop_order_line"}


def caregiver(app, make_user, *, relatie: str, uren: int, duur: str, counts: bool) -> User:
    user = make_user(name="Mantelzorger Testpersoon")
    with app.app_context():
        session = db.session()
        for key, value in (("relatie", relatie), ("uren", uren), ("duur", duur)):
            session.add(
                ProfileAnswer(
                    user_id=user.id, question_key=key, version="1", value=json.dumps(value)
                )
            )
        if counts:
            profile.set_consent(session, user=user, scope="statistics", granted=True)
        session.commit()
    return user


def paid_order(session, number: int, user_id: int | None, slug: str, paid: datetime) -> None:
    order = Order(
        user_id=user_id,
        checkout_token=f"token-{number}",
        status=OrderStatus.PAID,
        total_cents=1000,
        customer_email=f"koper{number}@example.nl",
        created_at=paid,
        paid_at=paid,
    )
    session.add(order)
    session.flush()
    session.add(
        OrderLine(
            order_id=db.id_of(order),
            product_slug=slug,
            partner_slug="wakkerwijk-alarmering",
            title="Alarm",
            quantity=1,
            unit_price_cents=1000,
            vat_rate=21,
            line_total_cents=1000,
        )
    )


def populate(app, session, make_user, runner) -> None:
    """12 caregivers for a parent and 3 for a partner who allowed counting, 4 who did not;
    visits and searches over two months; 11 buyers of one product and 2 of another."""
    for number in range(19):
        caregiver(
            app,
            make_user,
            relatie="ouder" if number < 12 or number >= 15 else "partner",
            uren=20 if number % 2 else 4,
            duur="jaren",
            counts=number < 15,
        )
    for day in (date(2026, 10, 5), date(2026, 11, 5)):
        session.add(PageViewDay(day=day, path="/artikelen/respijtzorg", views=40))
        session.add(PageViewDay(day=day, path="/artikelen/mantelzorgwoning", views=3))
        session.add(PageViewDay(day=day, path="/account", views=500))
        session.add(SearchTermDay(day=day, term="pgb", searches=25))
        session.add(SearchTermDay(day=day, term="overig", searches=12))
    session.commit()
    assert runner.invoke(args=["shop", "sync"]).exit_code == 0
    for number in range(13):
        slug = "personenalarm-met-valdetectie" if number < 11 else "bedbeugel"
        paid_order(session, number, None, slug, datetime(2026, 11, 3, 12, tzinfo=UTC))
    session.commit()


def aggregate(runner) -> str:
    with time_machine.travel(TODAY, tick=False):
        result = runner.invoke(args=["stats", "aggregate"])
    assert result.exit_code == 0, result.output
    return result.output


def cells(session, series: str) -> dict[tuple[str, str], str]:
    rows = session.exec(select(PublishedCell).where(PublishedCell.series == series)).all()
    return {
        (f"{r.month:%Y-%m}", r.category): r.mark if r.value is None else str(r.value) for r in rows
    }


def tables_read(app, fn) -> set[str]:
    """Every table named in the SQL the app sends while `fn` runs."""
    names: set[str] = set()
    engine = app.extensions["db_engine"]
    known = set(metadata.tables)

    def seen(conn, cursor, statement, parameters, context, executemany):
        names.update(t for t in re.findall(r"[a-z_]+", statement.lower()) if t in known)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    return names


def test_p26_dashboard_shows_only_aggregates_with_counts_below_ten_held_back(
    app, client, session, make_user, runner
):
    populate(app, session, make_user, runner)
    output = aggregate(runner)
    assert "mantelzorgers-voor-wie: 1 maand(en)" in output

    # Who caregivers care for: 12 parents, 3 partners among those who allowed counting (the
    # 4 who did not are not counted); 3 is held back and so is its complement.
    relation = cells(session, "mantelzorgers-voor-wie")
    assert relation[("2026-11", "partner")] == "< 10"
    assert relation[("2026-11", "ouder")] == "x"
    assert relation[("2026-11", "_totaal")] == "15"
    assert relation[("2026-11", "kind")] == "0"
    # Hours in bands: 7 with 4 hours and 8 with 20 hours: both small, held back.
    hours = cells(session, "mantelzorgers-uren-per-week")
    assert hours[("2026-11", "0-7")] == hours[("2026-11", "16-31")] == "< 10"
    # Visits per topic per month: respijtzorg is about zorg and balans; the 3 views of the
    # article about wonen are held back; the account page belongs to no topic.
    visits = cells(session, "bezoek-per-onderwerp")
    assert visits[("2026-10", "zorg")] == "40" and visits[("2026-11", "wonen")] == "< 10"
    searches = cells(session, "zoeken-per-thema")
    assert searches[("2026-11", "financien")] == "25"
    assert searches[("2026-11", "overig")] == "10"  # 12, rounded to 5
    # Orders: 11 buyers of an alarm, 2 of a bed rail, one month: the 2 are held back, and the
    # 11 with them, or the total would tell.
    orders = cells(session, "bestellingen-per-categorie")
    assert sorted(v for k, v in orders.items() if v not in ("0",)) == ["15", "< 10", "x"]
    assert orders[("2026-11", "_totaal")] == "15"

    pages = {}

    def visit():
        pages["figures"] = client.get("/cijfers")
        pages["csv"] = client.get("/cijfers/mantelzorgers-voor-wie.csv")

    read = tables_read(app, visit)
    assert read == PUBLISHED, read  # the published tables, and nothing else
    assert not read & PERSONAL_TABLES
    page = pages["figures"].get_data(as_text=True)
    assert pages["figures"].status_code == 200
    assert "Voor wie mantelzorgers zorgen" in page and "&lt; 10" in page
    figures = page.split('class="zg-figures"', 1)[1].split("</article>", 1)[0]
    assert "<svg" in figures and "<script" not in figures  # charts drawn on the server
    csv_text = pages["csv"].get_data(as_text=True)
    assert pages["csv"].mimetype == "text/csv"
    assert "2026-11;" in csv_text and "< 10" in csv_text
    assert "Testpersoon" not in page + csv_text


def test_aggregating_again_keeps_earlier_months_of_a_snapshot(app, session, make_user, runner):
    populate(app, session, make_user, runner)
    aggregate(runner)
    with time_machine.travel(datetime(2026, 12, 2, 10, tzinfo=UTC), tick=False):
        assert runner.invoke(args=["stats", "aggregate"]).exit_code == 0
    months = {m for m, _ in cells(session, "mantelzorgers-voor-wie")}
    assert months == {"2026-11", "2026-12"}


def test_withdrawing_the_statistics_consent_stops_counting(app, session, make_user, runner):
    users = [
        caregiver(app, make_user, relatie="ouder", uren=10, duur="kort", counts=True)
        for _ in range(12)
    ]
    aggregate(runner)
    assert cells(session, "mantelzorgers-voor-wie")[("2026-11", "_totaal")] == "10"
    with app.app_context():
        s = db.session()
        for user in users[:5]:
            profile.set_consent(s, user=user, scope="statistics", granted=False)
        s.commit()
    aggregate(runner)
    session.expire_all()
    assert cells(session, "mantelzorgers-voor-wie")[("2026-11", "_totaal")] == "< 10"


def test_an_unknown_table_is_not_found(client):
    assert client.get("/cijfers/user_account.csv").status_code == 404
