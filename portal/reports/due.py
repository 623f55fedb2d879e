"""When a report is due: a number of working days after its period's end, per definition and level.

The numbers are data (``report_due_days``, migration 0033). The portal's defaults are hamlet 3, commune
5, district 8 and province 10 working days after the period ends, each level a few working days after
the level below so that it can consolidate their reports; a definition has them for the levels that
make it (from its lowest level up). An administrator may change them (Casbin: ``report_due`` ``edit``),
and each change is audited. The days are counted on Vietnam's working-day calendar (portal.workdays:
weekends, the statutory holidays with Tết, the government's decided days), so Tết moves a due date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import utcnow
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.reports.models import ReportDefinition, ReportDueDays
from portal.workdays.calendar import WorkingCalendar, load

LEVELS_UP = ("hamlet", "commune", "district", "province")
DEFAULT_DUE_DAYS = {"hamlet": 3, "commune": 5, "district": 8, "province": 10}
MAX_DUE_DAYS = 40  # the database's check (about two months): a larger number is a typing mistake


class DueDaysIn(msgspec.Struct, forbid_unknown_fields=True):
    """``days``: level -> working days after the period's end (the levels not named keep theirs)."""

    days: dict[str, int]


def levels_of(lowest_level: str) -> tuple[str, ...]:
    """The levels that make a definition whose lowest level is ``lowest_level``, upwards."""
    return LEVELS_UP[LEVELS_UP.index(lowest_level) :]


def default_rows(definitions: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
    """The defaults' rows for (definition id, lowest level) pairs (the catalogue loader adds them)."""
    return [
        {"definition_id": definition_id, "level": level, "working_days": DEFAULT_DUE_DAYS[level]}
        for definition_id, lowest in definitions
        for level in levels_of(lowest)
    ]


def add_defaults(session: Session) -> None:
    """Give every definition the defaults it lacks; a value already there (changed or not) stays."""
    rows = default_rows(session.execute(select(ReportDefinition.id, ReportDefinition.lowest_level)).tuples())
    if rows:
        session.execute(insert(ReportDueDays).values(rows).on_conflict_do_nothing())


def all_due_days(session: Session) -> dict[tuple[int, str], int]:
    """(definition id, level) -> working days, for every definition (a few rows)."""
    rows = session.execute(
        select(ReportDueDays.definition_id, ReportDueDays.level, ReportDueDays.working_days)
    )
    return {(d, level): n for d, level, n in rows}


def due_on(calendar: WorkingCalendar, period_end: date, working_days: int) -> date:
    """The last day to submit: the ``working_days``-th working day after the period's last day."""
    return calendar.add_working_days(period_end, working_days)


def due_date(
    session: Session,
    definition: ReportDefinition,
    period_end: date,
    level: str,
    calendar: WorkingCalendar | None = None,
) -> date | None:
    """The day a unit of ``level`` must have submitted its report of ``definition`` for the period that
    ends on ``period_end`` (None: that level does not make this report)."""
    working_days = session.scalar(
        select(ReportDueDays.working_days).where(
            ReportDueDays.definition_id == definition.id, ReportDueDays.level == level
        )
    )
    if working_days is None:
        return None
    return due_on(calendar or load(session), period_end, working_days)


def _definition(session: Session, code: str, action: str) -> ReportDefinition:
    found = session.scalar(select(ReportDefinition).where(ReportDefinition.code == code))
    if found is None:
        raise NotVisible("no report definition with this code", resource="report_due", action=action)
    return found


def due_days_json(session: Session, caller: Caller, code: str) -> dict[str, Any]:
    """A definition's working days per level, and the portal's defaults beside them."""
    authorize_action(caller, "report", "read")
    definition = _definition(session, code, "read")
    known = all_due_days(session)
    levels = levels_of(definition.lowest_level)
    return {
        "definition": definition.code,
        "days": {lvl: known[(definition.id, lvl)] for lvl in levels if (definition.id, lvl) in known},
        "defaults": {lvl: DEFAULT_DUE_DAYS[lvl] for lvl in levels},
    }


def _checked(definition: ReportDefinition, days: Mapping[str, int]) -> dict[str, int]:
    errors: list[FieldError] = []
    levels = levels_of(definition.lowest_level)
    if not days:
        errors.append(FieldError("days", "name at least one level", "required"))
    for level, n in days.items():
        field = f"days.{level}"[:60]
        if level not in LEVELS_UP:
            errors.append(FieldError(field, f"unknown level; one of {', '.join(LEVELS_UP)}", "unknown_code"))
        elif level not in levels:
            errors.append(
                FieldError(
                    field, f"this report is made from the {definition.lowest_level} up", "not_made_here"
                )
            )
        elif not 1 <= n <= MAX_DUE_DAYS:
            errors.append(
                FieldError(field, f"must be 1 to {MAX_DUE_DAYS} working days", "input_out_of_range")
            )
    if errors:
        raise ValidationFailed(errors)
    return dict(days)


def set_due_days(session: Session, caller: Caller, code: str, body: DueDaysIn) -> dict[str, Any]:
    """Change how many working days after the period's end some levels' reports are due (administrator)."""
    authorize_action(caller, "report_due", "edit")
    definition = _definition(session, code, "edit")
    days = _checked(definition, body.days)
    before = {k[1]: v for k, v in all_due_days(session).items() if k[0] == definition.id}
    stmt = insert(ReportDueDays).values(
        [
            {
                "definition_id": definition.id,
                "level": level,
                "working_days": n,
                "updated_by": caller.user_id,
                "updated_at": utcnow(),
            }
            for level, n in days.items()
        ]
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["definition_id", "level"],
            set_={c: stmt.excluded[c] for c in ("working_days", "updated_by", "updated_at")},
        )
    )
    audit(
        caller.actor,
        "edit",
        "report_due",
        "allowed",
        resource_ids=[definition.code],
        detail={"before": {k: before.get(k) for k in days}, "after": days},
    )
    return due_days_json(session, caller, code)
