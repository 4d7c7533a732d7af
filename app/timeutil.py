"""Server time is Python's clock, never the database's, so that tests can move time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# The platform serves Chinese centers: the API writes datetimes in Beijing time (UTC+08:00), as the
# contract's examples do (2026-12-01T09:00:00+08:00); stored values stay UTC.
CHINA = timezone(timedelta(hours=8))


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, in Beijing time, full precision (a deadline cut to milliseconds would
    read earlier than the one enforced)."""
    return value.astimezone(CHINA).isoformat() if value else None


def beijing(value: datetime | None) -> str:
    """The one date-time format every page shows: Beijing time to the minute (2026-12-01 09:00)."""
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if value else ""


def beijing_today() -> date:
    """Today's calendar date in Beijing, whatever the server's time zone (a UTC server between
    16:00 and 24:00 is already on Beijing's next day): every "today" of the platform's rules."""
    return utcnow().astimezone(CHINA).date()
