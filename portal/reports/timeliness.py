"""Reporting rates, as DHIS2 counts them: for one report, period and part of the tree, how many reports
were expected from each level, how many were received (submitted or approved), and how many of those
arrived by their due date (``portal.reports.due``: working days after the period's end, per level, on
Vietnam's working calendar).

A unit is expected when it was in force on the period's last day (the tree of that day, so a hamlet
merged since still counts where it was). A report counts as received while it is with the level above
(submitted or approved); a report sent back is not received until it is submitted again. It is on time
when it was first submitted, in Vietnam's time, no later than its due date. The rates are about reports,
not children: every role that reads reports of an area reads them (Casbin ``report, read``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import VIETNAM, today
from infra.errors import NotVisible
from portal.reports.access import visible_clause
from portal.reports.due import all_due_days, due_on, levels_of
from portal.reports.figures import DEPTH
from portal.reports.models import Report, ReportDefinition, ReportEvent
from portal.reports.periods import Period
from portal.workdays.calendar import load
from tenancy.models import Unit
from tenancy.structure import children_on, moved_since, path_on, units_at_level_on

RECEIVED = ("submitted", "approved")
# what became of one expected report, worst first (the order of the list of units to follow up)
STATES = ("missing", "late", "pending", "on_time")


@dataclass
class Counts:
    """Reports expected, received and received on time; ``late``, ``missing`` and ``pending`` (not yet
    due) split the rest."""

    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    def add(self, state: str) -> None:
        self.expected += 1
        if state in ("on_time", "late"):
            self.received += 1
        setattr(self, state, getattr(self, state) + 1)

    @property
    def completeness(self) -> float | None:
        """Received of expected, in percent (None when nothing was expected)."""
        return round(100 * self.received / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        """Received on time of expected, in percent (None when nothing was expected)."""
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def as_json(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "pending": self.pending,
            "completeness_pct": self.completeness,
            "timeliness_pct": self.timeliness,
        }


@dataclass(frozen=True)
class Expected:
    """One expected report: the unit, its level, its due date, what became of it."""

    unit: Unit
    level: str
    due: date
    state: str
    submitted_on: date | None
    status: str | None


@dataclass
class Rates:
    """The rates of one report and period under ``unit``: per level, per sub-unit and level, and the
    expected reports themselves (to follow up the missing and the late)."""

    definition: ReportDefinition
    period: Period
    unit: Unit
    due: dict[str, date]
    levels: dict[str, Counts] = field(default_factory=dict)
    rows: list[tuple[Unit, dict[str, Counts]]] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)

    def outstanding(self) -> list[Expected]:
        """The reports that are missing, late or not yet in, worst first, then by unit."""
        return sorted(
            (e for e in self.expected if e.state != "on_time"),
            key=lambda e: (STATES.index(e.state), DEPTH[e.level], e.unit.path),
        )


def first_submissions(session: Session, report_ids: Iterable[int]) -> dict[int, datetime]:
    """Each report's first submission (the moment its unit first sent it up), by report id."""
    ids = list(report_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ReportEvent.report_id, func.min(ReportEvent.at))
        .where(ReportEvent.report_id.in_(ids), ReportEvent.action == "submit")
        .group_by(ReportEvent.report_id)
    ).tuples()
    return dict(rows.all())


def state_of(status: str | None, first_submit: datetime | None, due: date, on: date) -> str:
    """``on_time``, ``late``, ``missing`` (due, not received) or ``pending`` (not received, not yet due)."""
    if status in RECEIVED and first_submit is not None:
        return "on_time" if first_submit.astimezone(VIETNAM).date() <= due else "late"
    return "missing" if on > due else "pending"


def due_dates(session: Session, definition: ReportDefinition, period: Period) -> dict[str, date]:
    """The due date of each level that makes ``definition``, for ``period``."""
    calendar = load(session)
    days = all_due_days(session)
    return {
        level: due_on(calendar, period.end, days[(definition.id, level)])
        for level in levels_of(definition.lowest_level)
        if (definition.id, level) in days
    }


