"""Payment and refund rows, and their statuses as Mollie names them.

The tables keep their first names (`shop_payment`, `shop_refund`) and the column `order_id`:
it holds the id of the payable (see `payables.py`), which is an order of the shop. Which person
a payment belongs to is known only through that order, so the shop registers these tables with
the privacy centre, next to its orders.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow
from app.enums import EnumString, LabelledEnum


class PaymentStatus(LabelledEnum):
    """A payment's status at Mollie. Open, pending and authorized may still change; the others
    are final. Refunds do not change it: a refunded payment stays paid."""

    OPEN = "open", "open"
    PENDING = "pending", "in behandeling bij de bank"
    AUTHORIZED = "authorized", "goedgekeurd, nog niet afgeschreven"
    PAID = "paid", "betaald"
    FAILED = "failed", "mislukt"
    CANCELED = "canceled", "geannuleerd"
    EXPIRED = "expired", "verlopen"

    @property
    def is_open(self) -> bool:
        """Mollie may still change it (the customer or the bank is busy)."""
        return self in (PaymentStatus.OPEN, PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)

    @property
    def ended_unpaid(self) -> bool:
        """Final, and no money moved."""
        return self in (PaymentStatus.FAILED, PaymentStatus.CANCELED, PaymentStatus.EXPIRED)


class RefundStatus(LabelledEnum):
    """A refund's status at Mollie. A failed or canceled refund moved no money."""

    QUEUED = "queued", "in de wachtrij"
    PENDING = "pending", "aangevraagd"
    PROCESSING = "processing", "wordt uitgevoerd"
    REFUNDED = "refunded", "terugbetaald"
    FAILED = "failed", "mislukt"
    CANCELED = "canceled", "geannuleerd"

    @property
    def is_final(self) -> bool:
        """It never changes again."""
        return not self.unsettled

    @property
    def unsettled(self) -> bool:
        """It may still change (so it is worth asking Mollie)."""
        return self in (RefundStatus.QUEUED, RefundStatus.PENDING, RefundStatus.PROCESSING)

    @property
    def moved_money(self) -> bool:
        """It counts in the refunded total (it did not fail and was not canceled)."""
        return self not in (RefundStatus.FAILED, RefundStatus.CANCELED)


class PaymentRow(SQLModel, table=True):
    __tablename__ = "shop_payment"

    id: int | None = Field(default=None, primary_key=True)
    # The payable's id (an order: the table is named here only for the foreign key).
    order_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("shop_order.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    mollie_id: str = Field(max_length=40, unique=True)
    attempt: int
    status: PaymentStatus = Field(sa_type=EnumString(PaymentStatus, 20))
    amount_cents: int
    method: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # When the site last asked Mollie about this payment for a page (claimed before asking).
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A paid payment that the payable did not need (it was already paid): when that was found,
    # and the Mollie refund that gave the money back.
    surplus_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    surplus_refund_id: str | None = Field(default=None, max_length=40)

    @property
    def is_surplus(self) -> bool:
        return self.surplus_at is not None


class RefundRow(SQLModel, table=True):
    __tablename__ = "shop_refund"

    id: int | None = Field(default=None, primary_key=True)
    # The payable's id, as on PaymentRow.
    order_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("shop_order.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    mollie_refund_id: str = Field(max_length=40, unique=True)
    amount_cents: int
    status: RefundStatus = Field(sa_type=EnumString(RefundStatus, 20))
    reason: str = Field(default="", max_length=200)
    staff_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
