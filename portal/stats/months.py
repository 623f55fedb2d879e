"""Calendar months as the statistics use them: a month is named by its first day, read at its last."""

from __future__ import annotations

from datetime import date, timedelta


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def add_months(d: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, when negative) the month of ``d``."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