def reporting_rates(
    session: Session,
    caller: Caller,
    definition: ReportDefinition,
    period: Period,
    unit: Unit,
    on: date | None = None,
) -> Rates:
    """The reporting rates of ``definition`` for ``period`` in ``unit``'s part of the tree, as of ``on``
    (today in Vietnam): the unit itself and every level below it that makes the report."""
    authorize(caller, "report", "read", unit)
    on = on or today()
    due = due_dates(session, definition, period)
    rates = Rates(definition, period, unit, due)
    levels = [lvl for lvl in due if DEPTH[lvl] >= DEPTH[unit.level]]
    expected: list[Unit] = []
    for level in levels:
        expected += units_at_level_on(session, unit, period.end, level)
    found = {
        r.unit_id: r
        for r in session.scalars(
            select(Report).where(
                visible_clause(caller),
                Report.definition_id == definition.id,
                Report.period == period.key,
                Report.unit_id.in_([u.id for u in expected]),
            )
        )
    }
    firsts = first_submissions(session, [r.id for r in found.values()])
    below = children_on(session, unit, period.end)
    rows: dict[int, dict[str, Counts]] = {u.id: defaultdict(Counts) for u in below}
    moved = moved_since(session, period.end)  # then the paths of that day place each unit (rare)
    for level in levels:
        rates.levels[level] = Counts()
    for one in expected:
        report = found.get(one.id)
        first = firsts.get(report.id) if report is not None else None
        state = state_of(report.status if report else None, first, due[one.level], on)
        rates.levels[one.level].add(state)
        rates.expected.append(
            Expected(
                one,
                one.level,
                due[one.level],
                state,
                first.astimezone(VIETNAM).date() if first is not None else None,
                report.status if report else None,
            )
        )
        where = path_on(session, one, period.end) if moved else one.path
        for sub in below:
            if one.id == sub.id or f"/{sub.id}/" in where:
                rows[sub.id][one.level].add(state)
                break
    rates.rows = [(sub, dict(rows[sub.id])) for sub in below]
    return rates


def rates_json(rates: Rates) -> dict[str, Any]:
    """The rates as the API answers them (unit names only: nothing about any child)."""
    return {
        "definition": rates.definition.code,
        "period": rates.period.key,
        "unit": {"id": rates.unit.id, "name": rates.unit.name, "level": rates.unit.level},
        "due": {level: d.isoformat() for level, d in rates.due.items()},
        "levels": {level: c.as_json() for level, c in rates.levels.items()},
        "units": [
            {
                "id": sub.id,
                "name": sub.name,
                "level": sub.level,
                "levels": {level: c.as_json() for level, c in counts.items()},
            }
            for sub, counts in rates.rows
        ],
        "outstanding": [
            {
                "unit_id": e.unit.id,
                "name": e.unit.name,
                "level": e.level,
                "state": e.state,
                "due": e.due.isoformat(),
                "submitted_on": e.submitted_on.isoformat() if e.submitted_on else None,
                "status": e.status,
            }
            for e in rates.outstanding()
        ],
    }


def rates_for(
    session: Session, caller: Caller, definition_code: Any, period_key: Any, unit_id: Any = None
) -> Rates:
    """The rates the API and the pages ask for: a report by code, a period by key, a unit by id (the
    caller's own when none is named); unknown or out-of-scope units answer 404, as reports do."""
    from portal.reports.service import check_period, definition_by_code  # the service imports figures

    authorize_action(caller, "report", "read")
    definition = definition_by_code(session, definition_code)
    period = check_period(definition, period_key)
    unit = caller.unit
    if unit_id is not None:
        unit = session.get(Unit, unit_id) if isinstance(unit_id, int) and 0 < unit_id < 2**63 else None
        if unit is not None and not caller.covers(unit):
            unit = None
    if unit is None:
        raise NotVisible("unit not found", resource="report", action="read")
    return reporting_rates(session, caller, definition, period, unit)
