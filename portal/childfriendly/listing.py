"""Lists of assessments: a commune's yearly history, the assessments of an area for a year, and the
dashboard of recognised communes against the plan's target (counts only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.childfriendly.access import RESOURCE, assessments_for
from portal.childfriendly.models import STATUSES, Assessment
from portal.childfriendly.view import summary
from portal.reports.dashboard import targets_for
from portal.stats.disclosure import rate
from tenancy.models import Unit
from tenancy.service import units_below
from tenancy.structure import valid_on

TARGET = "child_friendly"


def _year(year: int | None) -> int:
    chosen = today().year if year is None else year
    if not 2019 <= chosen <= today().year:
        raise ValidationFailed([FieldError("year", f"must be a year from 2019 to {today().year}")])
    return chosen


def history(session: Session, caller: Caller, unit: Unit) -> list[dict[str, Any]]:
    """The commune's assessments, newest year first."""
    authorize(caller, RESOURCE, "read", unit)
    rows = session.execute(
        assessments_for(caller).where(Assessment.unit_id == unit.id).order_by(Assessment.year.desc())
    ).tuples()
    return [summary(a, u) for a, u in rows]


def area_list(
    session: Session, caller: Caller, unit: Unit, year: int | None, status: str | None
) -> list[dict[str, Any]]:
    """The assessments of the communes under ``unit`` for a year (a status only when given)."""
    authorize(caller, RESOURCE, "read", unit)
    chosen = _year(year)
    if status is not None and status not in STATUSES:
        raise ValidationFailed([FieldError("status", f"must be one of {', '.join(STATUSES)}", "unknown")])
    ids = [u.id for u in units_below(session, unit, level="commune")]
    stmt = assessments_for(caller).where(Assessment.year == chosen, Assessment.unit_id.in_(ids))
    if status is not None:
        stmt = stmt.where(Assessment.status == status)
    rows = session.execute(stmt).tuples()
    return sorted(
        (summary(a, u) for a, u in rows), key=lambda r: (r["unit"]["code"] or "", r["unit"]["name"])
    )


def _counts(communes: list[Unit], by_unit: dict[int, str]) -> dict[str, Any]:
    statuses = [by_unit.get(c.id) for c in communes]
    recognised = statuses.count("recognised")
    return {
        "communes": len(communes),
        "assessed": sum(1 for s in statuses if s is not None),
        "submitted": statuses.count("submitted"),
        "recognised": recognised,
        "not_recognised": statuses.count("not_recognised"),
        "pct": rate(recognised, len(communes)),
    }


def _next_below(commune: Unit, unit: Unit) -> int | None:
    """The id of the unit right below ``unit`` on the commune's path (the commune itself, or its district)."""
    segments = commune.path.strip("/").split("/")
    return int(segments[unit.depth]) if len(segments) > unit.depth else None


def dashboard(session: Session, caller: Caller, unit: Unit, year: int | None) -> dict[str, Any]:
    """Recognised communes under ``unit`` in a year against the plan's target rate (the unit's own plan,
    else the nearest ancestor's, else the national default), overall and per sub-unit. Counts only."""
    authorize(caller, RESOURCE, "dashboard", unit)
    chosen = _year(year)
    end = min(date(chosen, 12, 31), today())
    communes = [c for c in units_below(session, unit, level="commune") if valid_on(c, end)]
    by_unit = {
        a.unit_id: a.status
        for a, _u in session.execute(
            assessments_for(caller).where(
                Assessment.year == chosen, Assessment.unit_id.in_([c.id for c in communes])
            )
        ).tuples()
    }
    goal, set_by = targets_for(session, unit, chosen)[TARGET]
    total = _counts(communes, by_unit)
    subs = (
        []
        if unit.level == "commune"
        else [
            s
            for s in units_below(session, unit)
            if s.parent_id == unit.id and s.level != "hamlet" and valid_on(s, end)
        ]
    )
    below = {s.id: [c for c in communes if _next_below(c, unit) == s.id] for s in subs}
    parts = [{"unit": s.name_ref(), **_counts(below[s.id], by_unit)} for s in subs]
    audit_aggregate(caller, RESOURCE, unit.id, {"year": chosen})
    return {
        "unit": unit.ref(),
        "year": chosen,
        "target_pct": float(goal),
        "target_set_by": set_by,
        "met": None if total["pct"] is None else total["pct"] >= float(goal),
        **total,
        "sub_units": [p for p in parts if p["communes"]],
    }
