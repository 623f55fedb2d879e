"""Creating reports, entering figures, recomputing registry figures, reading and listing reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from authz.caller import Caller, last_day, reading_history
from authz.guards import authorize, authorize_action
from infra.clock import today, utcnow
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.reports import figures as fig
from portal.reports import prefill
from portal.reports.access import get_report, reports_for, require_owner
from portal.reports.models import Figures, Report, ReportDefinition, ReportEvent, Target
from portal.reports.periods import EXAMPLES, Period, parse
from portal.reports.rule_checks import record as check_rules
from portal.reports.schemas import ReportCreate, ValuesIn
from tenancy.models import Unit
from tenancy.structure import hamlets_on, valid_on

EDITABLE = ("draft", "returned")
MAX_PAGE_SIZE = 200


def definitions(session: Session) -> list[ReportDefinition]:
    """Every report definition, in the order they were defined."""
    return list(session.scalars(select(ReportDefinition).order_by(ReportDefinition.id)))


def targets(session: Session) -> list[Target]:
    """Every ratio target, in display order."""
    return list(session.scalars(select(Target).order_by(Target.sort)))


def definition_by_code(session: Session, code: Any) -> ReportDefinition:
    found = session.scalar(select(ReportDefinition).where(ReportDefinition.code == str(code)))
    if found is None:
        codes = ", ".join(session.scalars(select(ReportDefinition.code).order_by(ReportDefinition.id)))
        raise ValidationFailed([FieldError("definition", f"unknown report; one of: {codes}", "unknown")])
    return found


def check_period(definition: ReportDefinition, key: Any) -> Period:
    period = parse(definition.period_type, str(key)) if isinstance(key, str) else None
    if period is None:
        example = EXAMPLES[definition.period_type]
        raise ValidationFailed([FieldError("period", f"must be a {definition.period_type} like {example}")])
    if period.start > today():
        raise ValidationFailed([FieldError("period", f"{period.key} has not started yet", "future_period")])
    return period


def event(
    session: Session,
    report: Report,
    caller: Caller,
    action: str,
    before: str | None,
    comment: str | None = None,
) -> None:
    session.add(
        ReportEvent(
            report_id=report.id,
            action=action,
            from_status=before,
            to_status=report.status,
            comment=comment,
            actor_id=caller.user_id,
            actor_username=caller.username,
        )
    )


def touch(report: Report) -> None:
    report.version += 1
    report.updated_at = utcnow()


def recompute(session: Session, report: Report, catalog: fig.Catalog, unit: Unit) -> None:
    """Registry figures of a lowest-level report, for the hamlets it covered on the period's last day."""
    hamlets = hamlets_on(session, unit, report.period_end)
    current = dict(
        session.execute(select(Unit.id, Unit.path).where(Unit.id.in_([h for h, _ in hamlets]))).tuples().all()
    )
    base: Figures = {}
    for figures in fig.registry_figures(
        session, current, report.period_start, report.period_end, catalog
    ).values():
        fig.add(base, figures)
    report.figures = fig.compose(catalog, unit.level, base, report.entered)
    report.computed_at = utcnow()


