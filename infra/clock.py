"""The one clock of the application, so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")  # Indochina Time; Vietnam keeps no daylight saving


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """The date in Vietnam, whatever the server's time zone (a birth recorded at 06:00 is today's)."""
    return datetime.now(VIETNAM).date()
