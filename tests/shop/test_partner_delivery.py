"""Hand-offs and notices really reach partners: a real HTTP endpoint of a partner (that fails,
times out and succeeds, and checks the signature as a partner would) and a partner that gets
e-mail (the outbox); two workers never deliver anything twice; the caregiver is told "we
hebben het doorgegeven" only once it arrived."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from app.audit.models import AccessAction, AccessEntry
from app.db import utcnow
from app.jobs import service as jobs
from app.jobs.models import Job
from app.shop import delivery, partners
from app.shop.models import (
    DeliveryStatus,
    NoticeKind,
    Order,
    PartnerDelivery,
)
from tests.conftest import DEFAULT_PASSWORD, Client, build_app
from tests.shop.conftest import ALARM, MEALS, add, checkout, pay
from tests.shop.fake_partner import FakePartner

PARTNER = "wakkerwijk-alarmering"  # gets a real endpoint in these tests
MAIL_PARTNER = "soepterrine"  # keeps its e-mail address
SECRET = "het-geheim-van-wakkerwijk-dat-lang-genoeg-is"


@pytest.fixture
def partner():
    fake = FakePartner(secret=SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def content_dir(content_dir, partner):
    """The real shop, with Wakkerwijk receiving over HTTP at the fake partner's address."""
    path = content_dir / "winkel" / "partners" / f"{PARTNER}.md"
    text = path.read_text(encoding="utf-8")
    text, changed = re.subn(
        r'^delivery_email: "[^"]*"$', f'delivery_endpoint: "{partner.url}"', text, flags=re.M
    )
    assert changed == 1
    path.write_text(text, encoding="utf-8")
    return content_dir


@pytest.fixture
def app(tmp_path, database_url, content_dir, sandbox):
    app = build_app(
        tmp_path,
        database_url,
        CONTENT_DIR=str(content_dir),
        MOLLIE_API_ENDPOINT=sandbox.url,
        PARTNER_SECRETS={"PARTNER_SECRET_WAKKERWIJK_ALARMERING": SECRET},
        PARTNER_TIMEOUT_SECONDS=1.0,
    )
    app.test_client_class = Client
    sandbox.holder["app"] = app
    yield app
    app.extensions["db_engine"].dispose()


def run(app) -> jobs.RunReport:
    """What `flask partners deliver` does."""
    with app.app_context():
        return jobs.run_due(only=(delivery.KIND,))


def later(session, *, hours: float = 0) -> None:
    """The queue's clock moves on: every waiting job is due again (and `hours` older)."""
    session.execute(sa.update(Job).values(run_after=None))
    if hours:
        session.execute(sa.update(Job).values(created_at=utcnow() - timedelta(hours=hours)))
    session.commit()


def to(session, slug: str, *, handoff: bool = True) -> PartnerDelivery:
    kind = col(PartnerDelivery.handoff_id) if handoff else col(PartnerDelivery.notice_id)
    return session.exec(
        select(PartnerDelivery).where(PartnerDelivery.partner_slug == slug, kind.is_not(None))
    ).one()


