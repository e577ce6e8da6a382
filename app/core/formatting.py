"""Dutch formatting for templates: dates, amounts and counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    """Today's date in the Netherlands (publication dates are Dutch calendar dates)."""
    return datetime.now(AMSTERDAM).date()


def dutch_date(value: date | datetime | None) -> str:
    """14 september 2026 (aware datetimes are shown in Dutch local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(AMSTERDAM)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def dutch_datetime(value: datetime | None) -> str:
    """14 september 2026 om 09:05 (Dutch local time)."""
    if value is None:
        return ""
    local = value.astimezone(AMSTERDAM) if value.tzinfo else value
    return f"{dutch_date(local)} om {local:%H:%M}"


def file_size(size: int) -> str:
    """812 -> '812 bytes', 48213 -> '47 kB', 3500000 -> '3,3 MB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} kB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def euro(cents: int) -> str:
    """1234 -> '€ 12,34' (integer cents in, Dutch notation out)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    grouped = f"{whole:,}".replace(",", ".")
    return f"{sign}€\u00a0{grouped},{rest:02d}"
