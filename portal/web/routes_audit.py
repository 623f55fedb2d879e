"""Audit pages: a child's access log (the commune's ward officer) and access counts by unit and day
(district officers and provincial inspectors). The same services as the API (portal.audit.reader),
so Casbin, the SQL functions' own scope checks and the audit of refusals apply to the pages too."""

from __future__ import annotations

import math
import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.reader import audit_summary, child_access_log
from portal.boundary.deps import CallerDep, DbDep
from portal.web.deps import lang_of
from portal.web.form_input import day_input
from portal.web.i18n import field_errors, fmt_date, label
from portal.web.render import page
from tenancy.service import get_unit

PAGE_SIZE = 50


@get("/children/{child_id:uuid}/access-log", sync_to_thread=False, include_in_schema=False)
def access_log_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    child_id: FromPath[uuid.UUID],
    page_no: Annotated[int, QueryParameter(name="page")] = 1,
) -> Template:
    log = child_access_log(db, caller, child_id, max(1, page_no), PAGE_SIZE)
    lang = lang_of(request)
    entries = [
        {
            "at": e.at,
            "username": e.username or "",
            "full_name": e.full_name or "",
            "role": e.role,
            "action": label("action", e.action, lang),
            "outcome": label("outcome", e.outcome, lang),
            "refused": e.outcome != "allowed",
        }
        for e in log.items
    ]
    return page(
        request,
        "access_log.html",
        child=log.child,
        entries=entries,
        total=log.total,
        page_no=log.page,
        pages=max(1, math.ceil(log.total / PAGE_SIZE)),
    )


def _dates(raw_from: str, raw_to: str) -> tuple[date | None, date | None]:
    errors: list[FieldError] = []
    found = [day_input(field, raw, errors) for field, raw in (("from", raw_from), ("to", raw_to))]
    if errors:
        raise ValidationFailed(errors)
    return found[0], found[1]


@get("/audit", sync_to_thread=False, include_in_schema=False)
def audit_summary_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    unit: FromQuery[int | None] = None,
    raw_from: Annotated[str, QueryParameter(name="from")] = "",
    raw_to: Annotated[str, QueryParameter(name="to")] = "",
) -> Template:
    area = get_unit(db, unit) if unit is not None else caller.unit
    if area is None and unit is not None:
        raise NotVisible("unit not found", resource="audit", action="summary")
    if area is None:
        raise Forbidden("your account has no unit", resource="audit", action="summary")
    lang = lang_of(request)
    try:
        summary = audit_summary(db, caller, area, *_dates(raw_from[:20], raw_to[:20]))
    except ValidationFailed as exc:
        return page(
            request,
            "audit_summary.html",
            status_code=422,
            unit=area,
            summary=None,
            errors=field_errors(exc.errors, lang),
            form_from=raw_from[:20],
            form_to=raw_to[:20],
        )
    rows = summary["items"]
    totals = {k: sum(r[k] for r in rows) for k in ("reads", "changes", "refusals", "aggregate_reads")}
    return page(
        request,
        "audit_summary.html",
        unit=area,
        summary=summary,
        totals=totals,
        form_from=fmt_date(summary["from"]),
        form_to=fmt_date(summary["to"]),
    )


ROUTES = [access_log_page, audit_summary_page]
