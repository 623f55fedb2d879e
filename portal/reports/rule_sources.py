"""What validation rules compare a report with, besides its own cells: counts the portal holds for the
unit and period (the case register), and the unit's own approved past reports.

Counts only leave the database: the case register is read through the SECURITY DEFINER function
``case_stats`` (migration 0007), which refuses a unit outside the caller's scope and returns counts,
never a case. Past reports are read from :func:`portal.reports.access.reports_for` (the caller's scope;
row-level security agrees).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.reports.access import reports_for
from portal.reports.models import Figures, Report
from tenancy.models import Unit


def _cases_received(session: Session, unit: Unit, start: date, end: date) -> int:
    """Cases received in [start, end] in the unit's subtree (every case type: Law on Children, Art. 4)."""
    stats = func.case_stats(unit.path, start, end).table_valued("dimension", "key", "n")
    total = session.execute(select(stats.c.n).where(stats.c.dimension == "total")).scalar()
    return int(total or 0)


RecordCount = Callable[[Session, Unit, date, date], int]
RECORDS: dict[str, RecordCount] = {"cases_received": _cases_received}
"""The portal's own counts a ``records`` rule may name, each for a unit's subtree and a period."""

RECORD_NAMES = {
    "cases_received": (
        "Vụ việc tiếp nhận trong kỳ (sổ quản lý trường hợp)",
        "Cases received in the period (case register)",
    ),
}


def record_count(session: Session, name: str, unit: Unit, start: date, end: date) -> int:
    return RECORDS[name](session, unit, start, end)


def cells_sum(figures: Figures, terms: list[str]) -> int | None:
    """The sum of ``terms`` in ``figures``; None when one of them is absent (an older report)."""
    total = 0
    for term in terms:
        code, cell = term.split(".", 1)
        value = figures.get(code, {}).get(cell)
        if value is None:
            return None
        total += int(value)
    return total


@dataclass(frozen=True)
class Past:
    period: str
    value: int


def history(session: Session, caller: Caller, report: Report, terms: list[str], periods: int) -> list[Past]:
    """The sum of ``terms`` in the unit's last ``periods`` approved reports of the same definition before
    this one, oldest first; a past report that lacks one of the cells is left out."""
    stmt = (
        reports_for(caller)
        .where(
            Report.definition_id == report.definition_id,
            Report.unit_id == report.unit_id,
            Report.status == "approved",
            Report.period_end < report.period_start,
        )
        .order_by(Report.period_end.desc())
        .limit(periods)
    )
    out = []
    for past in session.scalars(stmt):
        value = cells_sum(past.figures, terms)
        if value is not None:
            out.append(Past(past.period, value))
    return out[::-1]
