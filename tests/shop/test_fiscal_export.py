"""L2, P18: the sales journal and the BTW totals per quarter reconcile to the cent with the
orders and refunds, on generated data with refunds and a year boundary in Dutch time; staff
download it from /staff/fiscaal, and every download is in the access log."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app.audit.models import AccessAction, AccessEntry
from app.db import id_of
from app.payments.models import RefundRow, RefundStatus
from app.shop import invoices, journal, service
from app.shop.models import Order, OrderLine, OrderStatus

ALARM = "personenalarm-met-valdetectie"


def make_paid_order(session, paid_at: datetime, lines: list[tuple[int, int]], key: str) -> Order:
    """A paid order with lines of (gross cents, rate), numbered as a payment numbers it."""
    order = Order(
        checkout_token=f"token-{key}",
        status=OrderStatus.PAID,
        total_cents=sum(cents for cents, _ in lines),
        paid_at=paid_at,
        paid_with=f"tr_{key}",
        number=f"ZG-{key}",
    )
    session.add(order)
    session.flush()
    for cents, rate in lines:
        session.add(
            OrderLine(
                order_id=id_of(order),
                product_slug=ALARM,
                partner_slug="wakkerwijk-alarmering",
                title="Product",
                quantity=1,
                unit_price_cents=cents,
                vat_rate=rate,
                line_total_cents=cents,
            )
        )
    session.flush()
    invoices.assign_invoice_number(session, order)
    session.commit()
    return order


def refund_done(session, order: Order, cents: int, key: str) -> None:
    """A refund Mollie carried out, with its credit note (made now: time_machine sets when)."""
    row = RefundRow(
        order_id=id_of(order),
        mollie_refund_id=f"re_{key}",
        amount_cents=cents,
        status=RefundStatus.REFUNDED,
    )
    session.add(row)
    session.flush()
    invoices.issue_credit_note(session, order, row)
    session.commit()


@pytest.fixture
def year_of_sales(app, time_machine):
    """Five payments around two new years and two refunds (see the figures in the tests)."""
    with app.app_context(), Session(app.extensions["db_engine"]) as session:
        service.sync_catalogue(session)
        session.commit()
        # 31-12-2025 23:30 in Amsterdam: the old year.
        make_paid_order(session, datetime(2025, 12, 31, 22, 30, tzinfo=UTC), [(500, 21)], "a")
        # 01-01-2026 00:30 in Amsterdam (still 2025 in UTC): the first of 2026, Q1.
        make_paid_order(session, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), [(1090, 9)], "b")
        # 15-01-2026: Q1.
        first = make_paid_order(
            session, datetime(2026, 1, 15, 10, 0, tzinfo=UTC), [(12100, 21), (10900, 9)], "c"
        )
        # 01-04-2026 00:30 in Amsterdam (summer time; 31 March in UTC): Q2.
        second = make_paid_order(
            session, datetime(2026, 3, 31, 22, 30, tzinfo=UTC), [(5000, 0), (2420, 21)], "d"
        )
        # 01-01-2027 00:30 in Amsterdam: the next year.
        make_paid_order(session, datetime(2026, 12, 31, 23, 30, tzinfo=UTC), [(2420, 21)], "e")
        time_machine.move_to(datetime(2026, 7, 2, 12, 0, tzinfo=UTC))
        refund_done(session, first, 23000, "full")  # Q3: the whole of order c
        time_machine.move_to(datetime(2026, 10, 5, 12, 0, tzinfo=UTC))
        refund_done(session, second, 1000, "part")  # Q4: part of order d
    return app


def test_numbers_follow_the_dutch_calendar_year(year_of_sales, session):
    numbers = {o.number: o.invoice_number for o in session.exec(select(Order))}
    assert numbers == {
        "ZG-a": "F2025-000001",
        "ZG-b": "F2026-000001",
        "ZG-c": "F2026-000002",
        "ZG-d": "F2026-000003",
        "ZG-e": "F2027-000001",
    }


def test_quarter_totals_match_hand_computed_figures(year_of_sales, session):
    q1, q2, q3, q4 = journal.quarters(journal.entries(session, 2026))
    # Q1: order b (10,90 at 9 %) and order c (121,00 at 21 %, 109,00 at 9 %).
    assert (dict(q1.net), dict(q1.vat)) == ({9: 11000, 21: 10000}, {9: 990, 21: 2100})
    # Q2: order d: 50,00 exempt and 24,20 at 21 %.
    assert (dict(q2.net), dict(q2.vat)) == ({0: 5000, 21: 2000}, {0: 0, 21: 420})
    # Q3: order c refunded whole.
    assert (dict(q3.net), dict(q3.vat)) == ({9: -10000, 21: -10000}, {9: -900, 21: -2100})
    # Q4: 10,00 of order d (50,00 at 0 % and 24,20 at 21 %): 6,74 and 3,26 (BTW 0,57).
    assert (dict(q4.net), dict(q4.vat)) == ({0: -674, 21: -269}, {0: 0, 21: -57})
    assert [q.vat_cents for q in (q1, q2, q3, q4)] == [3090, 420, -3000, -57]


def test_the_journal_reconciles_with_the_orders_and_refunds(year_of_sales, session):
    found = journal.entries(session, 2026)
    paid = sum(
        o.total_cents for o in session.exec(select(Order)) if o.number in {"ZG-b", "ZG-c", "ZG-d"}
    )
    refunded = sum(r.amount_cents for r in session.exec(select(RefundRow)))
    assert sum(e.gross_cents for e in found) == paid - refunded
    totals = journal.quarters(found)
    assert sum(sum(q.net.values()) + q.vat_cents for q in totals) == paid - refunded


def test_the_csv_is_what_a_dutch_spreadsheet_reads(year_of_sales, session):
    text = journal.csv_text(journal.entries(session, 2026))
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == [
        "soort",
        "nummer",
        "datum",
        "bestelnummer",
        "bij factuur",
        "betaalreferentie",
    ]
    assert rows[0][6:] == [
        "netto 21%", "btw 21%", "bruto 21%", "netto 9%", "btw 9%", "bruto 9%",
        "netto 0%", "btw 0%", "bruto 0%", "totaal netto", "totaal btw", "totaal bruto",
        "omschrijving",
    ]  # fmt: skip
    body = rows[1:]
    assert [r[:6] for r in body] == [
        ["factuur", "F2026-000001", "01-01-2026", "ZG-b", "", "tr_b"],
        ["factuur", "F2026-000002", "15-01-2026", "ZG-c", "", "tr_c"],
        ["factuur", "F2026-000003", "01-04-2026", "ZG-d", "", "tr_d"],
        ["creditnota", "C2026-000001", "02-07-2026", "ZG-c", "F2026-000002", "re_full"],
        ["creditnota", "C2026-000002", "05-10-2026", "ZG-d", "F2026-000003", "re_part"],
    ]
    assert body[1][6:] == [
        "100,00", "21,00", "121,00", "100,00", "9,00", "109,00",
        "0,00", "0,00", "0,00", "200,00", "30,00", "230,00",
        "1× Product (21% btw); 1× Product (9% btw)",
    ]  # fmt: skip
    assert body[4][6:] == [
        "-2,69", "-0,57", "-3,26", "0,00", "0,00", "0,00",
        "-6,74", "0,00", "-6,74", "-9,43", "-0,57", "-10,00", "",
    ]  # fmt: skip


def test_the_command_writes_the_csv_and_prints_the_quarters(year_of_sales, runner, tmp_path):
    out = tmp_path / "dagboek.csv"
    result = runner.invoke(args=["shop", "fiscal-export", "--year", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert out.read_bytes().count(b"\r\n") == 6  # a header and five documents
    assert "3 facturen en 2 creditnota's" in result.output
    quarters = result.output.split("Kwartaal ")[1:]
    assert "rubriek 1a (hoog tarief, 21%): omzet 100,00, btw 21,00" in quarters[0]
    assert "rubriek 1b (laag tarief, 9%): omzet 110,00, btw 9,90" in quarters[0]
    assert "totaal btw: 30,90" in quarters[0]
    assert "0% of vrijgesteld" in quarters[1] and "omzet 50,00" in quarters[1]
    assert "rubriek 1a (hoog tarief, 21%): omzet -100,00, btw -21,00" in quarters[2]
    assert "totaal btw: -0,57" in quarters[3]


def test_staff_download_the_journal_and_it_is_logged(year_of_sales, staff, session):
    page = staff.get("/staff/fiscaal?jaar=2026")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Btw-aangifte 2026" in text and "rubriek 1a (hoog tarief, 21%)" in text
    assert '<option value="2027"' in text and '<option value="2025"' in text
    assert session.exec(select(AccessEntry)).all() == []  # looking at the totals is not logged

    download = staff.get("/staff/fiscaal/verkoopdagboek.csv?jaar=2026")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert 'filename="verkoopdagboek-2026.csv"' in download.headers["Content-Disposition"]
    with year_of_sales.app_context(), Session(year_of_sales.extensions["db_engine"]) as s:
        expected = journal.csv_text(journal.entries(s, 2026)).encode("utf-8")
    assert download.data == expected
    (entry,) = session.exec(select(AccessEntry)).all()
    assert entry.action == AccessAction.EXPORT
    assert entry.what.startswith("verkoopdagboek 2026") and entry.subject_id is None
    assert entry.actor_id is not None


def test_a_year_that_is_not_offered_falls_back_to_the_newest(year_of_sales, staff):
    text = staff.get("/staff/fiscaal?jaar=1999").get_data(as_text=True)
    assert "Btw-aangifte 2027" in text and "Btw-aangifte 1999" not in text
