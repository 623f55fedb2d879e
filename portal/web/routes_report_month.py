"""The "Báo cáo tháng" page: a month's report of the caller's own unit (start it or open it), any past
month chosen in words; for a commune, the whole month from one screen — every hamlet's report with its
status, their drafts prepared at once, several approved or returned at once (``report_bulk``), the
commune's report consolidated and submitted — with a step indicator (prepare → hamlets approved →
consolidated → submitted).

Every action goes through the services the API uses (``bulk.prepare_drafts``, ``workflow``,
``consolidation.request_consolidation``, ``service.create_report``); the page only offers them.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.clock import today
from infra.errors import Conflict, FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.reports import bulk, service
from portal.reports.consolidation import NotApprovedYet, request_consolidation
from portal.reports.figures import load_catalog
from portal.reports.models import Report
from portal.reports.periods import containing
from portal.reports.rule_checks import finding_counts
from portal.reports.schemas import ConsolidateIn, PrepareIn, ReportCreate
from portal.reports.workflow import allowed_actions, changed_sub_units
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.report_bulk import Outcome, decide, read_decision
from portal.web.report_form import entry_sections
from portal.web.report_periods import groups, in_sentence, read_period
from portal.web.report_start import creation_errors
from portal.web.report_words import confirmation
from tenancy.models import Unit
from tenancy.structure import children_on

MONTHLY = "monthly"
STEPS = ("prepared", "approved", "consolidated", "submitted")


def _own_unit(caller: Caller) -> Unit:
    unit = caller.unit
    if unit is None or unit.level not in ("hamlet", "commune"):
        raise Forbidden("the monthly report page is for hamlets and communes", resource="page", action="read")
    return unit


def _commune(caller: Caller) -> Unit:
    unit = _own_unit(caller)
    if unit.level != "commune":
        raise Forbidden("a commune's month is run by its staff", resource="page", action="read")
    return unit


def _period(db: Session, text: object) -> tuple[str, list[FieldError]]:
    """The month chosen (this month when none is), or this month and the problem named ``period``."""
    this_month = containing("month", today()).key
    if not str(text or "").strip():
        return this_month, []
    key, errors = read_period(text, "month")
    if key is None:
        return this_month, errors
    try:
        service.check_period(service.definition_by_code(db, MONTHLY), key)
    except ValidationFailed as exc:
        return this_month, exc.errors
    return key, []


def _steps(hamlets: list[tuple[Unit, Report | None]], own: Report | None, fresh: bool) -> dict[str, bool]:
    return {
        "prepared": bool(hamlets) and all(r is not None for _h, r in hamlets),
        "approved": bool(hamlets) and all(r is not None and r.status == "approved" for _h, r in hamlets),
        "consolidated": own is not None and fresh,
        "submitted": own is not None and own.status in ("submitted", "approved"),
    }


def _month(
    request: Request[Any, Any, Any],
    caller: Caller,
    db: Session,
    period: str,
    errors: list[FieldError] | None = None,
    code: int = 200,
    outcome: Outcome | None = None,
    notice: str | None = None,
    picked: frozenset[int] = frozenset(),
    prepared: int | None = None,
) -> Template:
    unit = _own_unit(caller)
    lang = lang_of(request)
    definition = service.definition_by_code(db, MONTHLY)
    last_day = service.check_period(definition, period).end
    hamlets_then = children_on(db, unit, last_day) if unit.level == "commune" else []
    found = service.month_reports(db, caller, definition, period, [unit.id] + [h.id for h in hamlets_then])
    hamlets = [(h, found.get(h.id)) for h in hamlets_then]
    own = found.get(unit.id)
    changed = changed_sub_units(db, own, unit) if own is not None and unit.level == "commune" else None
    actions = allowed_actions(db, caller, own, unit, unit.level == "hamlet") if own is not None else []
    boxes = []
    if own is not None and "enter" in actions:
        catalog = load_catalog(db, definition, own.period_start, own.period_end)
        boxes = entry_sections(catalog, unit.level, own.entered, None, {}, lang == "en")
    steps = _steps(hamlets, own, changed == [])
    if request.query_params.get("select") == "submitted" and not picked:
        picked = frozenset(r.id for _h, r in hamlets if r is not None and r.status == "submitted")
    flash = confirmation(request.query_params.get("msg", ""), lang, period, unit.name)
    return page(
        request,
        "report_month.html",
        status_code=code,
        unit=unit,
        period=period,
        period_words=in_sentence(period, lang),
        period_groups=groups(today(), lang, ("month",), keep=period),
        own=own,
        own_actions=actions,
        filled=sum(s.filled for s in boxes),
        boxes=sum(s.filled + s.empty for s in boxes),
        changed=changed or [],
        hamlets=hamlets,
        flagged=finding_counts(db, caller, [r.id for _h, r in hamlets if r is not None]),
        steps=steps,
        current=next((s for s in STEPS if not steps[s]), None),
        submitted_count=sum(1 for _h, r in hamlets if r is not None and r.status == "submitted"),
        picked=picked,
        outcome=outcome,
        errors=field_errors(errors or [], lang),
        form_message=notice,
        prepared=prepared,
        flash=flash,
    )


@get("/reports/month", sync_to_thread=False, include_in_schema=False)
def month_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    period, errors = _period(db, request.query_params.get("period"))
    return _month(request, caller, db, period, errors, 422 if errors else 200)


@post("/reports/month", sync_to_thread=False, include_in_schema=False)
def month_start(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Start the caller's own report of the month (or open it when it exists)."""
    period, errors = _period(db, data.get("period"))
    unit = _own_unit(caller)
    if errors:
        return _month(request, caller, db, period, errors, 422)
    try:
        with db.begin_nested():
            report = service.create_report(
                db, caller, ReportCreate(definition=MONTHLY, unit_id=unit.id, period=period)
            )
    except ValidationFailed as exc:
        return _month(request, caller, db, period, creation_errors(exc.errors), 422)
    return see_other(f"/reports/{report.id}?msg=created")


