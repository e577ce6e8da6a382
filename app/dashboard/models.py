"""The published figures: only what the nightly aggregation wrote, after suppression."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

TOTAL = "_totaal"


class PublishedSeries(SQLModel, table=True):
    """One table on /cijfers: its title, explanation, unit and categories (JSON)."""

    __tablename__ = "dashboard_series"

    key: str = Field(primary_key=True, max_length=60)
    title: str = Field(max_length=160)
    description: str = Field(sa_type=sa.Text)
    unit: str = Field(max_length=60)
    categories: str = Field(sa_type=sa.Text)
    position: int = Field(default=100)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PublishedCell(SQLModel, table=True):
    """One published number (rounded to 5), or none with the mark that says why ("< 10",
    "x"). `category` is `TOTAL` for the row's total."""

    __tablename__ = "dashboard_cell"

    series: str = Field(primary_key=True, max_length=60)
    month: date = Field(primary_key=True)
    category: str = Field(primary_key=True, max_length=60)
    value: int | None = Field(default=None)
    mark: str = Field(default="", max_length=8)
