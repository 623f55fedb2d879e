"""Reporting periods: ``2026-10`` (month), ``2026-Q3`` (quarter), ``2026-H2`` (half year), ``2026`` (year)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

PATTERNS = {
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "half": re.compile(r"^(\d{4})-H([12])$"),
    "year": re.compile(r"^(\d{4})$"),
}
MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
EXAMPLES = {"month": "2026-10", "quarter": "2026-Q3", "half": "2026-H2", "year": "2026"}


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _make(period_type: str, year: int, first_month: int) -> Period:
    span = MONTHS[period_type]
    start = _month_start(year, first_month)
    end = _month_start(year, first_month + span) - timedelta(days=1)
    index = (first_month - 1) // span + 1
    key = {
        "month": f"{year:04d}-{first_month:02d}",
        "quarter": f"{year:04d}-Q{index}",
        "half": f"{year:04d}-H{index}",
        "year": f"{year:04d}",
    }[period_type]
    return Period(key, start, end)


def parse(period_type: str, key: str) -> Period | None:
    """The period named by ``key``, or None when it is not a period of this type."""
    found = PATTERNS[period_type].match(key)
    if found is None:
        return None
    year = int(found.group(1))
    if not 2000 <= year <= 2100:
        return None
    index = int(found.group(2)) if found.lastindex and found.lastindex > 1 else 1
    return _make(period_type, year, (index - 1) * MONTHS[period_type] + 1)


def containing(period_type: str, day: date) -> Period:
    span = MONTHS[period_type]
    return _make(period_type, day.year, (day.month - 1) // span * span + 1)


def previous(period_type: str, period: Period, count: int) -> list[Period]:
    """``count`` periods ending with ``period``, oldest first."""
    out = [period]
    while len(out) < count:
        out.append(containing(period_type, out[-1].start - timedelta(days=1)))
    return out[::-1]
