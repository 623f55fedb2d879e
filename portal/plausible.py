"""Plausible dates by meaning: what the portal records and counts lies between 2000 and next year.

The input boundary (portal.boundary) already keeps every date within 1900-2100; these are the narrower
ranges of the domain, answered as field errors by the services that own each date.
"""

from __future__ import annotations

from datetime import date

from infra.clock import today
from infra.errors import FieldError

EARLIEST_BIRTH = date(1900, 1, 1)
EARLIEST_RECORD = date(2000, 1, 1)
"""Nothing the portal records (a case received, a training, a report period) happened before 2000."""


def last_day() -> date:
    """The end of next year: the furthest a period, a statistic or a plan may reach."""
    return date(today().year + 1, 12, 31)


def period_day(field: str, value: date | None) -> list[FieldError]:
    """A day that bounds a period counted or reported on (``from``, ``to``, ``as_of``, a period's start)."""
    if value is None or EARLIEST_RECORD <= value <= last_day():
        return []
    return [
        FieldError(
            field, f"must be from {EARLIEST_RECORD.isoformat()} to {last_day().isoformat()}", "out_of_range"
        )
    ]


def period_year(field: str, value: int | None) -> list[FieldError]:
    """A year reported on or trained in."""
    if value is None or EARLIEST_RECORD.year <= value <= last_day().year:
        return []
    return [FieldError(field, f"must be from {EARLIEST_RECORD.year} to {last_day().year}", "out_of_range")]
