"""Statuses are enums with a Dutch label per member; the database keeps the plain strings it
kept before, and refuses any other."""

from typing import Any

import pytest
import sqlalchemy as sa

from app import db
from app.payments.models import PaymentStatus, RefundStatus
from app.shop.models import Handoff, HandoffStatus, Order, OrderStatus


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
