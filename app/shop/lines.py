"""Order lines, and the ones that reveal health.

An order of incontinence material or a medical aid tells something about someone's health; the
EU Court of Justice treats such order data as health data (Lindenapotheke, C-21/23, 2024). The
line of such a product (`reveals_health` in the catalogue) is stored with the generic title
`GENERIC_HEALTH_TITLE` and no product slug; its real title and slug are sealed in `sealed` with
a data key of the order's own (`crypto.seal`, kept apart from the database). Amounts, quantity
and BTW rate stay plain: the fiscal record needs them. Erasing the account empties `sealed` (it
is in the category's `anonymise`) and destroys the key, so the fiscal record keeps only
"hulpmiddel" with its amounts and rate, and no earlier copy (a backup) can say more.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from app import crypto
from app.shop.catalogue import Product
from app.shop.models import GENERIC_HEALTH_TITLE, OrderLine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShownLine:
    """An order line as the customer, the invoice and staff read it (decrypted)."""

    id: int | None
    order_id: int
    product_slug: str | None
    partner_slug: str
    title: str
    quantity: int
    unit_price_cents: int
    vat_rate: int
    line_total_cents: int
    reveals_health: bool


def sealed_as(order_id: int) -> str:
    """The data key that seals the health-revealing lines of one order."""
    return crypto.subject(OrderLine.__tablename__, order_id)


def new_line(*, order_id: int, product: Product, quantity: int, total_cents: int) -> OrderLine:
    """The stored line of `quantity` of `product`: sealed when the product reveals health."""
    sealed = None
    title: str = product.title
    slug: str | None = product.slug
    if product.reveals_health:
        sealed = crypto.seal(
            sealed_as(order_id),
            json.dumps({"title": title, "product_slug": slug}, ensure_ascii=False),
        )
        title, slug = GENERIC_HEALTH_TITLE, None
    return OrderLine(
        order_id=order_id,
        product_slug=slug,
        partner_slug=product.partner.slug,
        title=title,
        sealed=sealed,
        quantity=quantity,
        unit_price_cents=product.price_cents,
        vat_rate=product.fields.vat_rate,
        line_total_cents=total_cents,
    )


def unsealed(sealed: str | None, order_id: int) -> dict[str, str | None]:
    """The title and product slug kept in `sealed` ({} when there is nothing sealed, as after
    an erasure). Raises crypto.DecryptionError when no key fits."""
    if not sealed:
        return {}
    data = json.loads(crypto.unseal(sealed_as(order_id), sealed))
    return {"title": data.get("title"), "product_slug": data.get("product_slug")}


def shown(line: OrderLine) -> ShownLine:
    try:
        opened = unsealed(line.sealed, line.order_id)
    except crypto.DecryptionError:
        # The order's key is not in this process's key store (a misconfigured KEY_STORE_URL, a
        # lost store): the order still shows, with the generic title it is stored with.
        log.error("order line %s: its sealed title cannot be read", line.id)
        opened = {}
    return ShownLine(
        id=line.id,
        order_id=line.order_id,
        product_slug=opened.get("product_slug") or line.product_slug,
        partner_slug=line.partner_slug,
        title=opened.get("title") or line.title,
        quantity=line.quantity,
        unit_price_cents=line.unit_price_cents,
        vat_rate=line.vat_rate,
        line_total_cents=line.line_total_cents,
        reveals_health=line.sealed is not None,
    )


def fiscal_description(lines: Sequence[OrderLine]) -> str:
    """What the fiscal record says was sold, as stored: a product that reveals health only as
    "hulpmiddel", never decrypted ("1× hulpmiddel (21% btw); 2× Soepenpakket (9% btw)")."""
    return "; ".join(f"{line.quantity}× {line.title} ({line.vat_rate}% btw)" for line in lines)


def present_row(row: dict) -> dict:
    """A stored row for its owner's access page and download: the sealed title and slug read,
    in place of the encrypted value a note that it is stored encrypted."""
    opened = unsealed(row.get("sealed"), row["order_id"])
    if not opened:
        return {**row, "sealed": None}
    return {
        **row,
        "title": opened.get("title"),
        "product_slug": opened.get("product_slug"),
        "sealed": "ja: de naam van dit product bewaren we versleuteld",
    }
