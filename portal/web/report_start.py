"""What the "Start a report" form offers a caller: the kinds of report their unit makes (a monthly
report from the hamlet up; quarterly, six-month and annual ones from the commune up), the units they
start reports for (their own; a ward officer also each hamlet of the commune) and the periods in words.

Only an offer: ``portal.reports.service.create_report`` decides (Casbin, the unit, the period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.errors import FieldError
from portal.reports.figures import DEPTH
from portal.reports.models import ReportDefinition
from portal.web.report_periods import Group, groups
from tenancy.models import Unit
from tenancy.service import child_units


@dataclass(frozen=True)
class StartChoices:
    definitions: list[ReportDefinition]
    units: list[Unit]
    periods: list[Group]


def start_units(session: Session, caller: Caller) -> list[Unit]:
    """The units the caller starts reports for: their own, and for a ward officer the commune's hamlets
    in force (the services let a ward officer stand in for them)."""
    unit = caller.unit
    if unit is None or caller.scope.until is not None or not allowed(caller.role, "report", "create"):
        return []
    units = [unit]
    if caller.role == "ward_officer" and unit.level == "commune":
        units += [h for h in child_units(session, unit.id) if h.level == "hamlet" and h.valid_to is None]
    return units


def start_choices(
    session: Session, caller: Caller, definitions: list[ReportDefinition], lang: str, day: date
) -> StartChoices | None:
    """The form's choices, or None when the caller starts no report."""
    units = start_units(session, caller)
    made = [d for d in definitions if any(DEPTH[u.level] <= DEPTH[d.lowest_level] for u in units)]
    if not made:
        return None
    kinds = tuple(k for k in ("month", "quarter", "half", "year") if k in {d.period_type for d in made})
    return StartChoices(made, units, groups(day, lang, kinds))


def creation_errors(errors: list[FieldError]) -> list[FieldError]:
    """``create_report``'s refusals as the pages say them: its "this unit does not make this report for
    this period" (not at its level, or not in force then) gets a code of its own."""
    return [
        FieldError(e.field, e.message, "report_unit") if e.field == "unit_id" and e.code == "invalid" else e
        for e in errors
    ]
