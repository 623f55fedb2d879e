"""Which days are working days in Vietnam, and the n-th working day after a day.

A day is a working day from Monday to Friday unless it is a statutory public holiday (the ``holidays``
package's VN calendar: New Year, Tết by the lunar calendar, the Hùng Kings, 30 April, 1 May, 2
September and their observed days) — and the government's decisions of the year, kept in
``calendar_days``, come first: an extra day off, or a Saturday worked in exchange for a bridged day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.workdays.models import CalendarDay

MAX_STEPS = 400  # a working day is never that far away: a corrupt calendar must not loop for ever


@lru_cache(maxsize=64)
def statutory(year: int) -> Mapping[date, str]:
    """Vietnam's statutory public holidays of ``year`` with their Vietnamese names (the package's data,
    cached per year)."""
    return dict(holidays.country_holidays("VN", years=year, language="vi"))


@dataclass(frozen=True)
class WorkingCalendar:
    """The statutory holidays with ``decided`` (day -> "off" or "working") on top."""

    decided: Mapping[date, str] = field(default_factory=dict)

    def is_working(self, day: date) -> bool:
        kind = self.decided.get(day)
        if kind is not None:
            return kind == "working"
        return day.weekday() < 5 and day not in statutory(day.year)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day``."""
        steps = 0
        while n > 0:
            day += timedelta(days=1)
            steps += 1
            if steps > MAX_STEPS:
                raise ValueError("no working day within a year: the calendar is wrong")
            if self.is_working(day):
                n -= 1
        return day

    def working_days_before(self, day: date, n: int) -> date:
        """The ``n``-th working day before ``day`` (a reminder ``n`` working days ahead of a due date)."""
        steps = 0
        while n > 0:
            day -= timedelta(days=1)
            steps += 1
            if steps > MAX_STEPS:
                raise ValueError("no working day within a year: the calendar is wrong")
            if self.is_working(day):
                n -= 1
        return day

    def days_off(self, year: int) -> list[tuple[date, str, str | None]]:
        """The year's days off that are not weekends, and its worked weekend days: (day, name, kind)."""
        out: dict[date, tuple[date, str, str | None]] = {
            d: (d, name, None) for d, name in statutory(year).items()
        }
        for d, kind in self.decided.items():
            if d.year == year:
                out[d] = (d, out.get(d, (d, "", None))[1], kind)
        return [out[d] for d in sorted(out)]


def load(session: Session) -> WorkingCalendar:
    """The calendar as the database holds it now (a few rows a year)."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind))
    return WorkingCalendar({day: kind for day, kind in rows})