def create_report(session: Session, caller: Caller, body: ReportCreate) -> Report:
    """A draft for one unit and period; a lowest-level draft starts with its registry figures."""
    definition = definition_by_code(session, body.definition)
    period = check_period(definition, body.period)
    unit = session.get(Unit, body.unit_id)
    if unit is None:
        authorize_action(caller, "report", "create")
        raise ValidationFailed([FieldError("unit_id", f"no unit has id {body.unit_id}", "unknown")])
    authorize(caller, "report", "create", unit)
    require_owner(caller, unit, "create")
    if fig.DEPTH[unit.level] > fig.DEPTH[definition.lowest_level]:
        raise ValidationFailed(
            [FieldError("unit_id", f"{definition.code} reports start at {definition.lowest_level} level")]
        )
    if not valid_on(unit, period.end):
        raise ValidationFailed([FieldError("unit_id", f"{unit.name} did not exist on {period.end:%d/%m/%Y}")])
    report = Report(
        definition_id=definition.id,
        unit_id=unit.id,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
        status="draft",
        figures={},
        entered={},
        missing_units=[],
        created_by=caller.user_id,
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{unit.name} already has a {definition.code} report for {period.key}") from exc
    catalog = fig.for_report(session, definition, report)
    report.from_months = prefill.from_months(session, definition, report, catalog, unit.level)
    if report.from_months is not None:
        report.entered = report.from_months["values"]
    if unit.level == definition.lowest_level:
        recompute(session, report, catalog, unit)
    else:
        report.figures = fig.compose(catalog, unit.level, {}, report.entered)
    check_rules(session, caller, report, catalog, unit)
    event(session, report, caller, "create", None)
    audit(caller.actor, "create", "report", "allowed", resource_ids=[report.id], unit_id=unit.id)
    return report


def check_version(report: Report, version: Any) -> None:
    if version is not None and version != report.version:
        raise Conflict(f"the report changed (version {report.version}, you sent {version}): reload it")


def enter_values(session: Session, caller: Caller, report_id: int, body: ValuesIn) -> Report:
    """Store cells typed in at the report's unit; all-or-nothing, every bad cell named."""
    report, definition, unit = get_report(session, caller, report_id, "enter", lock=True)
    require_owner(caller, unit, "enter figures in")
    check_version(report, body.version)
    if report.status not in EDITABLE:
        raise Conflict(f"the report is {report.status}: figures are locked")
    catalog = fig.for_report(session, definition, report)
    # cells typed before their indicator was counted from records (e.g. collaborators, 0034) are
    # no longer entered here: a draft that held them is saved without them, never refused for them
    typed = {i.code for i in catalog.entered_at(unit.level)}
    merged: dict[str, Any] = {k: dict(v) for k, v in report.entered.items() if k in typed}
    for code, cells in body.values.items():
        merged[code] = {**merged.get(code, {}), **cells} if isinstance(cells, dict) else cells
    clean, errors = fig.check_entries(catalog, unit.level, merged, report.figures)
    reasons, missing = prefill.check_reasons(report, clean, body.reasons)
    if errors or missing:
        raise ValidationFailed(errors + missing)
    report.entered = clean
    report.reasons = reasons
    report.figures = fig.compose(catalog, unit.level, report.figures, clean)
    touch(report)
    check_rules(session, caller, report, catalog, unit)  # kept for the form and the approver
    event(session, report, caller, "enter", report.status)
    return report


def take_months_again(session: Session, caller: Caller, report_id: int) -> Report:
    """Take the approved months' figures again (a month approved since the draft began): every typed
    cell without a reason takes the new figure; a cell kept with a reason stays as it is."""
    report, definition, unit = get_report(session, caller, report_id, "enter", lock=True)
    require_owner(caller, unit, "enter figures in")
    if report.status not in EDITABLE:
        raise Conflict(f"the report is {report.status}: figures are locked")
    catalog = fig.for_report(session, definition, report)
    taken = prefill.from_months(session, definition, report, catalog, unit.level)
    if taken is None:
        raise Conflict("a monthly report is not made from other reports")
    entered: Figures = {k: dict(v) for k, v in report.entered.items()}
    for code, cells in taken["values"].items():
        for key, n in cells.items():
            if key not in report.reasons.get(code, {}):
                entered.setdefault(code, {})[key] = n
    report.from_months = taken
    report.entered = entered
    report.reasons, _ = prefill.check_reasons(report, entered, None)
    report.figures = fig.compose(catalog, unit.level, report.figures, entered)
    touch(report)
    check_rules(session, caller, report, catalog, unit)
    event(session, report, caller, "compute", report.status)
    return report


def refresh(session: Session, caller: Caller, report_id: int) -> Report:
    """Recount a lowest-level draft from the registry (e.g. after children were added)."""
    report, definition, unit = get_report(session, caller, report_id, "enter", lock=True)
    require_owner(caller, unit, "recount")
    if report.status not in EDITABLE:
        raise Conflict(f"the report is {report.status}: figures are locked")
    if unit.level != definition.lowest_level:
        raise Conflict("only a lowest-level report is counted from the registry; consolidate this one")
    catalog = fig.for_report(session, definition, report)
    recompute(session, report, catalog, unit)
    touch(report)
    check_rules(session, caller, report, catalog, unit)
    event(session, report, caller, "compute", report.status)
    return report


def list_reports(session: Session, caller: Caller, params: dict[str, Any]) -> tuple[list[Report], int]:
    """Reports the caller may see (row-level security), filtered, newest period first; one page. With the
    id of a former unit that became the caller's, its reports of periods before it closed."""
    authorize_action(caller, "report", "read")
    page, size = params.get("page") or 1, params.get("page_size") or 50
    errors = []
    if page < 1:
        errors.append(FieldError("page", "must be 1 or more"))
    if not 1 <= size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}"))
    if params.get("status") and params["status"] not in ("draft", "submitted", "approved", "returned"):
        errors.append(FieldError("status", "must be draft, submitted, approved or returned"))
    if errors:
        raise ValidationFailed(errors)
    unit = session.get(Unit, params["unit_id"]) if params.get("unit_id") is not None else None
    if unit is None:
        return _list_page(session, caller, params, page, size)
    # A former unit that became the caller's: its reports of periods before it closed (read-only).
    with reading_history(session, caller, unit, last_day(unit)) as reader:
        return _list_page(session, reader, params, page, size)


def _list_page(
    session: Session, caller: Caller, params: dict[str, Any], page: int, size: int
) -> tuple[list[Report], int]:
    stmt = reports_for(caller)
    if params.get("unit_id") is not None:
        stmt = stmt.where(Report.unit_id == params["unit_id"])
    if params.get("definition"):
        stmt = stmt.where(Report.definition_id == definition_by_code(session, params["definition"]).id)
    if params.get("period"):
        stmt = stmt.where(Report.period == params["period"])
    if params.get("status"):
        stmt = stmt.where(Report.status == params["status"])
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    ordered = stmt.order_by(Report.period_end.desc(), Report.unit_id, Report.id)
    return list(session.scalars(ordered.limit(size).offset((page - 1) * size))), total


def month_reports(
    session: Session, caller: Caller, definition: ReportDefinition, period: str, unit_ids: list[int]
) -> dict[int, Report]:
    """The caller's visible reports of ``definition`` for ``period`` among ``unit_ids``, by unit id."""
    stmt = reports_for(caller).where(
        Report.definition_id == definition.id, Report.period == period, Report.unit_id.in_(unit_ids)
    )
    return {r.unit_id: r for r in session.scalars(stmt)}
