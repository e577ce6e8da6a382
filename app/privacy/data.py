"""Finding everything held about one person, from the registry alone.

A category's rows belong to a person through its subject column (`user_id`), or through a parent
table (order lines through their order). The access page, the export and the erasure all select
rows here, so they cannot disagree about what is someone's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.core.personal_data import Category, categories, category_for, present


def table(category: Category) -> sa.Table:
    return SQLModel.metadata.tables[category.table]


def owned(category: Category, user_id: int) -> sa.ColumnElement[bool]:
    """The WHERE clause that selects this person's rows of `category`."""
    t = table(category)
    if category.parent is None:
        return t.c[category.subject_column] == user_id
    column, parent_name = category.parent
    parent = category_for(parent_name)
    if parent is None:
        raise LookupError(f"{category.table}: parent {parent_name} is not registered")
    parent_table = table(parent)
    ids = sa.select(parent_table.c.id).where(owned(parent, user_id))
    return t.c[column].in_(ids)


def shown(category: Category, user_id: int) -> sa.ColumnElement[bool]:
    """The WHERE clause that selects this person's rows of `category` that they may see: not
    those a law forbids telling them about (`Category.withheld`)."""
    where = owned(category, user_id)
    if category.withheld is None:
        return where
    return sa.and_(where, sa.not_(table(category).c[category.withheld]))


def rows_of(session: Session, category: Category, user_id: int) -> list[dict]:
    """This person's rows of `category` that they may see, as stored, hidden columns left
    out."""
    t = table(category)
    order = [t.c[c] for c in ("id",) if c in t.c] or list(t.primary_key.columns)
    result = session.connection().execute(
        sa.select(t).where(shown(category, user_id)).order_by(*order)
    )
    visible = list(category.visible_fields)
    return [{k: row._mapping[k] for k in visible} for row in result]


@dataclass
class Section:
    """One category with this person's rows, ready for the access page and the export."""

    category: Category
    rows: list[dict]

    @property
    def fields(self) -> dict[str, str]:
        return self.category.visible_fields


def collect(session: Session, user_id: int) -> list[Section]:
    """Everything held about the person, category by category, in registry order."""
    return [
        Section(
            category, [present(category.table, row) for row in rows_of(session, category, user_id)]
        )
        for category in categories()
    ]


def plain(value: object) -> object:
    """A value as JSON can hold it (dates as ISO 8601)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
