"""Evidence the portal already holds for a commune and year, computed for the assessment.

Each value names its source. Counts come from counting functions (registry, case register: SECURITY
DEFINER, counts only, refused outside the caller's scope), the commune's approved monthly reports read
through the reports' own scoping, and the accounts and hamlets of the commune. No child leaves here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from portal.auth.models import User
from portal.reports.access import reports_for
from portal.reports.models import Report, ReportDefinition
from tenancy.models import Unit
from tenancy.service import units_below

Value = dict[str, Any]
MONTHLY = "monthly"


def year_span(year: int) -> tuple[date, date]:
    """The assessed period: the calendar year, up to today while it runs."""
    return date(year, 1, 1), min(date(year, 12, 31), today())


def _registry(session: Session, unit: Unit, start: date, end: date) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(
            func.report_registry_figures(unit.path, start, end).table_valued(
                "hamlet_id", "indicator", "cell", "n"
            )
        )
    ).tuples()
    out: dict[tuple[str, str], int] = {}
    for _hamlet, indicator, cell, n in rows:
        out[(indicator, cell)] = out.get((indicator, cell), 0) + int(n)
    return out


def _cases(session: Session, unit: Unit, start: date, end: date) -> tuple[int, int, int]:
    row = session.execute(
        select(
            func.child_friendly_case_counts(unit.path, start, end).table_valued(
                "abused_children", "plan_cases", "plans_in_time"
            )
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _approved_months(session: Session, caller: Caller, unit: Unit, year: int) -> list[Report]:
    stmt = (
        reports_for(caller)
        .join(ReportDefinition, ReportDefinition.id == Report.definition_id)
        .where(
            ReportDefinition.code == MONTHLY,
            Report.unit_id == unit.id,
            Report.status == "approved",
            Report.period_start >= date(year, 1, 1),
            Report.period_end <= date(year, 12, 31),
        )
        .order_by(Report.period_start)
    )
    return list(session.scalars(stmt))


def _cell(report: Report, indicator: str, cell: str) -> int:
    return int(report.figures.get(indicator, {}).get(cell) or 0)


def _staff(session: Session, unit: Unit) -> tuple[bool, int, int]:
    """An active ward officer at the commune; hamlets in force, and those with an active collaborator."""
    hamlets = [h.id for h in units_below(session, unit, level="hamlet", current=True)]
    officer = bool(
        session.scalar(
            select(func.count()).where(
                User.unit_id == unit.id, User.role == "ward_officer", User.is_active.is_(True)
            )
        )
    )
    covered = 0
    if hamlets:
        covered = (
            session.scalar(
                select(func.count(func.distinct(User.unit_id))).where(
                    User.unit_id.in_(hamlets), User.role == "collaborator", User.is_active.is_(True)
                )
            )
            or 0
        )
    return officer, int(covered), len(hamlets)


def computed_values(session: Session, caller: Caller, unit: Unit, year: int) -> dict[str, Value]:
    """Every computed indicator's value for ``unit`` in ``year``, with its source and what it counted."""
    start, end = year_span(year)
    registry = _registry(session, unit, start, end)
    abused, plan_cases, in_time = _cases(session, unit, start, end)
    months = _approved_months(session, caller, unit, year)
    officer, covered, hamlets = _staff(session, unit)
    last = months[-1] if months else None
    month_keys = [m.period for m in months]
    return {
        "c1_officer": {"flag": officer, "source": "staff.officer"},
        "c1_collaborators": {"numerator": covered, "denominator": hamlets, "source": "staff.collaborators"},
        "c2_birth": {
            "numerator": registry.get(("birth_registered", "total"), 0),
            "denominator": registry.get(("children", "total"), 0),
            "source": "registry.birth_registration",
            "as_of": end.isoformat(),
        },
        "c3_abused": {
            "count": abused,
            "source": "cases.abused",
            "from": start.isoformat(),
            "to": end.isoformat(),
        },
        "c5_injuries": {
            "count": sum(_cell(m, "injuries", "total") for m in months),
            "source": "reports.injuries",
            "months": month_keys,
        },
        "c5_deaths": {
            "count": sum(_cell(m, "injury_deaths", "total") for m in months),
            "source": "reports.injury_deaths",
            "months": month_keys,
        },
        "c5_water": {
            "numerator": _cell(last, "water_points", "fenced") if last else 0,
            "denominator": _cell(last, "water_points", "listed") if last else 0,
            "signed": _cell(last, "water_points", "signed") if last else 0,
            "source": "reports.water_points",
            "months": [last.period] if last else [],
        },
        "c6_assisted": {
            "numerator": registry.get(("special_supported", "total"), 0),
            "denominator": registry.get(("special", "total"), 0),
            "source": "registry.special_assisted",
            "as_of": end.isoformat(),
        },
        "c6_plans": {
            "numerator": in_time,
            "denominator": plan_cases,
            "source": "cases.plans_in_time",
            "from": start.isoformat(),
            "to": end.isoformat(),
        },
    }