@post("/reports/month/prepare", sync_to_thread=False, include_in_schema=False)
def month_prepare(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData) -> Template:
    """Draft every hamlet's report of the month, counted from the registry (existing ones untouched)."""
    period, errors = _period(db, data.get("period"))
    unit = _commune(caller)
    if errors:
        return _month(request, caller, db, period, errors, 422)
    try:
        with db.begin_nested():
            made = bulk.prepare_drafts(db, caller, unit, PrepareIn(definition=MONTHLY, period=period))
    except ValidationFailed as exc:
        return _month(request, caller, db, period, exc.errors, 422)
    return _month(request, caller, db, period, prepared=made.created)


@post("/reports/month/decide", sync_to_thread=False, include_in_schema=False)
def month_decide(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData) -> Template:
    """Approve or return the ticked hamlet reports, each through the workflow with its version."""
    period, errors = _period(db, data.get("period"))
    unit = _commune(caller)
    action, picked, comment, problems = read_decision(data)
    if action in ("approve", "return"):
        authorize_action(caller, "report", action)
    if errors or problems:
        return _month(request, caller, db, period, errors + problems, 422, picked=frozenset(picked))
    definition = service.definition_by_code(db, MONTHLY)
    hamlets = children_on(db, unit, service.check_period(definition, period).end)
    found = service.month_reports(db, caller, definition, period, [h.id for h in hamlets])
    listed = {r.id: (h.name, r) for h in hamlets if (r := found.get(h.id)) is not None}
    outcome = decide(request, db, caller, action, picked, listed, comment)
    return _month(request, caller, db, period, code=200 if outcome.done else 409, outcome=outcome)


@post("/reports/month/consolidate", sync_to_thread=False, include_in_schema=False)
def month_consolidate(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Consolidate the commune's report of the month from its hamlets' (starting it when needed)."""
    period, errors = _period(db, data.get("period"))
    unit = _commune(caller)
    if errors:
        return _month(request, caller, db, period, errors, 422)
    definition = service.definition_by_code(db, MONTHLY)
    own = service.month_reports(db, caller, definition, period, [unit.id]).get(unit.id)
    # No savepoint around the request: releasing one would send the worker's task before the request
    # commits (infra.after_commit listens to the session's commits, a SAVEPOINT's among them). A refusal
    # answers 409/422, so the request rolls back whatever was started here.
    try:
        if own is None:
            own = service.create_report(
                db, caller, ReportCreate(definition=MONTHLY, unit_id=unit.id, period=period)
            )
        run = request_consolidation(
            db, caller, own.id, ConsolidateIn(with_missing=bool(data.get("with_missing")))
        )
    except ValidationFailed as exc:
        return _month(request, caller, db, period, creation_errors(exc.errors), 422)
    except Conflict as exc:
        db.expire_all()
        key = "consolidate_pending" if isinstance(exc, NotApprovedYet) else "month_locked"
        return _month(request, caller, db, period, code=409, notice=key)
    return see_other(f"/consolidations/{run.id}")


ROUTES = [month_page, month_start, month_prepare, month_decide, month_consolidate]
