"""L1 (P30, P31, P32): the retention job, across each boundary, the day before and the day after."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.consent.models import ConsentRecord
from app.payments.models import PaymentRow, PaymentStatus
from app.privacy import retention
from app.privacy.models import ExportFile, JobLock, PrivacyRequest
from app.privacy.requests import add_years
from app.shop.models import Handoff, Order, OrderLine, OrderStatus
from tests.conftest import registered

DAY = timedelta(days=1)


def run(runner, *args) -> str:
    result = runner.invoke(args=["privacy", "retention", *args])
    assert result.exit_code == 0, result.output
    return result.output


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def set_activity(session, user_id: int, moment: datetime) -> None:
    user = session.get(User, user_id)
    user.last_active_at = moment
    session.add(user)
    session.commit()


def test_p30_an_inactive_account_is_warned_four_weeks_before_and_erased_after_three_years(
    runner, make_user, session, outbox
):
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    user = make_user(email="stil@example.nl")
    set_activity(session, user.id, start)
    due = add_years(start, 3)  # 10 March 2029
    warn_from = due - timedelta(weeks=4)

    with at(warn_from - DAY):
        report = run(runner)
    assert "0 waarschuwing(en)" in report and outbox.messages() == []

    with at(warn_from):
        report = run(runner)
        assert "1 waarschuwing(en) verstuurd" in report
        assert "0 account(s) verwijderd" in report
    message = outbox.last()
    assert message["To"] == "stil@example.nl"
    assert message["Subject"] == "Je account wordt binnenkort verwijderd"
    assert "10 maart 2029" in outbox.text(message)

    with at(warn_from + DAY):
        assert "0 waarschuwing(en)" in run(runner)  # idempotent: one warning only
    assert len(outbox.messages()) == 1

    with at(due - DAY):
        run(runner)
    assert session.get(User, user.id) is not None

    with at(due + DAY):
        report = run(runner)
        assert "1 account(s) verwijderd na 3 jaar zonder activiteit" in report
    assert session.get(User, user.id) is None
    erased = session.exec(select(PrivacyRequest)).one()
    assert erased.kind == "verwijdering" and erased.channel == "bewaartermijn"

    with at(due + 2 * DAY):
        assert "0 account(s) verwijderd" in run(runner)


def test_activity_after_the_warning_starts_the_three_years_again(
    runner, make_user, session, outbox
):
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    user = make_user()
    set_activity(session, user.id, start)
    due = add_years(start, 3)
    with at(due - timedelta(days=10)):
        run(runner)
    assert len(outbox.messages()) == 1
    set_activity(session, user.id, due - timedelta(days=5))  # logged in after the warning
    with at(due + DAY):
        report = run(runner)
    assert "0 account(s) verwijderd" in report and session.get(User, user.id) is not None


def warned_and_erased(runner, session, outbox, user_id: int, first_run: datetime):
    """Run the job first at `first_run`, then daily, with the mail worker after each run;
    returns the day the account went (or None) and the text of every message it was sent."""
    seen: dict[str, str] = {}
    day = first_run - DAY
    while day < first_run + timedelta(weeks=6):
        day += DAY
        with at(day):
            run(runner)
        seen.update({m["Subject"]: outbox.text(m) for m in outbox.messages()})
        if session.get(User, user_id) is None:
            return day, seen
    return None, seen


@pytest.mark.parametrize(
    "first_seen",
    [
        -timedelta(weeks=4) - DAY,  # before the warning window: the usual way
        -timedelta(weeks=4),  # on its first day
        -timedelta(days=7),  # inside it: a warning of a week
        -DAY,  # the day before: a warning of a day
    ],
)
def test_p30_an_account_the_job_meets_late_is_still_erased_at_three_years(
    runner, make_user, session, outbox, first_seen
):
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    user = make_user(email="laat@example.nl")
    set_activity(session, user.id, start)
    due = add_years(start, 3)
    erased_on, mails = warned_and_erased(runner, session, outbox, user.id, due + first_seen)
    assert erased_on == due  # at three years, never four weeks after a late warning
    assert set(mails) == {"Je account wordt binnenkort verwijderd", "Je account is verwijderd"}
    assert "10 maart 2029" in mails["Je account wordt binnenkort verwijderd"]  # the real date


@pytest.mark.parametrize("first_seen", [timedelta(0), DAY, timedelta(days=3 * 365)])
def test_p30_an_account_the_job_first_meets_past_three_years_is_erased_at_once(
    runner, make_user, session, outbox, first_seen
):
    """When the job did not run for a while: erased on its first run, without a warning that
    would stretch the three years (the person gets the confirmation of the erasure)."""
    start = datetime(2020, 1, 1, 12, tzinfo=UTC)
    user = make_user(email="vergeten@example.nl")
    set_activity(session, user.id, start)
    due = add_years(start, 3)
    with at(due + first_seen):
        report = run(runner)
    assert "1 account(s) verwijderd na 3 jaar zonder activiteit" in report
    assert "0 waarschuwing(en)" in report
    assert session.get(User, user.id) is None
    assert [m["Subject"] for m in outbox.messages()] == ["Je account is verwijderd"]


def test_p30_the_day_before_three_years_an_unwarned_account_is_warned_not_erased(
    runner, make_user, session, outbox
):
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    user = make_user(email="bijna@example.nl")
    set_activity(session, user.id, start)
    due = add_years(start, 3)
    with at(due - timedelta(seconds=1)):
        report = run(runner)
    assert "0 account(s) verwijderd" in report and "1 waarschuwing(en)" in report
    assert session.get(User, user.id) is not None
    with at(due):
        assert "1 account(s) verwijderd" in run(runner)
    assert session.get(User, user.id) is None


def paid_order(session, user_id: int | None, created: datetime) -> Order:
    order = Order(
        user_id=user_id,
        checkout_token=f"token-{created.isoformat()}",
        status=OrderStatus.PAID,
        total_cents=1000,
        customer_name="Koos Koper",
        created_at=created,
    )
    session.add(order)
    session.flush()
    order_id = db.id_of(order)
    order.number = f"ZG{created:%Y}-{order_id:06d}"
    session.add(
        OrderLine(
            order_id=order_id,
            product_slug="personenalarm-met-valdetectie",
            partner_slug="wakkerwijk-alarmering",
            title="Alarm",
            quantity=1,
            unit_price_cents=1000,
            vat_rate=21,
            line_total_cents=1000,
        )
    )
    session.add(
        PaymentRow(
            order_id=order_id,
            mollie_id=f"tr_{order_id}",
            attempt=1,
            status=PaymentStatus.PAID,
            amount_cents=1000,
        )
    )
    session.add(
        Handoff(order_id=order_id, partner_slug="wakkerwijk-alarmering", fields="", payload="{}")
    )
    session.commit()
    return order


@pytest.fixture
def catalogue(app, runner):
    assert runner.invoke(args=["shop", "sync"]).exit_code == 0


def test_p31_the_fiscal_record_goes_seven_years_after_the_end_of_its_fiscal_year(
    runner, session, catalogue
):
    order = paid_order(session, None, datetime(2026, 6, 1, 10, tzinfo=UTC))
    later = paid_order(session, None, datetime(2027, 1, 5, 10, tzinfo=UTC))
    # Fiscal year 2026 ends on 31 December 2026; seven years later is the end of 2033.
    with at(datetime(2033, 12, 31, 12, tzinfo=UTC)):
        run(runner)
    assert session.get(Order, order.id) is not None
    with at(datetime(2034, 1, 1, 12, tzinfo=UTC)):
        report = run(runner)
        assert "Bestellingen (shop_order): 1 verwijderd" in report
    assert session.get(Order, order.id) is None
    for model in (OrderLine, PaymentRow, Handoff):
        assert [r.order_id for r in session.exec(select(model))] == [later.id], model
    assert session.get(Order, later.id) is not None


def test_p31_a_fiscal_record_survives_the_erasure_of_its_account(
    app, runner, session, make_user, catalogue
):
    from app.privacy import erasure

    user = make_user()
    order = paid_order(session, user.id, datetime(2026, 6, 1, 10, tzinfo=UTC))
    with app.app_context():
        s = db.session()
        erasure.erase_account(s, s.get_one(User, user.id))
        s.commit()
    kept = session.get(Order, order.id)
    assert kept.user_id is None and kept.customer_name is None and kept.total_cents == 1000


def test_consent_proof_is_kept_five_years_after_the_account_ends(app, runner, session, make_user):
    from app.privacy import erasure

    user = make_user()
    ended = datetime(2026, 11, 26, 12, tzinfo=UTC)
    session.add(
        ConsentRecord(
            consent_id="a" * 36,
            user_id=user.id,
            scope="health",
            accepted="health",
            method="custom",
            policy_version="1",
            text_hash="b" * 64,
            at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    anonymous = ConsentRecord(
        consent_id="c" * 36,
        user_id=None,
        scope="cookies",
        accepted="",
        refused="analytics",
        method="refuse_all",
        policy_version="1",
        text_hash="d" * 64,
        at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    session.add(anonymous)
    session.commit()
    with at(ended), app.app_context():
        s = db.session()
        erasure.erase_account(s, s.get_one(User, user.id))
        s.commit()
    proof = session.exec(select(ConsentRecord).where(ConsentRecord.scope == "health")).one()
    assert proof.user_id is None and proof.ended_at == ended

    with at(datetime(2031, 2, 1, 12, tzinfo=UTC) - DAY):
        run(runner)
    assert len(session.exec(select(ConsentRecord)).all()) == 2
    with at(datetime(2031, 2, 1, 12, tzinfo=UTC) + DAY):
        run(runner)  # the anonymous choice of 1 February 2026 goes
    assert [r.scope for r in session.exec(select(ConsentRecord))] == ["health"]
    with at(add_years(ended, 5) - DAY):
        run(runner)
    assert len(session.exec(select(ConsentRecord)).all()) == 1
    with at(add_years(ended, 5) + DAY):
        run(runner)
    assert session.exec(select(ConsentRecord)).all() == []


def test_export_files_go_after_seven_days(app, runner, session, make_user):
    from app.privacy import export

    user = make_user()
    made = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with at(made), app.app_context():
        s = db.session()
        row = export.create(s, s.get_one(User, user.id))
        s.commit()
        path = export.folder() / row.filename
    assert path.exists()
    with at(made + timedelta(days=7) - DAY):
        run(runner)
    assert path.exists() and session.exec(select(ExportFile)).all()
    with at(made + timedelta(days=7) + DAY):
        assert "Downloads van je gegevens (privacy_export): 1 verwijderd" in run(runner)
    assert not path.exists() and session.exec(select(ExportFile)).all() == []


def test_the_request_log_is_kept_five_years(app, runner, session, make_user):
    from app.privacy import requests

    user = make_user()
    received = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with app.app_context():
        s = db.session()
        requests.open_request(s, user_id=user.id, kind="inzage", received_at=received)
        s.commit()
    set_activity(session, user.id, datetime(2031, 11, 1, tzinfo=UTC))
    with at(add_years(received, 5) - DAY):
        run(runner)
    assert session.exec(select(PrivacyRequest)).all()
    with at(add_years(received, 5) + DAY):
        run(runner)
    assert session.exec(select(PrivacyRequest)).all() == []


def test_a_dry_run_reports_and_changes_nothing(runner, make_user, session, outbox):
    user = make_user()
    set_activity(session, user.id, datetime(2020, 1, 1, tzinfo=UTC))
    user_row = session.get(User, user.id)
    user_row.retention_warned_at = datetime(2022, 12, 1, tzinfo=UTC)
    session.add(user_row)
    session.commit()
    with at(datetime(2026, 11, 26, 12, tzinfo=UTC)):
        report = run(runner, "--dry-run")
    assert report.startswith("Proefrun: er is niets veranderd.")
    assert "1 account(s) verwijderd" in report
    assert session.get(User, user.id) is not None and outbox.messages() == []


def test_the_report_names_every_registered_category(app, runner):
    report = run(runner, "--dry-run")
    for category in registered(app):
        if category.parent is None and category.retention.rule != "account":
            assert f"({category.table})" in report, category.table


def test_a_second_machine_waits_for_the_lock_and_an_old_lock_is_taken_over(
    app, runner, session, make_user
):
    engine = app.extensions["db_engine"]
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert retention.acquire(engine, "machine-a", now)
    with at(now + timedelta(minutes=5)):
        output = run(runner)
    assert "draait al op een andere machine" in output
    assert not retention.acquire(engine, "machine-b", now + timedelta(minutes=10))
    # A lock left by a crashed run expires after an hour.
    assert retention.acquire(engine, "machine-b", now + timedelta(hours=2))
    retention.release(engine, "machine-b")
    assert session.exec(select(JobLock)).all() == []
    with engine.connect() as connection:
        assert (
            connection.execute(
                sa.select(sa.func.count()).select_from(db.table_of(JobLock))
            ).scalar_one()
            == 0
        )


def order_with_details(
    session,
    status: OrderStatus,
    created: datetime,
    payment: PaymentStatus | None = None,
    changed=None,
) -> Order:
    """An order as checkout leaves it, with the customer's details, and one payment with
    status `payment` that last changed at `changed` (or no payment at all)."""
    order = Order(
        user_id=None,
        checkout_token=f"token-{status}-{created.isoformat()}-{payment}",
        status=status,
        total_cents=1000,
        customer_name="Koos Koper",
        customer_email="koos@example.nl",
        customer_phone="06 12345678",
        street="Europalaan",
        house_number="500",
        postcode="3526KS",
        city="Utrecht",
        created_at=created,
        paid_at=created if status == "paid" else None,
    )
    session.add(order)
    session.flush()
    order_id = db.id_of(order)
    order.number = f"ZG{created:%Y}-{order_id:06d}"
    if payment is not None:
        session.add(
            PaymentRow(
                order_id=order_id,
                mollie_id=f"tr_{order_id}x",
                attempt=1,
                status=payment,
                amount_cents=1000,
                created_at=created,
                updated_at=changed,
            )
        )
    session.commit()
    return order


DETAILS = ("customer_name", "customer_email", "customer_phone", "street", "house_number")


def has_details(session, order: Order) -> bool:
    stored = session.get(Order, order.id)
    assert stored is not None and stored.total_cents == 1000  # the order itself stays
    present = [getattr(stored, name) is not None for name in (*DETAILS, "postcode", "city")]
    assert all(present) or not any(present), present
    return all(present)


def test_unpaid_orders_lose_name_email_address_and_phone_30_days_after_they_ended(runner, session):
    made = datetime(2026, 5, 1, 10, tzinfo=UTC)
    ended = made + timedelta(hours=2)
    failed = order_with_details(
        session, OrderStatus.FAILED, made, payment=PaymentStatus.FAILED, changed=ended
    )
    canceled = order_with_details(
        session, OrderStatus.CANCELED, made, payment=PaymentStatus.CANCELED, changed=ended
    )
    expired = order_with_details(
        session, OrderStatus.EXPIRED, made, payment=PaymentStatus.EXPIRED, changed=ended
    )
    # No payment was ever started for this one.
    abandoned = order_with_details(session, OrderStatus.PENDING, made)
    waiting = order_with_details(
        session, OrderStatus.PENDING, made, payment=PaymentStatus.OPEN, changed=made
    )
    paid = order_with_details(
        session, OrderStatus.PAID, made, payment=PaymentStatus.PAID, changed=ended
    )

    with at(ended + timedelta(days=30) - timedelta(minutes=1)):
        report = run(runner)
    assert "Bestellingen (shop_order): 1 ingekort" in report  # the one with no payment
    assert not has_details(session, abandoned)
    for order in (failed, canceled, expired):
        assert has_details(session, order), order.status

    with at(ended + timedelta(days=30)):
        report = run(runner)
    assert "Bestellingen (shop_order): 3 ingekort (niet betaald" in report
    for order in (failed, canceled, expired, abandoned):
        assert not has_details(session, order), order.status
    # A payment still under way at Mollie, and a paid order (fiscal rule): untouched.
    assert has_details(session, waiting) and has_details(session, paid)

    with at(ended + timedelta(days=31)):
        assert "Bestellingen (shop_order): 0 ingekort" in run(runner)


def test_an_unpaid_order_counts_from_the_last_change_of_its_payment(runner, session):
    made = datetime(2026, 5, 1, 10, tzinfo=UTC)
    retried = made + timedelta(days=10)  # a second try that failed ten days later
    order = order_with_details(
        session, OrderStatus.FAILED, made, payment=PaymentStatus.FAILED, changed=retried
    )
    with at(made + timedelta(days=31)):
        run(runner)
    assert has_details(session, order)
    with at(retried + timedelta(days=30)):
        run(runner)
    assert not has_details(session, order)


def test_a_dry_run_counts_unpaid_orders_and_changes_nothing(runner, session):
    made = datetime(2026, 5, 1, 10, tzinfo=UTC)
    order = order_with_details(
        session, OrderStatus.EXPIRED, made, payment=PaymentStatus.EXPIRED, changed=made
    )
    with at(made + timedelta(days=40)):
        report = run(runner, "--dry-run")
    assert "Bestellingen (shop_order): 1 zou(den) worden ingekort" in report
    assert has_details(session, order)