def wait_for(partner: FakePartner, count: int) -> None:
    """A request the sender gave up on is still answered by the partner, a little later."""
    deadline = time.monotonic() + 10
    while len(partner.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(partner.received) == count, partner.received


def transfers(session, action: AccessAction) -> list[AccessEntry]:
    return list(session.exec(select(AccessEntry).where(AccessEntry.action == action)).all())


def test_a_partner_that_fails_and_times_out_gets_the_order_later_signed_with_one_key(
    app, paid_order, partner, session, outbox, buyer
):
    partner.plan = ["fail", "slow"]

    run(app)
    alarm = to(session, PARTNER)
    assert alarm.status == DeliveryStatus.PENDING and alarm.attempts == 1
    assert "503" in alarm.last_error
    assert to(session, MAIL_PARTNER).status == DeliveryStatus.DELIVERED

    run(app)  # nothing is due yet: the queue waits before it tries again
    assert to(session, PARTNER).attempts == 1

    later(session)
    run(app)
    alarm = to(session, PARTNER)
    assert alarm.status == DeliveryStatus.PENDING and alarm.attempts == 2
    assert "wachttijd" in alarm.last_error

    later(session)
    run(app)
    alarm = to(session, PARTNER)
    assert alarm.status == DeliveryStatus.DELIVERED and alarm.delivered_at is not None
    assert alarm.attempts == 3 and alarm.last_error == ""

    wait_for(partner, 3)
    assert {r.key for r in partner.received} == {alarm.key}  # the same key on every try
    assert all(r.signature_ok for r in partner.received)
    assert all(r.timestamp.isdigit() for r in partner.received)
    body = partner.received[-1].body
    assert body["soort"] == "bestelling" and body["bestelling"] == paid_order.number
    # Exactly what Wakkerwijk needs and the buyer consented to: no e-mail address.
    assert set(body["gegevens"]) == {"name", "address", "phone"}
    assert body["gegevens"]["name"] == "Koos Koper"
    assert [line["product"] for line in body["regels"]] == [ALARM]

    [mail] = [m for m in outbox.messages() if m["To"] == f"bestellingen@{MAIL_PARTNER}.example"]
    meals = to(session, MAIL_PARTNER)
    assert mail["Idempotency-Key"] == meals.key
    text = outbox.text(mail)
    assert paid_order.number in text and "Koos Koper" in text and "koper@example.nl" not in text

    # Every try is in the access log, with the person it was about.
    done = transfers(session, AccessAction.TRANSFER)
    failed = transfers(session, AccessAction.TRANSFER_FAILED)
    assert len(done) == 2 and len(failed) == 2
    assert {entry.subject_id for entry in done + failed} == {buyer.id}
    assert all(entry.actor_role == "systeem" for entry in done + failed)


def test_the_partner_refuses_a_wrong_signature_and_nothing_goes_without_a_secret(
    app, paid_order, partner, session
):
    partner.secret = "een-ander-geheim-dan-dat-van-de-site"
    run(app)
    wait_for(partner, 1)
    assert not partner.received[0].signature_ok and partner.received[0].answered == 401
    alarm = to(session, PARTNER)
    assert alarm.status == DeliveryStatus.PENDING and "401" in alarm.last_error

    app.config["PARTNER_SECRETS"] = {}
    later(session)
    run(app)
    assert len(partner.received) == 1  # without its secret nothing is sent at all
    alarm = to(session, PARTNER)
    assert "PARTNER_SECRET_WAKKERWIJK_ALARMERING" in alarm.last_error

    app.config["PARTNER_SECRETS"] = {"PARTNER_SECRET_WAKKERWIJK_ALARMERING": "kort"}
    later(session)
    run(app)
    assert len(partner.received) == 1  # nor with a secret that could be guessed
    assert "te kort" in to(session, PARTNER).last_error

    partner.secret = SECRET
    app.config["PARTNER_SECRETS"] = {"PARTNER_SECRET_WAKKERWIJK_ALARMERING": SECRET}
    later(session)
    run(app)
    wait_for(partner, 2)
    assert partner.received[1].signature_ok
    assert to(session, PARTNER).status == DeliveryStatus.DELIVERED


def test_two_workers_never_deliver_the_same_message_twice(
    app, paid_order, partner, session, outbox
):
    before = len(outbox.messages())  # the order, its confirmation and hand-offs out of the way
    assert len(partner.received) == 1
    with app.app_context():
        for _ in range(10):
            partners.notify(session, user_id=paid_order.user_id, kind=NoticeKind.CORRECTION)
        session.commit()
    waiting = session.exec(
        select(PartnerDelivery).where(PartnerDelivery.status == DeliveryStatus.PENDING)
    ).all()
    assert len(waiting) == 20
    # Each request takes a while, so the two workers really overlap.
    partner.delay = 0.1
    start = threading.Barrier(2)
    reports: list[jobs.RunReport] = []
    problems: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                start.wait()
                reports.append(jobs.run_due(only=(delivery.KIND,)))
        except BaseException as error:  # noqa: BLE001 - reported below
            problems.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not problems, problems
    assert sum(report.done for report in reports) == 20
    assert sum(report.retried + report.failed for report in reports) == 0

    keys = [r.key for r in partner.received[1:]]
    assert len(keys) == 10 and len(set(keys)) == 10
    mails = outbox.messages()[before:]
    mail_keys = [m["Idempotency-Key"] for m in mails]
    assert len(mail_keys) == 10 and len(set(mail_keys)) == 10
    done = session.exec(select(PartnerDelivery)).all()
    assert len(done) == 22
    assert all(d.status == DeliveryStatus.DELIVERED and d.attempts == 1 for d in done)


def test_the_caregiver_hears_doorgegeven_only_after_it_arrived(
    app, client, paid_order, partner, session, outbox
):
    partner.plan = ["fail"]
    run(app)
    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert "we geven naam, adres, telefoonnummer door aan Wakkerwijk Alarmering" in page
    assert "doorgegeven aan Wakkerwijk" not in page
    # The e-mail partner has it already: only that one says so.
    assert "we hebben naam, adres, telefoonnummer doorgegeven aan Soepterrine" in page

    later(session)
    run(app)
    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert "we hebben naam, adres, telefoonnummer doorgegeven aan Wakkerwijk Alarmering" in page
    assert "we geven" not in page

    # Erasure: the e-mail goes out before the partners were told, so it promises, not reports.
    response = client.submit("/privacy/verwijderen", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    erased = [m for m in outbox.messages() if m["Subject"] == "Je account is verwijderd"]
    text = outbox.text(erased[-1])
    assert "vragen we die ook te verwijderen" in text and "hebben we gevraagd" not in text
    # The erasure notice still reaches the partner, without the person's data.
    later(session)
    run(app)
    wait_for(partner, 3)
    notice = partner.received[-1].body
    assert notice["onderwerp"] == "verwijdering" and notice["bestellingen"] == [paid_order.number]
    assert notice["gegevens"] == {}


def test_p21_personal_data_goes_to_a_partner_only_with_consent_and_each_transfer_is_logged(
    app, client, buyer, partner, session, outbox
):
    add(client, ALARM)
    add(client, MEALS)
    # Consent for Wakkerwijk only: the meals stay in the basket, Soepterrine gets nothing.
    response = checkout(client, partners=(PARTNER,))
    pay(response.headers["Location"], "paid")
    order = session.exec(select(Order)).one()

    # Before it is sent, the buyer withdraws the consent: nothing of the order goes out.
    client.submit(f"/privacy/intrekken/partner:{PARTNER}", page="/privacy")
    run(app)
    bodies = [r.body for r in partner.received]
    assert [b["soort"] for b in bodies] == ["bericht"]
    assert bodies[0]["onderwerp"] == "intrekking" and bodies[0]["gegevens"] == {}
    assert to(session, PARTNER).status == DeliveryStatus.CANCELLED
    assert not [m for m in outbox.messages() if MAIL_PARTNER in str(m["To"])]
    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert f"niets doorgegeven aan Wakkerwijk Alarmering voor bestelling {order.number}" in page

    # With consent (given again at a new checkout) the data goes, and the transfer is logged.
    add(client, ALARM)
    response = checkout(client, partners=(PARTNER,))
    pay(response.headers["Location"], "paid")
    run(app)
    wait_for(partner, 2)
    assert partner.received[-1].body["soort"] == "bestelling"
    assert set(partner.received[-1].body["gegevens"]) == {"name", "address", "phone"}
    [logged] = transfers(session, AccessAction.TRANSFER)[-1:]
    assert logged.subject_id == buyer.id
    assert "bestelgegevens van bestelling" in logged.what
    assert len(transfers(session, AccessAction.TRANSFER)) == 2  # the notice and the order


def test_after_72_hours_staff_are_told_and_can_try_again(
    app, paid_order, partner, session, outbox, staff
):
    partner.plan = ["fail", "fail"]
    run(app)
    later(session, hours=73)
    run(app)
    alarm = to(session, PARTNER)
    assert alarm.status == DeliveryStatus.FAILED and alarm.attempts == 2
    [alert] = [m for m in outbox.messages() if m["To"] == "info@zorggenoot.nl"]
    assert alert["Subject"] == "Niet afgeleverd bij Wakkerwijk Alarmering"
    assert "/staff/partners" in outbox.text(alert)

    page = staff.get("/staff/partners").get_data(as_text=True)
    assert "Mislukt (1)" in page and f"bestelling {paid_order.number}" in page
    assert f'action="/staff/partners/{alarm.id}/opnieuw"' in page

    response = staff.submit(f"/staff/partners/{alarm.id}/opnieuw", page="/staff/partners")
    assert response.status_code == 303
    assert to(session, PARTNER).status == DeliveryStatus.PENDING
    run(app)
    wait_for(partner, 3)
    assert {r.key for r in partner.received} == {alarm.key}
    assert to(session, PARTNER).status == DeliveryStatus.DELIVERED
    page = staff.get("/staff/partners").get_data(as_text=True)
    assert "Mislukt (1)" not in page
    retried = session.exec(
        select(AccessEntry).where(AccessEntry.action == AccessAction.CHANGE)
    ).all()
    assert [e.subject_id for e in retried] == [paid_order.user_id]

    # Retrying what did not fail sends nothing again.
    again = staff.submit(f"/staff/partners/{alarm.id}/opnieuw", page="/staff/partners")
    assert again.status_code == 303
    run(app)
    assert len(partner.received) == 3


def test_the_staff_page_is_for_staff_and_bad_ids_are_not_found(
    app, client, buyer, paid_order, staff
):
    assert client.get("/staff/partners").status_code == 403
    assert client.post("/staff/partners/1/opnieuw").status_code in (400, 403)
    assert staff.get("/staff/partners").status_code == 200
    for bad in ("999999", "abc", "99999999999", "-1", "1.5", "%D9%A3"):
        response = staff.submit(f"/staff/partners/{bad}/opnieuw", page="/staff/partners")
        assert response.status_code == 404, bad
    assert staff.post("/staff/partners/1/opnieuw").status_code == 400  # no CSRF token


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "vul 'delivery_endpoint'"),
        (
            {"delivery_email": "a@b.example", "delivery_endpoint": "https://b.example/x"},
            "niet allebei",
        ),
        ({"delivery_endpoint": "http://partner.example/x"}, "geen https-adres"),
        ({"delivery_email": "geen adres"}, "geen geldig e-mailadres"),
    ],
)
def test_the_content_check_says_in_dutch_how_a_partner_must_receive(
    content_dir, tmp_path, database_url, fields, message, sandbox
):
    path = content_dir / "winkel" / "partners" / f"{PARTNER}.md"
    text = re.sub(r"^delivery_(endpoint|email): .*\n", "", path.read_text(), flags=re.M)
    extra = "".join(f'{key}: "{value}"\n' for key, value in fields.items())
    path.write_text(text.replace("\n---\n", f"\n{extra}---\n", 1), encoding="utf-8")
    app = build_app(tmp_path, database_url, CONTENT_DIR=str(content_dir))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    app.extensions["db_engine"].dispose()
    assert result.exit_code != 0
    assert f"winkel/partners/{PARTNER}.md" in result.output and message in result.output
