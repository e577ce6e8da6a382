"""The basket while an order placed from it waits for payment.

At checkout the ordered products leave the basket (so the same things are not ordered twice
while the payment is under way) and the order's number is remembered with the basket. When
that order is paid, the number is forgotten. When its payment fails, is canceled or expires,
the products come back in the basket by themselves: the basket is kept until paid, and trying
again is just "Bestellen" once more. No payment is ever made for the ended order itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from app.shop import service
from app.shop.models import OrderStatus

# How many unpaid orders a basket remembers; older ones can still be put back from the order
# page ("Opnieuw betalen").
REMEMBERED = 5


@dataclass
class Settled:
    """A basket after its waiting orders were looked at."""

    cart: dict[str, int]
    waiting: list[str]
    returned: list[str] = field(default_factory=list)  # numbers whose products came back
    missing: list[str] = field(default_factory=list)  # titles that could not come back


def remember(waiting: list[str] | None, number: str) -> list[str]:
    """The waiting numbers with `number` added (newest last, at most REMEMBERED)."""
    numbers = [n for n in (waiting or []) if isinstance(n, str) and n != number]
    return [*numbers, number][-REMEMBERED:]


def settle(session: Session, *, cart: dict[str, int], waiting: list, user_id: int) -> Settled:
    """Look at the orders this basket waits for: a paid one is forgotten; one that ended unpaid
    puts its products back in the basket (as `service.reorder`: at least as many as ordered)
    and is forgotten; one still waiting stays. Numbers that are not this account's orders are
    dropped. Reads only; the caller stores the basket."""
    result = Settled(cart=dict(cart), waiting=[])
    for number in waiting if isinstance(waiting, list) else []:
        if not isinstance(number, str):
            continue
        order = service.order_for(session, number=number, user_id=user_id)
        if order is None or order.status == OrderStatus.PAID:
            continue
        if order.status == OrderStatus.PENDING:
            result.waiting.append(number)
            continue
        result.cart, missing = service.reorder(
            result.cart, order, service.order_lines(session, order)
        )
        result.returned.append(number)
        result.missing.extend(missing)
    return result
