"""Who reads and who may act on a report: Casbin decides the action, the unit decides the place, and
the workflow decides the person: a unit's own staff draft and submit, the level above approves.

Reports are read through :func:`reports_for` (the units the caller's records or aggregate scope
covers; row-level security in migration 0006 checks the same, ``app_unit_visible``), and a reader
sees a unit's figures exact only when they keep its records
(:func:`portal.stats.access.keeps_records`). The reports of a unit that became the caller's in a
reorganisation (periods before it closed) are read under the caller's predecessor scope
(:func:`report_to_read`, ``list_reports`` with that unit's id): read only, the workflow offers nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session

from authz.caller import Caller, history_scopes, reading_as
from authz.guards import authorize
from infra.errors import Forbidden, NotVisible
from portal.reports.models import Report, ReportDefinition
from portal.stats.access import keeps_records
from tenancy.models import Unit
from tenancy.scope import Scope
from tenancy.service import visible_unit_ids
from tenancy.structure import parent_on


def visible_clause(caller: Caller) -> ColumnElement[bool]:
    """SQL: the report's unit is in the caller's records or aggregate scope; under a predecessor scope,
    only the reports of periods that began before the predecessor closed (its history)."""
    visible = Report.unit_id.in_(visible_unit_ids(caller.scope))
    if caller.scope.until is not None:
        return and_(visible, Report.period_start < caller.scope.until)
    return visible


def reports_for(caller: Caller) -> Select[tuple[Report]]:
    """Base statement: the reports of the units the caller's scope covers."""
    return select(Report).where(visible_clause(caller))


def get_report(
    session: Session, caller: Caller, report_id: int, action: str = "read", lock: bool = False
) -> tuple[Report, ReportDefinition, Unit]:
    """The report if the caller's scope covers its unit (404 otherwise; row-level security agrees)."""
    stmt = (
        select(Report, ReportDefinition, Unit)
        .join(ReportDefinition, ReportDefinition.id == Report.definition_id)
        .join(Unit, Unit.id == Report.unit_id)
        .where(Report.id == report_id, visible_clause(caller))
    )
    if lock:
        stmt = stmt.with_for_update(of=Report)
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise NotVisible("report not found", resource="report", action=action, resource_ids=[report_id])
    report, definition, unit = row
    authorize(caller, "report", action, unit)
    return report, definition, unit


@contextmanager
def report_to_read(
    session: Session, caller: Caller, report_id: int
) -> Iterator[tuple[Caller, Report, ReportDefinition, Unit]]:
    """The report to read and the caller who reads it: the caller as is when their scope covers its unit;
    else, for a report of a unit that became theirs (a period before it closed), the caller under that
    predecessor's read-only scope for the block (``authz.caller.reading_as``). 404 otherwise."""
    past: Scope | None = None
    try:
        found = get_report(session, caller, report_id)
    except NotVisible:
        past = _predecessor_holding(session, caller, report_id)
        if past is None:
            raise
    if past is None:
        yield (caller, *found)
        return
    with reading_as(session, caller, past) as reader:
        yield (reader, *get_report(session, reader, report_id))


def _predecessor_holding(session: Session, caller: Caller, report_id: int) -> Scope | None:
    for past in history_scopes(session, caller):
        with reading_as(session, caller, past) as reader:
            if session.scalar(select(Report.id).where(Report.id == report_id, visible_clause(reader))):
                return past
    return None


def is_owner(caller: Caller, unit: Unit) -> bool:
    """The unit's own staff; a ward officer also stands in for the hamlets of the commune."""
    if caller.unit is not None and caller.unit.id == unit.id:
        return True
    return unit.level == "hamlet" and caller.role == "ward_officer" and keeps_records(caller, unit)


def require_owner(caller: Caller, unit: Unit, action: str) -> None:
    if not is_owner(caller, unit):
        raise Forbidden(
            f"only the staff of {unit.name} may {action} its report",
            resource="report",
            action=action,
            unit_id=unit.id,
        )


def approver_unit(session: Session, report: Report, unit: Unit) -> Unit:
    """The unit that approves: the one above on the period's last day (a province approves its own)."""
    return parent_on(session, unit, report.period_end) or unit


def require_approver(session: Session, caller: Caller, report: Report, unit: Unit, action: str) -> Unit:
    approver = approver_unit(session, report, unit)
    if caller.unit is None or caller.unit.id != approver.id:
        raise Forbidden(
            f"only the staff of {approver.name} (the level above) may {action} this report",
            resource="report",
            action=action,
            unit_id=unit.id,
        )
    return approver
