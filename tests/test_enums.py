"""Statuses are enums with a Dutch label per member; the database keeps the plain strings it
kept before, and refuses any other."""

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app import db
from app.jobs import service as jobs
from app.jobs.models import Job, JobStatus
from app.payments.models import PaymentStatus, RefundStatus
from app.privacy import requests
from app.privacy.forms import RecordRequestForm
from app.privacy.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from app.shop.models import Handoff, HandoffStatus, NoticeKind, Order, OrderStatus, PartnerNotice


def test_a_status_is_stored_as_its_string_and_read_back_as_its_member(session):
    order = Order(checkout_token="een-formulier", total_cents=1000, status=OrderStatus.PAID)
    session.add(order)
    session.commit()
    session.add(Handoff(order_id=db.id_of(order), partner_slug="p", fields="", payload="{}"))
    session.commit()
    stored = session.execute(sa.text("SELECT status FROM shop_order")).scalar_one()
    assert type(stored) is str and stored == "paid"
    assert session.execute(sa.text("SELECT status FROM shop_handoff")).scalar_one() == "klaar"
    read = session.get(Order, order.id)
    assert read.status is OrderStatus.PAID and read.status.label == "betaald"
    assert read.status == "paid"  # as the raw string was, in templates and other features


def test_a_value_that_is_not_a_status_is_refused(session):
    not_a_status: Any = "betaald"  # what the types forbid, as a bug could still pass it
    session.add(Order(checkout_token="een-formulier", total_cents=1000, status=not_a_status))
    with pytest.raises(sa.exc.StatementError, match="not a valid OrderStatus"):
        session.commit()
    session.rollback()


def test_the_statuses_are_mollies_and_ours_each_with_a_dutch_label():
    assert {s.value for s in PaymentStatus} == {
        "open",
        "pending",
        "authorized",
        "paid",
        "failed",
        "canceled",
        "expired",
    }
    assert {s.value for s in RefundStatus} == {
        "queued",
        "pending",
        "processing",
        "refunded",
        "failed",
        "canceled",
    }
    assert {s.value for s in OrderStatus} == {"pending", "paid", "failed", "canceled", "expired"}
    assert {s.value for s in HandoffStatus} == {"klaar", "tegengehouden"}
    for enum in (PaymentStatus, RefundStatus, OrderStatus, HandoffStatus):
        labels = [member.label for member in enum]
        assert all(labels) and len(set(labels)) == len(labels), enum
    assert [s for s in PaymentStatus if s.is_open] == ["open", "pending", "authorized"]
    assert [s for s in RefundStatus if not s.moved_money] == ["failed", "canceled"]
    assert [s for s in RefundStatus if s.unsettled] == ["queued", "pending", "processing"]
    assert PaymentStatus.parse("refunded") is None and RefundStatus.parse("refunded")


def test_kinds_channels_and_statuses_keep_the_strings_stored_before():
    assert {k.value for k in RequestKind} == {
        "inzage",
        "download",
        "correctie",
        "verwijdering",
        "beperking",
        "opheffing",
        "bezwaar",
        "intrekking",
        "overig",
    }
    assert {c.value for c in RequestChannel} == {
        "zelf",
        "telefoon",
        "email",
        "post",
        "bewaartermijn",
        "herstel",
    }
    assert {s.value for s in JobStatus} == {"pending", "failed"}
    assert {k.value for k in NoticeKind} == {
        "correctie",
        "verwijdering",
        "beperking",
        "opheffing",
        "intrekking",
    }
    for enum in (RequestKind, RequestChannel, RequestStatus, JobStatus, NoticeKind):
        labels = [member.label for member in enum]
        assert all(labels) and len(set(labels)) == len(labels), enum
    assert RequestKind.ACCESS.label == "Inzage in gegevens (art. 15 AVG)"
    assert [c for c in RequestChannel if c.by_staff] == ["telefoon", "email", "post"]


def test_a_privacy_request_stores_plain_strings_and_reads_back_members(app, session, make_user):
    user = make_user()
    with app.app_context():
        from app import db

        s = db.session()
        # A feature that does not import the privacy centre passes the value (the signal).
        row = requests.open_request(s, user_id=user.id, kind="correctie", channel="telefoon")
        s.commit()
        row_id = row.id
        with pytest.raises(ValueError, match="unknown request kind"):
            requests.open_request(s, user_id=user.id, kind="hacken")
        with pytest.raises(ValueError, match="unknown request kind"):
            requests.open_request(s, user_id=user.id, kind=RequestKind.OTHER, channel="fax")
    stored = session.execute(sa.text("SELECT kind, channel FROM privacy_request")).one()
    assert tuple(stored) == ("correctie", "telefoon") and type(stored[0]) is str
    read = session.get(PrivacyRequest, row_id)
    assert read.kind is RequestKind.CORRECTION and read.channel is RequestChannel.PHONE
    assert read.status is RequestStatus.UNVERIFIED


def test_a_request_status_follows_from_its_dates():
    row = PrivacyRequest(kind=RequestKind.ACCESS, due_at=datetime.now(UTC))
    assert row.status is RequestStatus.UNVERIFIED and row.status.label == "nog niet bevestigd"
    row.verified_at = datetime.now(UTC)
    assert row.status is RequestStatus.VERIFIED
    row.completed_at = datetime.now(UTC)
    assert row.status is RequestStatus.DONE


def test_a_value_that_is_not_a_kind_or_status_is_refused_by_the_database(session):
    # What the types forbid, as a bug could still pass it.
    hacken: Any = "hacken"
    vergeten: Any = "vergeten"
    klaar: Any = "klaar"
    session.add(PrivacyRequest(kind=hacken, due_at=datetime.now(UTC)))
    with pytest.raises(sa.exc.StatementError, match="not a valid RequestKind"):
        session.commit()
    session.rollback()
    session.add(PartnerNotice(partner_slug="p", kind=vergeten, order_numbers=""))
    with pytest.raises(sa.exc.StatementError, match="not a valid NoticeKind"):
        session.commit()
    session.rollback()
    session.add(Job(kind="mail", payload="{}", status=klaar))
    with pytest.raises(sa.exc.StatementError, match="not a valid JobStatus"):
        session.commit()


def test_a_job_is_stored_as_pending_and_counted_by_its_plain_status(session):
    session.add(Job(kind="mail", payload="{}"))
    session.commit()
    assert session.execute(sa.text("SELECT status FROM job_queue")).scalar_one() == "pending"
    assert session.exec(select(Job)).one().status is JobStatus.PENDING
    assert jobs.counts(session) == {"mail pending": 1}


def test_staff_record_only_the_kinds_and_channels_that_exist(app):
    with app.test_request_context():
        form = RecordRequestForm(meta={"csrf": False})
    assert [c.value for c in form.kind.choices] == [k.value for k in RequestKind]
    assert [c.label for c in form.channel.choices] == ["telefonisch", "per e-mail", "per post"]
