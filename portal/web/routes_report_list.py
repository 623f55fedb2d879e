"""The periodic reports list: every report the caller may see, of every kind and period, filtered by
report, period (in words) and status; and the form that starts a report of any kind for a past or
current period (``POST /reports/new``), as ``POST /api/v1/reports`` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.reports import service
from portal.reports.models import Report, ReportDefinition
from portal.reports.schemas import ReportCreate
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.report_periods import groups, kind_of, read_period
from portal.web.report_start import creation_errors, start_choices
from tenancy.service import unit_names

PAGE_SIZE = 20
STATUSES = ("draft", "submitted", "approved", "returned")
FILTERS = ("definition", "period", "status")


def _filter_errors(chosen: Mapping[str, str], definitions: list[ReportDefinition]) -> list[FieldError]:
    errors: list[FieldError] = []
    by_code = {d.code: d for d in definitions}
    if chosen["definition"] and chosen["definition"] not in by_code:
        errors.append(FieldError("definition", "unknown report", "unknown"))
    if chosen["period"]:
        definition = by_code.get(chosen["definition"])
        errors += read_period(chosen["period"], definition.period_type if definition else None)[1]
    if chosen["status"] and chosen["status"] not in STATUSES:
        errors.append(FieldError("status", "must be draft, submitted, approved or returned", "not_listed"))
    return errors


def _list(
    request: Request[Any, Any, Any],
    caller: Caller,
    db: Session,
    page_no: int = 1,
    start: Mapping[str, str] | None = None,
    start_errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    chosen = {k: str(request.query_params.get(k) or "").strip() for k in FILTERS}
    definitions = service.definitions(db)
    errors = _filter_errors(chosen, definitions)
    items: list[Report] = []
    total = 0
    if not errors:
        params = {k: v or None for k, v in chosen.items()} | {"page": page_no, "page_size": PAGE_SIZE}
        items, total = service.list_reports(db, caller, params)
    day = today()
    shown = {k: v for k, v in chosen.items() if v}
    return page(
        request,
        "reports.html",
        status_code=status_code if not errors else 422,
        items=items,
        total=total,
        page_no=page_no,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        units=unit_names(db, {r.unit_id for r in items}),
        definitions={d.id: d for d in definitions},
        all_definitions=definitions,
        chosen=chosen,
        filtered=bool(shown),
        query=urlencode(shown),
        period_groups=groups(day, lang, keep=chosen["period"] if kind_of(chosen["period"]) else None),
        statuses=STATUSES,
        errors=field_errors(errors, lang),
        start=start_choices(db, caller, definitions, lang, day),
        start_values=dict(start or {}),
        start_errors=field_errors(start_errors or [], lang),
    )


@get("/reports", sync_to_thread=False, include_in_schema=False)
def reports_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    page_no: Annotated[int, QueryParameter(name="page")] = 1,
) -> Template:
    return _list(request, caller, db, max(1, page_no))


def _start_input(data: Mapping[str, Any]) -> tuple[dict[str, str], list[FieldError]]:
    values = {k: str(data.get(k) or "").strip() for k in ("definition", "period", "unit_id")}
    errors = []
    if not values["definition"]:
        errors.append(FieldError("definition", "choose a report", "required"))
    if not values["period"]:
        errors.append(FieldError("period", "choose a period", "required"))
    if not values["unit_id"].isdigit():
        errors.append(FieldError("unit_id", "choose a unit", "required"))
    return values, errors


@post("/reports/new", sync_to_thread=False, include_in_schema=False)
def report_start(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Start a report of any kind and period (or open it, when it was started already)."""
    values, errors = _start_input(data)
    if not errors:
        try:
            definition = service.definition_by_code(db, values["definition"])
            errors = read_period(values["period"], definition.period_type)[1]
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        return _list(request, caller, db, start=values, start_errors=errors, status_code=422)
    body = ReportCreate(definition=definition.code, unit_id=int(values["unit_id"]), period=values["period"])
    try:
        with db.begin_nested():
            report = service.create_report(db, caller, body)
    except ValidationFailed as exc:
        errors = creation_errors(exc.errors)
        return _list(request, caller, db, start=values, start_errors=errors, status_code=422)
    except Conflict:  # started already (by someone else, or earlier): open it
        found = service.month_reports(db, caller, definition, body.period, [body.unit_id])
        if body.unit_id not in found:
            raise
        return see_other(f"/reports/{found[body.unit_id].id}")
    return see_other(f"/reports/{report.id}?msg=created")


ROUTES = [reports_page, report_start]
