"""Column helpers shared by the domain models."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import DateTime
from sqlalchemy.orm import mapped_column

VN = timezone(timedelta(hours=7), "ICT")  # Vietnam has no daylight saving time


def utcnow() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


def created_column():
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def updated_column():
    return mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored instant as aware UTC (SQLite hands back naive UTC values)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def today_vn():
    """Today's date in Vietnam (deadlines and consultation windows are Vietnamese days)."""
    return datetime.now(VN).date()
