"""What the shop gives to search: every product and service that is for sale."""

from __future__ import annotations

from app.content import store as content
from app.search.engine import SearchDocument
from app.shop import service


def documents() -> list[SearchDocument]:
    return [
        SearchDocument(
            kind="product",
            slug=p.slug,
            url=f"/winkel/{p.slug}",
            title=p.title,
            summary=p.fields.summary,
            body=p.text + " " + p.partner.name,
            tags=tuple(p.fields.tags),
        )
        for p in service.catalogue().for_sale()
    ]


def version() -> int:
    return content.store().version()
